#pragma once
// Everything that lets the world see and steer the loop: the status board, the event stream,
// the metrics, webhooks, and the HTTP server that serves them. The loop reports through state().
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "base/reactor.h"
#include "http/http_server.h"
#include "model/config.h"
#include "model/control_request.h"
#include "model/loop_role.h"
#include "observe/audit_trail.h"
#include "observe/event_hub.h"
#include "observe/loop_state.h"
#include "observe/metrics.h"
#include "observe/status.h"
#include "observe/webhooks.h"

namespace hotpod {

class Observability {
 public:
  // Run: HTTP on 127.0.0.1 by default; Agent: 0.0.0.0, reachable in a pod. `root` and
  // `outputs` (the build outputs inside it) are what the audit records hash. Throws ConfigError
  // when audit.path cannot be opened or is not a regular file.
  Observability(const Config& config, LoopRole role, Reactor& reactor,
                const std::filesystem::path& root, std::vector<std::string> outputs);
  ~Observability();

  LoopState& state() { return state_; }
  const Metrics& metrics() const { return metrics_; }
  // What each service of a `services:` config shares with the others.
  Metrics& metrics() { return metrics_; }
  StatusBoard& board() { return board_; }
  EventHub& events() { return events_; }
  WebhookSender& webhooks() { return webhooks_; }
  AuditTrail& audit() { return audit_; }
  // Starts the HTTP server unless http.listen is off. `rebuild` and `restart` run on the loop.
  // Throws std::runtime_error when an address the user chose cannot be bound.
  using ControlHandler = std::function<void(const ControlRequest&)>;
  void startHttp(ControlHandler rebuild, ControlHandler restart);
  int httpPort() const { return http_ ? http_->port() : 0; }
  void stop();

  // The address the server uses when http.listen is not set.
  static std::string defaultListen(LoopRole role);

 private:
  const Config& config_;
  const LoopRole role_;
  Reactor& reactor_;
  StatusBoard board_;
  EventHub events_;
  Metrics metrics_;
  WebhookSender webhooks_;
  AuditTrail audit_;
  LoopState state_;
  std::unique_ptr<HttpServer> http_;
};

}  // namespace hotpod
