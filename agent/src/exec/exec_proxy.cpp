#include "exec/exec_proxy.h"

namespace hotpod {

ExecProxy::ExecProxy(Reactor& reactor, const ProxyConfig& config, const AppConfig& app,
                     std::vector<std::string>& command)
    : reactor_(reactor), config_(config), app_(app) {
  if (!config_.enabled) return;
  proxy_ = std::make_unique<DevProxy>(reactor, config_);
  ports_ = pickAppPorts(config_.handover);
  if (config_.handover == Handover::StopFirst) substitutePort(command, ports_[0]);
  logProxyListening(*proxy_, ports_, config_.handover);
}

ExecProxy::~ExecProxy() = default;

std::string ExecProxy::handover() const {
  if (!proxy_) return {};
  return handoverName(config_.handover);
}

std::unique_ptr<AppRestarter> ExecProxy::makeApp(
    Reaper& reaper, RunConfig run, AppSupervisorOptions options,
    std::function<void(std::optional<pid_t>)> candidate) {
  if (!proxy_ || config_.handover == Handover::StopFirst) {
    if (proxy_) options.listenOn(ports_[0]);
    return std::make_unique<AppSupervisor>(reactor_, reaper, std::move(run), "",
                                           std::move(options));
  }
  auto overlap = std::make_unique<OverlapRestarter>(
      reactor_, reaper, [run](int port) { return runOnPort(run, port); }, "", std::move(options),
      ports_,
      OverlapEvents{[this, candidate](pid_t pid, int port) {
                      candidate(pid);
                      gate_->candidateStarted(port, {});
                    },
                    [this, candidate](const std::string&) {
                      gate_->candidateGone();
                      candidate(std::nullopt);
                    }});
  overlap_ = overlap.get();
  gate_ = std::make_unique<OverlapGate>(
      reactor_, *proxy_, app_,
      OverlapGate::Hooks{[this] { return overlap_->hasCandidate(); },
                         [this] { overlap_->promote(); },
                         [this](const std::string& why) { overlap_->abandon(why); }});
  return overlap;
}

void ExecProxy::restarting(const std::string& why, bool app_running,
                           std::function<void()> restart) {
  // Overlap: the running version serves until the new one is ready.
  if (!proxy_ || (config_.handover == Handover::Overlap && app_running)) return restart();
  proxy_->holdThen({HoldReason::Kind::Restarting, "the app is restarting: " + why, {}, true},
                   std::move(restart));
}

void ExecProxy::started() {
  if (!proxy_) return;
  proxy_->serveStarted(overlap_ ? overlap_->activePort() : ports_[0]);
}

void ExecProxy::ended(const AppEnd& end) {
  if (!proxy_ || !end.on_its_own) return;
  proxy_->hold(
      {HoldReason::Kind::Crashed,
       "the app " + end.exit.describe() +
           (end.restart_in ? "; it restarts in " + std::to_string(end.restart_in->count()) + " ms"
                           : ""),
       {},
       end.restart_in.has_value()});
}

}  // namespace hotpod
