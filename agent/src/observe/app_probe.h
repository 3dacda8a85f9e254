#pragma once
// Checks the app's own health URL off the reactor: after every (re)start, every 100 ms until it
// answers 2xx (ready) or app.ready_timeout passes (never ready); after that every
// app.probe_interval, reporting only when the verdict changes. Results come back on the loop.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "base/reactor.h"
#include "model/config.h"

namespace hotpod {

enum class ProbeVerdict {
  Ready,       // the new start answered 2xx
  NeverReady,  // app.ready_timeout passed without a 2xx
  Failing,     // a ready app stopped answering 2xx
  Recovered,   // … and answers again (also: a late start that got ready after all)
};

class AppProbe {
 public:
  // Runs on the loop thread; `start` is the number returned by watchStart().
  using VerdictHandler =
      std::function<void(uint64_t start, ProbeVerdict verdict, const std::string& detail)>;
  static constexpr std::chrono::milliseconds kStartupInterval{100};

  AppProbe(Reactor& reactor, AppConfig config, VerdictHandler on_verdict);
  ~AppProbe();
  AppProbe(const AppProbe&) = delete;
  AppProbe& operator=(const AppProbe&) = delete;

  bool configured() const { return !config_.health_url.empty(); }
  const std::string& url() const { return config_.health_url; }
  // A new app process started: probe it from scratch. Returns the start's number.
  uint64_t watchStart();
  // The app is gone (stopped or crashed): probe nothing until the next start.
  void pause();

 private:
  void run();

  Reactor& reactor_;
  const AppConfig config_;
  const VerdictHandler on_verdict_;
  std::mutex mutex_;
  std::condition_variable wake_;
  uint64_t start_ = 0;
  bool paused_ = true;  // no app process to probe
  bool quit_ = false;
  std::thread thread_;
};

}  // namespace hotpod
