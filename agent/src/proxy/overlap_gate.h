#pragma once
// proxy.handover: overlap, the proxy's half, for hotpod run (loop/proxy_link) and hotpod exec
// (exec/exec_proxy) alike. The app's two versions take turns on two private ports; a new version
// (the candidate), once it runs, is probed on its own port (ReadinessProbe: app.health_url's
// path, else a connect). Ready within app.ready_timeout: requests go to it (DevProxy::readyOn)
// and `promote` runs (the restarter stops the old version); else `abandon(why)` runs and the old
// version keeps serving.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/reactor.h"
#include "model/config.h"
#include "proxy/dev_proxy.h"
#include "proxy/readiness_probe.h"

namespace hotpod {

class OverlapGate {
 public:
  struct Hooks {
    std::function<bool()> pending;  // the candidate is still there (not replaced, not gone)
    std::function<void()> promote;
    std::function<void(const std::string& why)> abandon;
  };

  OverlapGate(Reactor& reactor, DevProxy& proxy, const AppConfig& app, Hooks hooks);
  ~OverlapGate();
  OverlapGate(const OverlapGate&) = delete;
  OverlapGate& operator=(const OverlapGate&) = delete;

  // A candidate runs on `port`: probe it; `version` labels it in the proxy (metrics).
  void candidateStarted(int port, std::string version);
  // The candidate is gone before it was ready: the probe ends.
  void candidateGone();

 private:
  void done(int port, bool ready, const std::string& detail);
  void dropProbe();

  Reactor& reactor_;
  DevProxy& proxy_;
  std::string health_path_;  // empty: a connect is enough
  Duration ready_timeout_;
  Hooks hooks_;
  std::unique_ptr<ReadinessProbe> probe_;
  uint64_t probes_ = 0;  // the current probe's number: an older one's answer is ignored
  std::string version_;
};

// The app's private port(s): one, or two different ones for overlap.
std::array<int, 2> pickAppPorts(Handover handover);
// The run config of a version on `port`: "{port}" in its command replaced.
RunConfig runOnPort(RunConfig run, int port);
// "stop-first", "overlap": as in hotpod.yaml.
const char* handoverName(Handover handover);
// The proxy_listening line: where users connect, the app's port(s), the handover.
void logProxyListening(const DevProxy& proxy, std::array<int, 2> ports, Handover handover);

}  // namespace hotpod
