#pragma once
// The loop's account of itself. The reactor reports every step here; LoopState keeps the
// status, updates the metrics, streams events, queues webhooks, and publishes a fresh snapshot
// for the HTTP threads. Only the loop thread calls it.
#include <chrono>
#include <optional>
#include <set>
#include <string>

#include "app/app_supervisor.h"
#include "build/builder.h"
#include "model/config.h"
#include "observe/app_probe.h"
#include "observe/audit_trail.h"
#include "observe/event_hub.h"
#include "observe/metrics.h"
#include "observe/status.h"
#include "observe/webhooks.h"
#include "watch/watcher.h"

namespace hotpod {

enum class AppExit { Stopped, ExitedCleanly, Crashed };

class LoopState {
 public:
  LoopState(const Config& config, LoopRole role, StatusBoard& board, EventHub& events,
            Metrics& metrics, WebhookSender& webhooks, AuditTrail& audit);

  void watching(const std::string& root, std::string_view backend, const WatchStats& stats);
  void fileEvent(ChangeKind kind);
  void pollScan(std::chrono::nanoseconds took) { metrics_.pollScan(took.count() / 1e9); }
  void debouncing(bool active);
  // `request`: a POST /v1/rebuild asked for it (else the changes did, or hotpod's start).
  void buildStarted(uint64_t number, const ChangeSet& changes,
                    const std::optional<ControlRequest>& request = {});
  void buildFinished(const BuildOutcome& outcome);
  // Nothing to build: the change goes straight to a restart (or was only a notify).
  void changeHandled(bool restarts_app);
  // reason: start, change, crash, request, rollback (a bounded metric label); `cause` is what
  // the audit log says set it off.
  void restartRequested(std::string_view reason, const AuditCause& cause);
  // A rules' signal action: `sent` false when no app ran to get it.
  void signalled(int signal, pid_t pid, bool sent, const AuditCause& cause);
  // A sync through hotpod's tar ended (`complete`) or was cut off: one audit record per batch.
  void syncFinished(const std::set<std::string>& paths, bool complete);
  void appStarted(pid_t pid);
  void appStartFailed(const std::string& why);
  // hotpod agent: the restart signal could not be sent, or no new app came up in time.
  // reason is a bounded metric label (not_found, permission, unconfirmed, error).
  void restartFailed(std::string_view reason, const std::string& why);
  void appGone(const std::string& exit, AppExit end);
  void probeVerdict(ProbeVerdict verdict, const std::string& detail);
  void rolledBack(uint64_t bad_build, std::optional<uint64_t> good_build, const std::string& why);
  void notified(const ChangeSet& changes);
  void error(const std::string& text);
  // The watch counters changed (the loop compares them after each of its turns).
  void sample(std::string_view backend, const WatchStats& stats);

  // The dev proxy's state changed (proxy:); the status shows it, with the builds its versions
  // run (the app's serving build; a candidate runs the build the next start runs).
  void proxy(ProxyStatus proxy);

  // One service of a `services:` config: its events, audit records and webhook payloads carry
  // "service": NAME.
  void setService(std::string name) { service_ = std::move(name); }

  const StatusSnapshot& status() const { return status_; }
  std::optional<uint64_t> lastGoodBuild() const { return last_good_build_; }
  // The build whose output the app's next start runs (none before a build succeeded).
  std::optional<uint64_t> nextBuild() const { return pending_build_; }

 private:
  void becameReady();
  void publish();
  void completeProxy(ProxyStatus& proxy) const;
  LoopPhase phase() const;
  void emit(const std::string& type, const std::string& json);
  // A webhook: `body` with "service" added for a service.
  void hook(const std::string& event, nlohmann::json body);
  // An audit record (nothing when no one reads them), also for the webhook payloads.
  nlohmann::json audit(std::string_view event, nlohmann::json fields);
  nlohmann::json describe(const AuditCause& cause) const;

  const HttpConfig policy_;
  std::string service_;
  StatusBoard& board_;
  EventHub& events_;
  Metrics& metrics_;
  WebhookSender& webhooks_;
  AuditTrail& audit_;
  StatusSnapshot status_;
  bool building_ = false;
  bool debouncing_ = false;
  bool restarting_ = false;
  bool crashed_ = false;
  uint64_t app_starts_ = 0;  // app.restarts counts the starts after the first, as hotpod exec does
  std::string restart_reason_ = "start";
  nlohmann::json restart_cause_;  // what the audit log says set the next start off
  nlohmann::json build_cause_;    // … and the running build
  std::optional<std::chrono::steady_clock::time_point> change_detected_;
  std::optional<uint64_t> pending_build_;  // the build whose output the next start runs
  std::optional<uint64_t> last_good_build_;
  LoopPhase published_phase_ = LoopPhase::Idle;
  bool published_ready_ = false;
};

}  // namespace hotpod
