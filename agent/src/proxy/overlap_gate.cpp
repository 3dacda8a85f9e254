#include "proxy/overlap_gate.h"

#include "base/log.h"

namespace hotpod {

OverlapGate::OverlapGate(Reactor& reactor, DevProxy& proxy, const AppConfig& app, Hooks hooks)
    : reactor_(reactor),
      proxy_(proxy),
      health_path_(app.health_url.empty() ? "" : healthPath(app.health_url)),
      ready_timeout_(app.ready_timeout),
      hooks_(std::move(hooks)) {}

OverlapGate::~OverlapGate() = default;

void OverlapGate::candidateStarted(int port, std::string version) {
  dropProbe();
  version_ = std::move(version);
  const uint64_t id = ++probes_;
  probe_ =
      std::make_unique<ReadinessProbe>(reactor_, port, health_path_, ready_timeout_,
                                       [this, port, id](bool ready, const std::string& detail) {
                                         if (id == probes_) done(port, ready, detail);
                                       });
}

void OverlapGate::candidateGone() {
  dropProbe();
}

void OverlapGate::dropProbe() {
  // The probe may be what called us: destroyed after its callback has returned (and a newer
  // candidate's probe is not touched).
  if (!probe_) return;
  reactor_.post(
      [dying = std::shared_ptr<ReadinessProbe>(std::move(probe_))]() mutable { dying.reset(); });
}

void OverlapGate::done(int port, bool ready, const std::string& detail) {
  dropProbe();
  if (!hooks_.pending()) return;
  if (ready) {
    proxy_.readyOn(port, version_);  // new requests go to it from now on
    hooks_.promote();                // and the old one drains and stops
    return;
  }
  hooks_.abandon("not ready within " + formatDuration(ready_timeout_) + " (" + detail + ")");
}

std::array<int, 2> pickAppPorts(Handover handover) {
  std::array<int, 2> ports{pickFreePort(), 0};
  ports[1] = ports[0];
  while (handover == Handover::Overlap && ports[1] == ports[0]) ports[1] = pickFreePort();
  return ports;
}

RunConfig runOnPort(RunConfig run, int port) {
  substitutePort(run.cmd.argv, port);
  return run;
}

const char* handoverName(Handover handover) {
  return handover == Handover::Overlap ? "overlap" : "stop-first";
}

void logProxyListening(const DevProxy& proxy, std::array<int, 2> ports, Handover handover) {
  const std::string listen = formatListenAddress(proxy.address());
  log::info(
      "proxy_listening",
      "proxy: listening on " + listen + "; the app gets PORT=" + std::to_string(ports[0]) +
          (handover == Handover::Overlap
               ? " or " + std::to_string(ports[1]) + " (handover: overlap)"
               : ""),
      {{"listen", listen}, {"app_port", int64_t{ports[0]}}, {"handover", handoverName(handover)}});
}

}  // namespace hotpod
