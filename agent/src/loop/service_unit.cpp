#include "loop/service_unit.h"

#include "app/app_supervisor.h"
#include "app/peer_restarter.h"
#include "base/log.h"
#include "base/signals.h"
#include "base/text.h"
#include "loop/app_report.h"
#include "loop/dev_loop.h"
#include "loop/observability.h"
#include "loop/work_plan.h"

namespace hotpod {
namespace {

using Clock = std::chrono::steady_clock;

// The service's build outputs, relative to root: its artefacts (written relative to root) and
// the program its run.cmd starts (relative to the service's dir).
std::vector<std::string> serviceOutputs(const ServiceConfig& service,
                                        const std::filesystem::path& root) {
  std::vector<std::string> outputs = service.config.build.artifacts;
  const Command& run = service.config.run.cmd;
  if (run.empty() || run.through_shell) return outputs;
  const std::filesystem::path program = run.argv.front();
  if (program.native().find('/') == std::string::npos) return outputs;  // found through PATH
  const auto absolute = std::filesystem::weakly_canonical(root / service.dir / program);
  const auto relative = absolute.lexically_relative(std::filesystem::weakly_canonical(root));
  if (!relative.empty() && *relative.begin() != "..") outputs.push_back(relative.generic_string());
  return outputs;
}

// hotpod agent: the proxy in front of an app in another container is its `hotpod exec
// --proxy-listen` (docs/proxy.md); the sidecar has none.
Config withoutProxy(const Config& config) {
  Config copy = config;
  if (copy.proxy.enabled) {
    log::warn("proxy_ignored",
              "proxy: is for hotpod run; in a pod, give the app container's hotpod exec "
              "--proxy-listen instead");
  }
  copy.proxy = ProxyConfig{};
  return copy;
}

FilterOptions serviceFilter(const ServiceConfig& service, const std::filesystem::path& root,
                            const std::vector<std::string>& outputs) {
  FilterOptions options = filterOptions(service.config, root);
  options.exclude_files.insert(options.exclude_files.end(), outputs.begin(), outputs.end());
  return options;
}

}  // namespace

ServiceUnit::ServiceUnit(Reactor& reactor, Reaper& reaper, const ServiceConfig& service,
                         LoopRole role, const std::filesystem::path& root,
                         const std::filesystem::path& scratch, Observability& shared,
                         ServiceHooks hooks)
    : name_(service.name),
      service_(service),
      config_(service_.config),
      role_(role),
      workdir_(service.dir.empty() ? root : root / service.dir),
      outputs_(serviceOutputs(service, root)),
      hooks_(std::move(hooks)),
      filter_(root, serviceFilter(service, root, outputs_)),
      paths_(service.paths),
      rules_(config_.rules),
      // A lone save builds at once, but not where a storm's early build cannot be cancelled.
      debouncer_(config_.watch.delay, config_.watch.max_delay,
                 config_.build.on_busy == OnBusy::Restart
                     ? std::optional(Debouncer::kLoneChangeDelay)
                     : std::nullopt),
      git_(root),
      debounce_timer_(reactor, [this] { onDebounceDue(); }),
      metrics_(HOTPOD_VERSION, name_),
      audit_(shared.audit(), outputs_),
      state_(config_, role, board_, shared.events(), metrics_, shared.webhooks(), audit_),
      proxy_(reactor, role == LoopRole::Run ? config_ : withoutProxy(config_)),
      builder_(reactor, reaper, config_.build, workdir_, scratch,
               [this](const BuildOutcome& outcome) { onBuildDone(outcome); }),
      restarter_(makeRestarter(reactor, reaper)),
      health_(reactor, config_, root, scratch, state_, *restarter_) {
  state_.setService(name_);
  builder_.ownSession(true);  // builds of several services at once: each its own CPU share
  proxy_.onCandidateFailed([this](const std::string& why) { state_.restartFailed("change", why); });
  proxy_.reportTo(metrics_, state_);
  latest_ = std::make_shared<const StatusSnapshot>(state_.status());
  board_.decorate([this](std::shared_ptr<const StatusSnapshot> snapshot) {
    latest_ = snapshot;
    if (hooks_.status_changed) hooks_.status_changed();
    return snapshot;
  });
}

ServiceUnit::~ServiceUnit() = default;

std::unique_ptr<AppRestarter> ServiceUnit::makeRestarter(Reactor& reactor, Reaper& reaper) {
  if (role_ == LoopRole::Run) {
    return proxy_.makeApp(reaper, config_.run, workdir_,
                          AppSupervisorOptions{.observer = appObserver(), .output_line = {}});
  }
  return std::make_unique<PeerRestarter>(
      reactor, config_.target,
      PeerEvents{appObserver(), [this](std::string_view reason, const std::string& why) {
                   state_.restartFailed(reason, why);
                 }});
}

AppObserver ServiceUnit::appObserver() {
  return {[this](pid_t pid) {
            state_.appStarted(pid);
            health_.started(pid);
          },
          [this](const AppEnd& end) {
            health_.gone();
            reportAppGone(state_, end);
            finishIfStopped();
          },
          [this](int error, auto) { reportAppStartFailed(state_, error); }};
}

bool ServiceUnit::concerns(const std::string& rel_path) const {
  return paths_.contains(rel_path) && filter_.isRelevant(rel_path);
}

void ServiceUnit::add(const FileEvent& event, Clock::time_point now) {
  log::ServiceScope scope(name_);
  if (shutting_down_) return;
  if (builder_.busy()) debouncer_.treeBusy(now);  // the event may be the build's own output
  debouncer_.add(event, now, rules_.delayFor(event.path));
  state_.fileEvent(event.kind);
  if (auto deadline = debouncer_.deadline()) {
    debounce_timer_.armAt(*deadline);
    state_.debouncing(true);
  }
}

void ServiceUnit::onDebounceDue() {
  const auto now = Clock::now();
  if (debouncer_.due(now) && git_.busy(now)) debouncer_.postpone(now);
  if (auto changes = debouncer_.takeIfDue(now)) return changed(*changes);
  if (auto deadline = debouncer_.deadline()) debounce_timer_.armAt(*deadline);
}

void ServiceUnit::changed(const ChangeSet& changes) {
  debounce_timer_.disarm();
  state_.debouncing(false);
  if (changes.empty() || shutting_down_) return;
  log::info("changes", std::to_string(changes.size()) + " file(s) changed: " + changes.summary(),
            {{"count", static_cast<int64_t>(changes.size())},
             {"files", joined(changes.paths(), "\n")},
             {"source", "watch"}});
  trigger(changes);
}

void ServiceUnit::trigger(const ChangeSet& changes) {
  if (!builder_.busy() && !waiting_) return startWork(changes);
  // A signal or a notification needs no build: now, and the build goes on.
  if (!rules_.empty()) {
    const RulePlan plan = rules_.plan(changes);
    if (plan.any && plan.runs.empty() &&
        (plan.action == RuleAction::Signal || plan.action == RuleAction::Notify)) {
      return perform(plan, changes, "files changed", std::nullopt);
    }
  }
  pending_.merge(changes);
  if (builder_.busy() && config_.build.on_busy == OnBusy::Restart) {
    builder_.cancel("new changes arrived; starting over (build.on_busy: restart)");
  }
}

void ServiceUnit::startWork(const ChangeSet& changes) {
  const Work work = planWork(rules_, changes, builder_, config_.build.cmd);
  if (!work.plan.any) {
    log::debug("no_rule", "no rule matches the changed files; nothing to do");
    state_.changeHandled(false);
    return;
  }
  if (work.command.empty()) return perform(work.plan, changes, "files changed", std::nullopt);
  in_flight_ = work.plan;
  startBuild(changes, work.command);
}

void ServiceUnit::startBuild(const ChangeSet& changes, const std::string& command,
                             const std::optional<ControlRequest>& request) {
  if (!has_slot_ && !hooks_.acquire_build_slot()) {
    // build.parallel builds run already: this one waits for a slot, its changes kept.
    waiting_ = true;
    pending_.merge(changes);
    if (request) rebuild_request_ = request;
    if (changes.empty()) full_build_waiting_ = true;  // the first build, or a rebuild
    log::info("build_waiting", "waiting for a build slot (build.parallel)");
    return;
  }
  has_slot_ = true;
  waiting_ = false;
  builder_.start(changes, command);
  state_.buildStarted(builder_.lastNumber(), changes, request);
  proxy_.buildStarted(builder_.lastNumber());
  health_.buildRunning(true);
}

void ServiceUnit::slotFree() {
  log::ServiceScope scope(name_);
  if (!waiting_ || shutting_down_) return;
  waiting_ = false;
  startNext();
}

// What waited: a rebuild request (everything), else the pending changes.
void ServiceUnit::startNext() {
  auto request = std::exchange(rebuild_request_, std::nullopt);
  if (std::exchange(full_build_waiting_, false) || request) {
    in_flight_ = RulePlan{true, RuleAction::Build, {}, {}};
    ChangeSet changes = std::exchange(pending_, ChangeSet{});
    return startBuild(changes, {}, request);
  }
  if (pending_.empty()) return;
  ChangeSet next = std::exchange(pending_, ChangeSet{});
  startWork(next);
}

void ServiceUnit::restartApp(std::string_view reason, const std::string& why,
                             const AuditCause& cause) {
  if (!restarter_->configured()) return;
  state_.restartRequested(reason, cause);
  proxy_.restarting(why, restarter_->running(), [this, why] { restarter_->restart(why); });
}

void ServiceUnit::perform(const RulePlan& plan, const ChangeSet& changes, const std::string& why,
                          std::optional<uint64_t> built) {
  const AuditCause cause = built ? AuditCause::afterBuild(*built) : AuditCause::changed(changes);
  AppRestarter& app = *restarter_;
  switch (plan.action) {
    case RuleAction::Build:
    case RuleAction::Restart:
      restartApp(app.pid() > 0 ? "change" : "start", why, cause);
      break;
    case RuleAction::Signal:
      for (int signal : plan.signals) {
        const bool sent = app.signal(signal);
        state_.signalled(signal, app.pid(), sent, cause);
        if (sent) {
          log::info("app_signalled", "sent " + signalName(signal) + " to the app: " + why,
                    {{"signal", signalName(signal)}, {"pid", int64_t{app.pid()}}});
        }
      }
      break;
    case RuleAction::Run:
      break;
    case RuleAction::Notify:
      state_.notified(changes);
      return;
  }
  state_.changeHandled(plan.action >= RuleAction::Restart && app.configured());
}

void ServiceUnit::onBuildDone(const BuildOutcome& outcome) {
  has_slot_ = false;
  health_.buildRunning(false);
  state_.buildFinished(outcome);
  logBuildFinished(outcome, restarter_->running());
  proxy_.buildFinished(outcome, restarter_->running());
  if (outcome.result == BuildResult::Succeeded && !shutting_down_) {
    perform(in_flight_, outcome.changes, "build #" + std::to_string(outcome.number) + " succeeded",
            outcome.number);
  } else if (outcome.result == BuildResult::Cancelled) {
    pending_.merge(outcome.changes);
  }
  // The slot goes back first: another service that waited longer may get it before us.
  hooks_.release_build_slot();
  if (shutting_down_) return finishIfStopped();
  startNext();
}

void ServiceUnit::start() {
  log::ServiceScope scope(name_);
  if (builder_.configured()) {
    in_flight_ = RulePlan{true, RuleAction::Build, {}, {}};
    startBuild(ChangeSet{}, {});
  } else if (role_ == LoopRole::Run && restarter_->configured()) {
    restartApp("start", "start", AuditCause::of("start"));
  }
}

void ServiceUnit::requestedRebuild(const ControlRequest& request) {
  log::ServiceScope scope(name_);
  if (shutting_down_) return;
  if (!builder_.configured()) {
    return restartApp("request", "restart requested over HTTP", AuditCause::requested(request));
  }
  rebuild_request_ = request;
  if (builder_.busy()) return builder_.cancel("a rebuild was requested over HTTP");
  if (!waiting_) startNext();
}

void ServiceUnit::requestedRestart(const ControlRequest& request) {
  log::ServiceScope scope(name_);
  if (shutting_down_) return;
  restartApp("request", "restart requested over HTTP", AuditCause::requested(request));
}

void ServiceUnit::shutdown() {
  log::ServiceScope scope(name_);
  if (shutting_down_) return;
  shutting_down_ = true;
  debounce_timer_.disarm();
  waiting_ = false;
  builder_.cancel("hotpod is stopping");
  proxy_.stopping();
  restarter_->stop([this] {
    app_stopped_ = true;
    finishIfStopped();
  });
}

bool ServiceUnit::stopped() const {
  return shutting_down_ && app_stopped_ && !builder_.busy() && !restarter_->running() &&
         restarter_->pid() <= 0;
}

void ServiceUnit::finishIfStopped() {
  if (!stopped() || reported_stopped_) return;
  reported_stopped_ = true;
  if (hooks_.stopped) hooks_.stopped();
}

}  // namespace hotpod
