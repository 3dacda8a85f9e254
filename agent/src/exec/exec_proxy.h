#pragma once
// hotpod exec --proxy-listen: the dev proxy in the app container. The container's port is
// hotpod's; CMD gets a private one in PORT (HOST=127.0.0.1), or as {port} in its arguments.
// stop-first: requests are held from a restart signal until the new CMD accepts connections.
// overlap: the new CMD starts on a second private port while the old one serves; requests
// switch once it is ready (proxy/overlap_gate.h), then the old one is stopped. Either way
// requests are held while a crashed CMD waits for its back-off restart.
#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/app_supervisor.h"
#include "app/overlap_restarter.h"
#include "base/reactor.h"
#include "model/config.h"
#include "proxy/dev_proxy.h"
#include "proxy/overlap_gate.h"

namespace hotpod {

class ExecProxy {
 public:
  // Does nothing unless config.enabled; then listens at once and, for stop-first, rewrites
  // {port} in `command` (overlap rewrites it for each version). `app` gives the overlap
  // readiness: its health URL's path and its ready timeout.
  ExecProxy(Reactor& reactor, const ProxyConfig& config, const AppConfig& app,
            std::vector<std::string>& command);
  ~ExecProxy();

  // "stop-first" or "overlap"; empty without a proxy.
  std::string handover() const;
  // What runs CMD: an AppSupervisor (the private port in PORT/HOST), or for overlap an
  // OverlapRestarter. `candidate` hears of a new version being started (its pid) and of its
  // end before it was promoted (nullopt).
  std::unique_ptr<AppRestarter> makeApp(Reaper& reaper, RunConfig run, AppSupervisorOptions options,
                                        std::function<void(std::optional<pid_t>)> candidate);
  // stop-first (or no version running): holds requests, lets the answers under way finish,
  // then calls `restart`; overlap with a version running, and without a proxy: at once.
  void restarting(const std::string& why, bool app_running, std::function<void()> restart);
  void started();
  void ended(const AppEnd& end);

 private:
  Reactor& reactor_;
  const ProxyConfig config_;
  const AppConfig app_;
  std::unique_ptr<DevProxy> proxy_;
  std::array<int, 2> ports_{0, 0};
  OverlapRestarter* overlap_ = nullptr;  // owned by the supervisor, when handover is overlap
  std::unique_ptr<OverlapGate> gate_;
};

}  // namespace hotpod
