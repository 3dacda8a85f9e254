#pragma once
// One service of a `services:` config: the part of the loop that is its own — the changes that
// concern it, its debouncer, builder, app (child or peer target), health probe and status.
// ServiceLoop owns the one watcher and hands each service the changes under its paths.
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "app/app_restarter.h"
#include "base/reactor.h"
#include "base/timer.h"
#include "build/builder.h"
#include "debounce/debouncer.h"
#include "filter/path_filter.h"
#include "filter/path_set.h"
#include "loop/app_health.h"
#include "loop/git_activity.h"
#include "loop/proxy_link.h"
#include "model/config.h"
#include "model/control_request.h"
#include "model/loop_role.h"
#include "observe/audit_trail.h"
#include "observe/loop_state.h"
#include "plan/rule_matcher.h"
#include "proc/reaper.h"

namespace hotpod {

class Observability;

// What a service needs from the loop that runs them all.
struct ServiceHooks {
  // A build may start now (false: the service waits for slotFree()); build.parallel bounds them.
  std::function<bool()> acquire_build_slot;
  std::function<void()> release_build_slot;
  std::function<void()> status_changed;  // its status board got a new snapshot
  std::function<void()> stopped;         // after shutdown(): nothing of it runs any more
};

// Construct it inside a log::ServiceScope of its name: the handlers its members register then
// log in the service. Its public methods enter that scope themselves.
class ServiceUnit {
 public:
  ServiceUnit(Reactor& reactor, Reaper& reaper, const ServiceConfig& service, LoopRole role,
              const std::filesystem::path& root, const std::filesystem::path& scratch,
              Observability& shared, ServiceHooks hooks);
  ~ServiceUnit();

  const std::string& name() const { return name_; }
  // The files it builds and runs, relative to root: never a trigger for any service.
  const std::vector<std::string>& outputs() const { return outputs_; }
  // Whether a change to this file (relative to root) concerns the service: under its paths
  // and relevant by its own watch settings.
  bool concerns(const std::string& rel_path) const;
  void invalidate(const std::string& rel_ignore_file) { filter_.invalidate(rel_ignore_file); }
  void add(const FileEvent& event, std::chrono::steady_clock::time_point now);

  void start();     // the first build, or the app's start
  void slotFree();  // a build slot it waited for may be free now
  bool waitingForSlot() const { return waiting_; }
  void requestedRebuild(const ControlRequest& request);
  void requestedRestart(const ControlRequest& request);
  void shutdown();
  bool stopped() const;
  // After each turn of the loop: its proxy's counts may have changed.
  void afterTurn() { proxy_.afterTurn(); }

  const Metrics& metrics() const { return metrics_; }
  // Its newest status (loop thread).
  std::shared_ptr<const StatusSnapshot> status() const { return latest_; }

 private:
  std::unique_ptr<AppRestarter> makeRestarter(Reactor& reactor, Reaper& reaper);
  AppObserver appObserver();
  void onDebounceDue();
  void changed(const ChangeSet& changes);
  void trigger(const ChangeSet& changes);
  void startWork(const ChangeSet& changes);
  void startBuild(const ChangeSet& changes, const std::string& command,
                  const std::optional<ControlRequest>& request = {});
  void restartApp(std::string_view reason, const std::string& why, const AuditCause& cause);
  void perform(const RulePlan& plan, const ChangeSet& changes, const std::string& why,
               std::optional<uint64_t> built);
  void onBuildDone(const BuildOutcome& outcome);
  void startNext();
  void finishIfStopped();

  const std::string name_;
  const ServiceConfig service_;
  const Config& config_;
  const LoopRole role_;
  const std::filesystem::path workdir_;
  std::vector<std::string> outputs_;
  ServiceHooks hooks_;
  PathFilter filter_;
  PathSet paths_;
  RuleMatcher rules_;
  Debouncer debouncer_;
  GitActivity git_;
  Timer debounce_timer_;
  StatusBoard board_;
  std::shared_ptr<const StatusSnapshot> latest_;
  Metrics metrics_;
  AuditTrail audit_;  // the shared audit log; versions from its own outputs
  LoopState state_;
  ProxyLink proxy_;  // before the app: it picks the app's private port
  Builder builder_;
  std::unique_ptr<AppRestarter> restarter_;
  AppHealth health_;
  ChangeSet pending_;                              // changes that arrived while busy or waiting
  std::optional<ControlRequest> rebuild_request_;  // a rebuild that waits for its turn
  RulePlan in_flight_{true, RuleAction::Build, {}, {}};
  bool waiting_ = false;             // for a build slot
  bool full_build_waiting_ = false;  // build.cmd whatever changed (first build, rebuild)
  bool has_slot_ = false;            // holds one while its builder runs
  bool shutting_down_ = false;
  bool app_stopped_ = false;
  bool reported_stopped_ = false;
};

}  // namespace hotpod
