#include "loop/dev_loop.h"

#include <signal.h>

#include <chrono>

#include "app/app_supervisor.h"
#include "app/peer_restarter.h"
#include "base/duration.h"
#include "base/log.h"
#include "base/reactor.h"
#include "base/signal_source.h"
#include "base/signals.h"
#include "base/syscalls.h"
#include "base/text.h"
#include "base/timer.h"
#include "debounce/debouncer.h"
#include "loop/app_health.h"
#include "loop/app_report.h"
#include "loop/git_activity.h"
#include "loop/observability.h"
#include "loop/port_clash.h"
#include "loop/proxy_link.h"
#include "loop/reload_loop.h"
#include "loop/root_guard.h"
#include "loop/stray_signals.h"
#include "loop/sync_gate.h"
#include "loop/watch_report.h"
#include "loop/work_plan.h"
#include "plan/rule_matcher.h"
#include "proc/group_journal.h"
#include "proc/reaper.h"
#include "watch/backend_selection.h"

namespace hotpod {
namespace {
// A second Ctrl-C stops without waiting for the app: like a shell's interrupted command, 128 +
// SIGINT.
constexpr int kForcedStopExitCode = 128 + SIGINT;
using Clock = std::chrono::steady_clock;
}  // namespace

struct DevLoop::Impl {
  Config config;
  LoopRole role;
  std::filesystem::path root;
  ScratchDir scratch_dir{makeScratchDir()};  // removed also when a later member fails to start
  const std::filesystem::path& scratch = scratch_dir.path;
  Reactor reactor;                   // before the journal, whose fds and timers it runs
  ProxyLink proxy{reactor, config};  // before the app: it picks the app's private port
  GroupJournal journal{GroupJournal::fileFor(root)};
  SignalSource signals{reactor, loopSignals({SIGINT, SIGTERM, SIGHUP, SIGQUIT})};
  Reaper reaper;
  PathFilter filter;
  Debouncer debouncer;
  Timer debounce_timer{reactor, [this] { onDebounceDue(); }};
  SyncGate sync{
      reactor,
      root,
      filter,
      debouncer,
      config.watch,
      {[this](const ChangeSet& c) { changed(c, "sync"); }, [this] { onDebounceDue(); },
       [this](const auto& paths, bool complete) { state.syncFinished(paths, complete); }}};
  Builder builder;
  std::unique_ptr<AppRestarter> restarter;
  AppRestarter& app;
  Observability observe;
  LoopState& state = observe.state();
  AppHealth health;
  std::optional<ControlRequest> rebuild_requested;  // POST /v1/rebuild while a build ran
  std::unique_ptr<Watcher> watcher;
  WatchStats sampled_stats;  // what the status and the metrics show
  ChangeSet pending;         // changes that arrived while a build ran
  RuleMatcher rules{config.rules};
  RootGuard root_guard{root};
  GitActivity git{root};
  PortClashHint port_clash{[this] { return observe.httpPort(); }};
  ReloadLoopDetector reload_loop{config.watch.delay + std::chrono::seconds(1)};
  RulePlan in_flight{true, RuleAction::Build, {}, {}};  // what follows the running builder job
  bool shutting_down = false;
  int exit_code = 0;

  Impl(Config c, LoopRole r)
      : config(std::move(c)),
        role(r),
        root(normalizedRoot(config.root)),
        filter(root, filterOptions(config, root)),
        // A lone save builds at once, but not where a storm's early build cannot be cancelled.
        debouncer(config.watch.delay, config.watch.max_delay,
                  config.build.on_busy == OnBusy::Restart
                      ? std::optional(Debouncer::kLoneChangeDelay)
                      : std::nullopt),
        builder(reactor, reaper, config.build, root, scratch,
                [this](const BuildOutcome& outcome) { onBuildDone(outcome); }),
        restarter(makeRestarter()),
        app(*restarter),
        observe(config, role, reactor, root, buildOutputsInside(config, root)),
        health(reactor, config, root, scratch, state, app) {
    signals.on(SIGCHLD, [this] { reaper.reapAll(); });
    proxy.onCandidateFailed([this](const std::string& why) { state.restartFailed("change", why); });
    proxy.reportTo(observe.metrics(), state);
    // A closed terminal (SIGHUP) or Ctrl-\ must not leave the app running with its port.
    for (int signal : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) {
      signals.on(signal, [this, signal] { shutdown(signal); });
    }
    signals.otherwise([this](int signal) { handleStraySignal(app, role, signal); });
    Reaper::becomeSubreaper();
    // Before anything starts: what a SIGKILLed hotpod left running for this root must go.
    reaper.recordGroupsIn(&journal);
    journal.stopStaleGroups();
  }

