#pragma once
// hotpod's HTTP surface: /healthz, /readyz, /metrics, /v1/status, /v1/events, the control
// endpoints and the status page. Its threads only read published snapshots and post control
// requests to the loop; they never touch pipeline state.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/control_token.h"
#include "model/control_request.h"
#include "model/listen_address.h"
#include "observe/event_hub.h"
#include "observe/metrics.h"
#include "observe/status.h"

namespace hotpod {

class Reactor;

struct HttpContext {
  const StatusBoard& board;
  EventHub& events;
  const Metrics& metrics;
  Reactor& reactor;  // how long its turn has lasted answers /healthz; control requests go to it
  ControlToken token;
  // Run on the loop thread, with who asked (for the audit log).
  std::function<void(const ControlRequest&)> rebuild;
  std::function<void(const ControlRequest&)> restart;
  std::vector<std::string> allowed_hosts;  // http.allowed_hosts: Host names served besides ours
};

class HttpServer {
 public:
  // /healthz fails once the loop has been stuck in one turn (not back to waiting) this long.
  static constexpr std::chrono::seconds kStuckBound{10};

  explicit HttpServer(HttpContext context);
  ~HttpServer();  // stop()s

  // Binds (port 0: any free port) and serves on a thread. Throws std::runtime_error saying
  // what to do when the address cannot be bound.
  void start(const ListenAddress& address);
  int port() const { return port_; }
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

// An Origin that may read /v1/events from a browser: a page served from this machine.
bool isLocalOrigin(std::string_view origin);

}  // namespace hotpod
