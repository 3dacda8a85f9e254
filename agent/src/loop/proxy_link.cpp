#include "loop/proxy_link.h"

#include "base/log.h"
#include "base/text.h"

namespace hotpod {
namespace {

std::string joinedTail(const std::deque<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

}  // namespace

ProxyLink::ProxyLink(Reactor& reactor, const Config& config)
    : reactor_(reactor),
      config_(config.proxy),
      app_config_(config.app),
      report_timer_(reactor, [this] { publishStatus(); }) {
  if (!config_.enabled) return;
  proxy_ = std::make_unique<DevProxy>(reactor, config_);
  ports_ = pickAppPorts(config_.handover);
  listen_ = formatListenAddress(proxy_->address());
  logProxyListening(*proxy_, ports_, config_.handover);
}

ProxyLink::~ProxyLink() = default;

std::unique_ptr<AppRestarter> ProxyLink::makeApp(Reaper& reaper, RunConfig run,
                                                 const std::filesystem::path& root,
                                                 AppSupervisorOptions options) {
  if (!proxy_) {
    return std::make_unique<AppSupervisor>(reactor_, reaper, std::move(run), root,
                                           std::move(options));
  }
  options.observer = wrap(std::move(options.observer));
  if (config_.handover == Handover::StopFirst) {
    substitutePort(run.cmd.argv, ports_[0]);
    options.listenOn(ports_[0]);
    return std::make_unique<AppSupervisor>(reactor_, reaper, std::move(run), root,
                                           std::move(options));
  }
  auto overlap = std::make_unique<OverlapRestarter>(
      reactor_, reaper, [run](int port) { return runOnPort(run, port); }, root, std::move(options),
      ports_,
      OverlapEvents{[this](pid_t pid, int port) { candidateStarted(pid, port); },
                    [this](const std::string& why) {
                      gate_->candidateGone();
                      candidate_.reset();
                      publishStatus();
                      if (candidate_failed_) candidate_failed_(why);
                    }});
  overlap_ = overlap.get();
  gate_ = std::make_unique<OverlapGate>(
      reactor_, *proxy_, app_config_,
      OverlapGate::Hooks{[this] { return overlap_->hasCandidate(); },
                         [this] {
                           overlap_->promote();
                           publishStatus();
                         },
                         [this](const std::string& why) { overlap_->abandon(why); }});
  return overlap;
}

AppObserver ProxyLink::wrap(AppObserver observer) {
  auto started = std::move(observer.started);
  auto ended = std::move(observer.ended);
  observer.started = [this, started](pid_t pid) {
    proxy_->serveStarted(overlap_ ? overlap_->activePort() : ports_[0], version());
    candidate_.reset();
    publishStatus();
    if (started) started(pid);
  };
  observer.ended = [this, ended](const AppEnd& end) {
    if (end.on_its_own) {
      const std::string what = end.exit_known ? end.exit.describe() : "ended";
      proxy_->hold({HoldReason::Kind::Crashed,
                    "the app " + what +
                        (end.restart_in
                             ? "; it restarts in " + std::to_string(end.restart_in->count()) + " ms"
                             : "; it starts again on the next change"),
                    {},
                    end.restart_in.has_value()});
    }
    if (ended) ended(end);
  };
  return observer;
}

void ProxyLink::candidateStarted(pid_t pid, int port) {
  candidate_ = ProxyStatus::Candidate{pid, port, {}, unixNow()};
  publishStatus();
  gate_->candidateStarted(port, version());
}

std::string ProxyLink::version() const {
  const std::optional<uint64_t> build = state_ ? state_->nextBuild() : std::nullopt;
  return build ? std::to_string(*build) : std::string(kUnbuilt);
}

void ProxyLink::reportTo(Metrics& metrics, LoopState& state) {
  if (!proxy_) return;
  state_ = &state;
  metrics_ = std::make_unique<ProxyMetrics>(metrics.registry(), metrics.labels());
  ProxyMetrics& counts = *metrics_;
  proxy_->setObserver({[this, &counts](std::chrono::nanoseconds waited, std::string_view version) {
                         ++held_total_;
                         counts.held(std::chrono::duration<double>(waited).count(), version);
                       },
                       [this, &counts](std::string_view version) {
                         ++proxied_total_;
                         counts.proxied(version);
                       },
                       [this, &counts](std::string_view why, std::string_view version) {
                         ++failed_total_;
                         counts.failed(why, version);
                       },
                       [this](int) { publishStatus(); }});
  publishStatus();
}

ProxyStatus ProxyLink::sample() const {
  ProxyStatus status;
  if (!proxy_) return status;
  status.configured = true;
  status.listen = listen_;
  status.handover = handoverName(config_.handover);
  status.ready = proxy_->ready();
  status.upstream_port = proxy_->upstreamPort();
  if (!status.ready) {
    status.hold_kind = toString(proxy_->holdReason().kind);
    status.hold_reason = proxy_->holdReason().message;
  }
  status.held_now = proxy_->heldCount();
  status.held_total = held_total_;
  status.failed_total = failed_total_;
  status.proxied_total = proxied_total_;
  status.candidate = candidate_;
  return status;
}

void ProxyLink::publishStatus() {
  if (!proxy_ || !state_) return;
  report_timer_.disarm();
  reported_ = sample();
  reported_at_ = std::chrono::steady_clock::now();
  state_->proxy(reported_);
}

void ProxyLink::afterTurn() {
  if (!proxy_ || !state_ || report_timer_.armed()) return;
  if (sample() == reported_) return;
  // Under load the counts change every turn: the status follows them a few times a second.
  const auto due = reported_at_ + kStatusInterval;
  if (std::chrono::steady_clock::now() >= due) return publishStatus();
  report_timer_.armAt(due);
}

void ProxyLink::buildStarted(uint64_t number) {
  if (!proxy_ || proxy_->ready()) return;
  proxy_->explain(
      {HoldReason::Kind::Building, "build #" + std::to_string(number) + " is running", {}, true});
}

void ProxyLink::buildFinished(const BuildOutcome& outcome, bool app_running) {
  if (!proxy_ || outcome.result == BuildResult::Succeeded) return;
  if (outcome.result == BuildResult::Cancelled) return;  // another build follows
  if (config_.inject) {
    proxy_->announceFailure(
        "build #" + std::to_string(outcome.number) + " failed (" + outcome.exit.describe() + ")",
        joinedTail(outcome.tail));
  }
  if (proxy_->ready()) return;
  proxy_->explain(
      {HoldReason::Kind::BuildFailed,
       "build #" + std::to_string(outcome.number) + " failed (" + outcome.exit.describe() + ")",
       joinedTail(outcome.tail), app_running});
}

void ProxyLink::restarting(std::string_view why, bool app_running, std::function<void()> restart) {
  // Overlap: the running version serves until it is replaced.
  if (!proxy_ || (config_.handover == Handover::Overlap && app_running)) return restart();
  proxy_->holdThen(
      {HoldReason::Kind::Restarting, "the app is restarting: " + std::string(why), {}, true},
      std::move(restart));
}

void ProxyLink::stopping() {
  if (!proxy_) return;
  proxy_->hold({HoldReason::Kind::Stopping, "hotpod is stopping", {}, false});
}

}  // namespace hotpod