  std::unique_ptr<AppRestarter> makeRestarter() {
    if (role == LoopRole::Run) {
      return proxy.makeApp(
          reaper, config.run, root,
          AppSupervisorOptions{.observer = appObserver(),
                               .output_line = [this](auto line) { port_clash.appLine(line); }});
    }
    return std::make_unique<PeerRestarter>(
        reactor, config.target,
        PeerEvents{appObserver(), [this](std::string_view reason, const std::string& why) {
                     state.restartFailed(reason, why);
                   }});
  }

  // The app's life, as the status, the metrics and the health probe need it.
  AppObserver appObserver() {
    return {[this](pid_t pid) {
              reload_loop.appStarted(Clock::now());
              state.appStarted(pid);
              health.started(pid);
            },
            [this](const AppEnd& end) {
              health.gone();
              reportAppGone(state, end);
            },
            [this](int error, auto) { reportAppStartFailed(state, error); }};
  }

  void startWatching() {
    const auto began = Clock::now();
    watcher = makeWatcher(
        reactor, config.watch, root,
        [this](const std::string& dir) { return filter.shouldDescend(dir); },
        [this](std::vector<FileEvent> events) { onFileEvents(std::move(events)); });
    watcher->observeScans([this](std::chrono::nanoseconds took) { state.pollScan(took); });
    watcher->start();
    // After the watcher: its inotify instance comes first where fs.inotify.max_user_instances
    // is nearly used up (this one falls back to a timer, the watcher could not).
    journal.watchOthers(reactor, std::chrono::seconds(5));  // a hotpod killed beside this one
    sampled_stats = watcher->stats();
    state.watching(root.string(), watcher->backend(), sampled_stats);
    // The watch counters change only in a turn of the loop: compared after each, not on a timer.
    reactor.beforeWaiting([this] {
      if (const WatchStats stats = watcher->stats(); !(stats == sampled_stats)) {
        sampled_stats = stats;
        state.sample(watcher->backend(), stats);
      }
      proxy.afterTurn();
    });
    logWatching(root, *watcher, config.watch,
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - began));
  }

  void onFileEvents(std::vector<FileEvent> events) {
    if (shutting_down) return;
    const auto now = Clock::now();
    bool rules_changed = false;
    if (builder.busy()) debouncer.treeBusy(now);  // the events may be the build's own output
    for (const auto& event : events) {
      if (PathFilter::isIgnoreFile(event.path)) {
        filter.invalidate(event.path);
        rules_changed = true;
      }
      if (sync.swallows(event, now)) continue;  // hotpod tar reported it: built already
      if (!filter.isRelevant(event.path)) {
        log::debug("ignored", "ignored " + event.path, {{"path", event.path}});
        continue;
      }
      log::debug("change", std::string(toString(event.kind)) + " " + event.path,
                 {{"path", event.path}, {"kind", toString(event.kind)}});
      debouncer.add(event, now, rules.delayFor(event.path));
      state.fileEvent(event.kind);
    }
    // New ignore rules may open or close directories: let the watcher re-walk the tree.
    if (rules_changed) reactor.post([this] { watcher->refreshWatches(); });
    if (auto deadline = debouncer.deadline()) {
      debounce_timer.armAt(*deadline);
      state.debouncing(true);
    }
  }

