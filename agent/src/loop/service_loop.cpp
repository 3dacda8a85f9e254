#include "loop/service_loop.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "base/log.h"
#include "base/reactor.h"
#include "base/signal_source.h"
#include "base/signals.h"
#include "filter/path_filter.h"
#include "loop/dev_loop.h"
#include "loop/observability.h"
#include "loop/service_unit.h"
#include "loop/stray_signals.h"
#include "loop/watch_report.h"
#include "proc/group_journal.h"
#include "proc/reaper.h"
#include "watch/backend_selection.h"

namespace hotpod {
namespace {

constexpr int kForcedStopExitCode = 128 + SIGINT;
using Clock = std::chrono::steady_clock;

// Every service's outputs are excluded for all: one service's binary never triggers another.
FilterOptions sharedFilter(const Config& config, const std::filesystem::path& root,
                           const std::vector<std::unique_ptr<ServiceUnit>>& units) {
  FilterOptions options = filterOptions(config, root);
  for (const auto& unit : units) {
    options.exclude_files.insert(options.exclude_files.end(), unit->outputs().begin(),
                                 unit->outputs().end());
  }
  for (const auto& service : config.services) {
    for (const auto& artifact : service.config.build.artifacts) {
      options.exclude_dir.push_back("./" + artifact);
    }
  }
  return options;
}

int phaseRank(LoopPhase phase) {
  switch (phase) {
    case LoopPhase::Building:
      return 5;
    case LoopPhase::Restarting:
      return 4;
    case LoopPhase::Debouncing:
      return 3;
    case LoopPhase::Failed:
      return 2;
    case LoopPhase::Idle:
      return 1;
    case LoopPhase::Running:
      return 0;
  }
  return 0;
}

}  // namespace

int parallelBuilds(const Config& config) {
  if (config.build.parallel > 0) return config.build.parallel;
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

std::shared_ptr<const StatusSnapshot> withServices(
    const StatusSnapshot& own,
    const std::vector<std::pair<std::string, std::shared_ptr<const StatusSnapshot>>>& services) {
  auto merged = std::make_shared<StatusSnapshot>(own);
  merged->services.clear();
  merged->builds.clear();
  merged->builds_total = merged->builds_failed = merged->rollbacks = 0;
  merged->build_configured = false;
  merged->first_build_succeeded = true;
  merged->app = AppStatus{};
  std::string not_ready;
  bool all_running = !services.empty();
  LoopPhase phase = LoopPhase::Running;
  for (const auto& [name, status] : services) {
    merged->services[name] = status;
    merged->builds_total += status->builds_total;
    merged->builds_failed += status->builds_failed;
    merged->rollbacks += status->rollbacks;
    merged->app.restarts += status->app.restarts;
    merged->build_configured = merged->build_configured || status->build_configured;
    if (status->build_configured && !status->first_build_succeeded) {
      merged->first_build_succeeded = false;
    }
    if (!status->readiness.ready) {
      not_ready += (not_ready.empty() ? "" : "; ") + name + ": " + status->readiness.reason;
    }
    if (status->phase != LoopPhase::Running) all_running = false;
    if (phaseRank(status->phase) > phaseRank(phase)) phase = status->phase;
    if (!status->last_error.empty()) merged->last_error = name + ": " + status->last_error;
  }
  merged->phase = all_running ? LoopPhase::Running : phase;
  merged->readiness =
      not_ready.empty()
          ? Readiness{true, "all " + std::to_string(services.size()) + " services are ready"}
          : Readiness{false, not_ready};
  return merged;
}

struct ServiceLoop::Impl {
  Config config;
  LoopRole role;
  std::filesystem::path root;
  ScratchDir scratch_dir{makeScratchDir()};
  Reactor reactor;
  GroupJournal journal{GroupJournal::fileFor(root)};
  SignalSource signals{reactor, loopSignals({SIGINT, SIGTERM, SIGHUP, SIGQUIT})};
  Reaper reaper;
  Observability observe;
  const int parallel;
  int building = 0;  // build slots taken
  std::vector<std::unique_ptr<ServiceUnit>> units;
  PathFilter filter;
  std::unique_ptr<Watcher> watcher;
  WatchStats sampled_stats;  // what the status and the metrics show
  bool shutting_down = false;
  int exit_code = 0;

  Impl(Config c, LoopRole r)
      : config(std::move(c)),
        role(r),
        root(normalizedRoot(config.root)),
        observe(config, role, reactor, root, {}),
        parallel(parallelBuilds(config)),
        filter(root, filterOptions(config, root)) {
    signals.on(SIGCHLD, [this] { reaper.reapAll(); });
    for (int signal : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) {
      signals.on(signal, [this, signal] { shutdown(signal); });
    }
    Reaper::becomeSubreaper();
    reaper.recordGroupsIn(&journal);
    journal.stopStaleGroups();

    observe.board().decorate([this](std::shared_ptr<const StatusSnapshot> own) {
      std::vector<std::pair<std::string, std::shared_ptr<const StatusSnapshot>>> services;
      for (const auto& unit : units) services.emplace_back(unit->name(), unit->status());
      return withServices(*own, services);
    });
    for (const auto& service : config.services) {
      log::ServiceScope scope(service.name);
      const auto scratch = scratch_dir.path / service.name;
      std::filesystem::create_directories(scratch);
      units.push_back(std::make_unique<ServiceUnit>(
          reactor, reaper, service, role, root, scratch, observe,
          ServiceHooks{[this] { return acquireSlot(); }, [this] { releaseSlot(); },
                       [this] { observe.board().refresh(); }, [this] { maybeFinishShutdown(); }}));
      observe.metrics().include(units.back()->metrics());
    }
    filter = PathFilter(root, sharedFilter(config, root, units));
    signals.otherwise([this](int signal) {
      log::warn("stray_signal", signalName(signal) +
                                    " ignored: with services, hotpod signals "
                                    "no app on its behalf");
    });
    observe.board().refresh();
  }

  ~Impl() { observe.stop(); }  // no HTTP thread may read a service's metrics once it is gone

  bool acquireSlot() {
    if (building >= parallel) return false;
    ++building;
    return true;
  }

  void releaseSlot() {
    if (building > 0) --building;
    // Round the services in order; each that waited takes a slot while there is one.
    for (const auto& unit : units) {
      if (building >= parallel) break;
      if (unit->waitingForSlot()) unit->slotFree();
    }
  }

  void startWatching() {
    const auto began = Clock::now();
    watcher = makeWatcher(
        reactor, config.watch, root,
        [this](const std::string& dir) { return filter.shouldDescend(dir); },
        [this](std::vector<FileEvent> events) { onFileEvents(std::move(events)); });
    watcher->observeScans(
        [this](std::chrono::nanoseconds took) { observe.state().pollScan(took); });
    watcher->start();
    // After the watcher: its inotify instance comes first where fs.inotify.max_user_instances
    // is nearly used up (this one falls back to a timer, the watcher could not).
    journal.watchOthers(reactor, std::chrono::seconds(5));  // a hotpod killed beside this one
    sampled_stats = watcher->stats();
    observe.state().watching(root.string(), watcher->backend(), sampled_stats);
    // The watch counters change only in a turn of the loop: compared after each, not on a timer.
    reactor.beforeWaiting([this] {
      if (const WatchStats stats = watcher->stats(); !(stats == sampled_stats)) {
        sampled_stats = stats;
        observe.state().sample(watcher->backend(), stats);
      }
      for (auto& unit : units) unit->afterTurn();
    });
    logWatching(root, *watcher, config.watch,
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - began));
  }

  void onFileEvents(std::vector<FileEvent> events) {
    if (shutting_down) return;
    const auto now = Clock::now();
    bool rules_changed = false;
    for (const auto& event : events) {
      if (PathFilter::isIgnoreFile(event.path)) {
        filter.invalidate(event.path);
        for (auto& unit : units) unit->invalidate(event.path);
        rules_changed = true;
      }
      bool concerned = false;
      for (auto& unit : units) {
        if (!unit->concerns(event.path)) continue;
        concerned = true;
        unit->add(event, now);
      }
      if (concerned) {
        observe.state().fileEvent(event.kind);
      } else {
        log::debug("ignored", "no service's paths include " + event.path, {{"path", event.path}});
      }
    }
    if (rules_changed) reactor.post([this] { watcher->refreshWatches(); });
  }

  void shutdown(int signal) {
    const std::string why = signalName(signal);
    if (shutting_down) {
      if (signal != SIGINT) return;
      log::warn("shutdown", why + " again: killing everything now");
      exit_code = kForcedStopExitCode;
      reactor.stop();
      return;
    }
    shutting_down = true;
    log::info("shutdown",
              why + " received: stopping " + std::to_string(units.size()) + " services");
    for (auto& unit : units) unit->shutdown();
    maybeFinishShutdown();
  }

  void maybeFinishShutdown() {
    if (!shutting_down) return;
    for (const auto& unit : units) {
      if (!unit->stopped()) return;
    }
    observe.stop();
    reactor.stop();
  }

  // The services a control request names (the HTTP server checked the names: none is unknown).
  std::vector<ServiceUnit*> concerned(const ControlRequest& request) {
    std::vector<ServiceUnit*> found;
    if (shutting_down) return found;
    for (auto& unit : units) {
      const auto& names = request.services;
      if (std::find(names.begin(), names.end(), unit->name()) != names.end()) {
        found.push_back(unit.get());
      }
    }
    return found;
  }

  int run() {
    startWatching();
    observe.startHttp(
        [this](const ControlRequest& request) {
          for (auto* unit : concerned(request)) unit->requestedRebuild(request);
        },
        [this](const ControlRequest& request) {
          for (auto* unit : concerned(request)) unit->requestedRestart(request);
        });
    log::info("services",
              std::to_string(units.size()) + " services, up to " + std::to_string(parallel) +
                  " build(s) at once",
              {{"services", static_cast<int64_t>(units.size())},
               {"parallel", static_cast<int64_t>(parallel)}});
    for (auto& unit : units) unit->start();
    reactor.run();
    return exit_code;
  }
};

ServiceLoop::ServiceLoop(Config config, LoopRole role)
    : impl_(std::make_unique<Impl>(std::move(config), role)) {}
ServiceLoop::~ServiceLoop() = default;
int ServiceLoop::run() {
  return impl_->run();
}

}  // namespace hotpod
