#include "exec/exec_proxy.h"

#include "base/log.h"

namespace hotpod {

ExecProxy::ExecProxy(Reactor& reactor, const ProxyConfig& config,
                     std::vector<std::string>& command) {
  if (!config.enabled) return;
  proxy_ = std::make_unique<DevProxy>(reactor, config);
  port_ = pickFreePort();
  substitutePort(command, port_);
  const std::string value = std::to_string(port_);
  const std::string listen = formatListenAddress(proxy_->address());
  log::info("proxy_listening", "proxy: listening on " + listen + "; the app gets PORT=" + value,
            {{"listen", listen}, {"app_port", int64_t{port_}}, {"handover", "stop-first"}});
}

ExecProxy::~ExecProxy() = default;

std::map<std::string, std::string> ExecProxy::appEnv() const {
  if (!proxy_) return {};
  return {{"PORT", std::to_string(port_)}, {"HOST", "127.0.0.1"}};
}

void ExecProxy::restarting(const std::string& why, std::function<void()> restart) {
  if (!proxy_) return restart();
  proxy_->holdThen({HoldReason::Kind::Restarting, "the app is restarting: " + why, {}, true},
                   std::move(restart));
}

void ExecProxy::started() {
  if (proxy_) proxy_->serveFrom(port_);
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