  void onDebounceDue() {
    if (sync.holding()) return;  // hotpod tar is mid-sync: its end builds (and re-arms this)
    const auto now = Clock::now();
    if (debouncer.due(now) && git.busy(now)) debouncer.postpone(now);
    if (auto changes = debouncer.takeIfDue(now)) return changed(*changes, "watch");
    if (auto deadline = debouncer.deadline()) debounce_timer.armAt(*deadline);
  }

  void changed(ChangeSet changes, const char* source) {
    debounce_timer.disarm();
    state.debouncing(false);
    if (changes.empty() || shutting_down) return;  // e.g. a temp file created and removed
    if (root_guard.hold(changes)) return sync.rootGone();
    root_guard.release(changes);
    sync.rootBack();
    reload_loop.changed(changes.paths(), Clock::now());
    const std::string all_paths = joined(changes.paths(), "\n");  // for JSON consumers
    log::info("changes", std::to_string(changes.size()) + " file(s) changed: " + changes.summary(),
              {{"count", static_cast<int64_t>(changes.size())},
               {"files", all_paths},
               {"source", source}});
    trigger(changes);
  }

  void trigger(const ChangeSet& changes) {
    if (!builder.busy()) {
      startWork(changes);
      return;
    }
    // A change that only asks for a signal or a notification needs no build: act on it now and
    // let the running build go on (merged, it would cancel the build under on_busy: restart).
    if (!rules.empty()) {
      const RulePlan plan = rules.plan(changes);
      if (plan.any && plan.runs.empty() &&
          (plan.action == RuleAction::Signal || plan.action == RuleAction::Notify)) {
        perform(plan, changes, "files changed", std::nullopt);
        return;
      }
    }
    pending.merge(changes);
    if (config.build.on_busy == OnBusy::Restart) {
      builder.cancel("new changes arrived; starting over (build.on_busy: restart)");
    }
  }

  // A ChangeSet's work (loop/work_plan.h): one builder job, then the strongest action.
  void startWork(const ChangeSet& changes) {
    const Work work = planWork(rules, changes, builder, config.build.cmd);
    if (!work.plan.any) {
      log::debug("no_rule", "no rule matches the changed files; nothing to do");
      state.changeHandled(false);
      return;
    }
    if (work.command.empty()) return perform(work.plan, changes, "files changed", std::nullopt);
    in_flight = work.plan;
    startBuild(changes, work.command);
  }

  void startBuild(const ChangeSet& changes, const std::string& command = {},
                  const std::optional<ControlRequest>& request = {}) {
    builder.start(changes, command);  // first: the bookkeeping below need not delay the build
    state.buildStarted(builder.lastNumber(), changes, request);
    proxy.buildStarted(builder.lastNumber());
    health.buildRunning(true);
  }

  void restartApp(std::string_view reason, const std::string& why, const AuditCause& cause) {
    if (!app.configured()) return;
    state.restartRequested(reason, cause);
    proxy.restarting(why, app.running(), [this, why] { app.restart(why); });
  }

  // `built`: the build whose success this follows (else the changes themselves set it off).
  void perform(const RulePlan& plan, const ChangeSet& changes, const std::string& why,
               std::optional<uint64_t> built) {
    const AuditCause cause = built ? AuditCause::afterBuild(*built) : AuditCause::changed(changes);
    switch (plan.action) {
      case RuleAction::Build:
      case RuleAction::Restart:
        restartApp(app.pid() > 0 ? "change" : "start", why, cause);
        break;
      case RuleAction::Signal:
        for (int signal : plan.signals) {
          const bool sent = app.signal(signal);
          state.signalled(signal, app.pid(), sent, cause);
          if (sent) {
            log::info("app_signalled",
                      "sent " + signalName(signal) + " to the app (pid " +
                          std::to_string(app.pid()) + "): " + why,
                      {{"signal", signalName(signal)}, {"pid", int64_t{app.pid()}}});
          } else {
            log::warn("app_signal_failed", "no running app to send " + signalName(signal) +
                                               " to; it gets the change "
                                               "when it starts");
          }
        }
        break;
      case RuleAction::Run:
        break;
      case RuleAction::Notify:
        log::info("notify", std::to_string(changes.size()) + " file(s) changed; notifying only",
                  {{"count", static_cast<int64_t>(changes.size())}});
        state.notified(changes);
        return;
    }
    state.changeHandled(plan.action >= RuleAction::Restart && app.configured());
  }

