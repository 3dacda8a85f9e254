#pragma once
// Is the version on 127.0.0.1:PORT ready (proxy.handover: overlap)? With a health path: it
// answers GET PATH with 2xx (app.health_url, asked on the version's own port); without: it
// accepts connections. Tried again and again (proxy/probe_schedule.h) until it is, or the deadline
// passes; on the reactor.
#include <chrono>
#include <functional>
#include <string>

#include "base/duration.h"
#include "base/reactor.h"
#include "base/timer.h"
#include "base/unique_fd.h"
#include "proxy/http_codec.h"

namespace hotpod {

class ReadinessProbe {
 public:
  using Clock = std::chrono::steady_clock;
  // `done(ready, detail)` runs once; detail says what the last attempt saw. It may destroy the
  // probe only through Reactor::post.
  using Done = std::function<void(bool ready, const std::string& detail)>;

  ReadinessProbe(Reactor& reactor, int port, std::string health_path, Duration timeout, Done done);
  ~ReadinessProbe();
  ReadinessProbe(const ReadinessProbe&) = delete;
  ReadinessProbe& operator=(const ReadinessProbe&) = delete;

 private:
  void attempt();
  void onEvent(uint32_t events);
  void onTimer();
  void failedAttempt(std::string why);
  void finish(bool ready, const std::string& detail);
  void closeSocket();

  Reactor& reactor_;
  int port_;
  std::string path_;
  Clock::time_point started_;
  Clock::time_point attempt_started_{};
  Clock::time_point deadline_;
  Done done_;
  Timer timer_;
  UniqueFd fd_;
  bool connected_ = false;
  bool finished_ = false;
  std::string out_;
  HttpCodec codec_{HttpCodec::Kind::Response};
  static constexpr const char* kNoAttempt = "no attempt yet";
  std::string last_ = kNoAttempt;  // what the last attempt that ended saw
};

// The path of an http://HOST[:PORT]/PATH URL ("/" when none).
std::string healthPath(const std::string& url);

}  // namespace hotpod
