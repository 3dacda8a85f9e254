#pragma once
// hotpod exec --proxy-listen: the dev proxy in the app container (stop-first). The container's
// port is hotpod's; CMD gets a private one in PORT (HOST=127.0.0.1), or as {port} in its
// arguments. Requests are held from a restart signal until the new CMD accepts connections, and
// while a crashed CMD waits for its back-off restart.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/app_restarter.h"
#include "base/reactor.h"
#include "model/config.h"
#include "proxy/dev_proxy.h"

namespace hotpod {

class ExecProxy {
 public:
  // Does nothing unless config.enabled; then listens at once and rewrites {port} in `command`.
  ExecProxy(Reactor& reactor, const ProxyConfig& config, std::vector<std::string>& command);
  ~ExecProxy();

  std::map<std::string, std::string> appEnv() const;
  // Holds requests, lets the answers under way finish, then calls `restart` (at once without a
  // proxy).
  void restarting(const std::string& why, std::function<void()> restart);
  void started();
  void ended(const AppEnd& end);

 private:
  std::unique_ptr<DevProxy> proxy_;
  int port_ = 0;
};

}  // namespace hotpod