  void onBuildDone(const BuildOutcome& outcome) {
    health.buildRunning(false);
    state.buildFinished(outcome);
    logBuildFinished(outcome, app.running());
    proxy.buildFinished(outcome, app.running());
    if (outcome.result == BuildResult::Succeeded && !shutting_down) {
      perform(in_flight, outcome.changes, "build #" + std::to_string(outcome.number) + " succeeded",
              outcome.number);
    } else if (outcome.result == BuildResult::Cancelled) {
      pending.merge(outcome.changes);  // its changes still need a build
    }
    if (shutting_down) {
      maybeFinishShutdown();
      return;
    }
    if (!pending.empty()) {
      ChangeSet next = std::move(pending);
      pending.clear();
      startWork(next);
    } else if (auto request = std::exchange(rebuild_requested, std::nullopt)) {
      startBuild(ChangeSet{}, {}, request);
    }
  }

  // POST /v1/rebuild: build everything now (or again, once the running build is cancelled).
  void requestedRebuild(const ControlRequest& request) {
    if (shutting_down) return;
    if (!builder.configured()) {
      return restartApp("request", "restart requested over HTTP", AuditCause::requested(request));
    }
    in_flight = RulePlan{true, RuleAction::Build, {}, {}};
    if (!builder.busy()) return startBuild(ChangeSet{}, {}, request);
    rebuild_requested = request;
    builder.cancel("a rebuild was requested over HTTP");
  }

  void shutdown(int signal) {
    const std::string why = signalName(signal);
    if (shutting_down) {
      // A second Ctrl-C means "now"; a repeated SIGTERM (runtimes resend it) changes nothing.
      if (signal != SIGINT) return;
      log::warn("shutdown", why + " again: killing everything now");
      exit_code = kForcedStopExitCode;
      reactor.stop();  // the process groups are SIGKILLed as they are destroyed
      return;
    }
    shutting_down = true;
    log::info("shutdown", why + " received: stopping");
    // The app first (bounded by stop_timeout), the HTTP server last: /healthz answers until
    // then, and joining its threads cannot delay the app's stop signal. Control requests that
    // arrive meanwhile are ignored (shutting_down).
    debounce_timer.disarm();
    builder.cancel("hotpod is stopping");
    proxy.stopping();
    app.stop([this] { maybeFinishShutdown(); });
  }

  void maybeFinishShutdown() {
    if (builder.busy() || app.running() || app.pid() > 0) return;
    observe.stop();
    reactor.stop();
  }

  int run() {
    startWatching();
    observe.startHttp([this](const ControlRequest& request) { requestedRebuild(request); },
                      [this](const ControlRequest& request) {
                        if (shutting_down) return;
                        restartApp("request", "restart requested over HTTP",
                                   AuditCause::requested(request));
                      });
    if (builder.configured()) {
      startBuild(ChangeSet{});
    } else if (role == LoopRole::Agent) {
      // The peer app already runs in its container: a change restarts it.
    } else if (app.configured()) {
      restartApp("start", "start", AuditCause::of("start"));
    } else {
      log::warn("nothing_to_do", "no build.cmd and no run.cmd: hotpod only reports changes");
    }
    reactor.run();
    return exit_code;
  }
};

DevLoop::DevLoop(Config config, LoopRole role)
    : impl_(std::make_unique<Impl>(std::move(config), role)) {}
DevLoop::~DevLoop() = default;
int DevLoop::run() {
  return impl_->run();
}

}  // namespace hotpod
