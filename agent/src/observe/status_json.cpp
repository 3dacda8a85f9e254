#include "observe/status_json.h"

#include "base/json_text.h"

#include <nlohmann/json.hpp>

namespace hotpod {

std::string_view toString(LoopPhase phase) {
  switch (phase) {
    case LoopPhase::Idle:
      return "idle";
    case LoopPhase::Debouncing:
      return "debouncing";
    case LoopPhase::Building:
      return "building";
    case LoopPhase::Restarting:
      return "restarting";
    case LoopPhase::Running:
      return "running";
    case LoopPhase::Failed:
      return "failed";
  }
  return "idle";
}

std::string_view toString(ProbeState state) {
  switch (state) {
    case ProbeState::Off:
      return "off";
    case ProbeState::Pending:
      return "pending";
    case ProbeState::Passed:
      return "passed";
    case ProbeState::Failed:
      return "failed";
  }
  return "off";
}

nlohmann::json buildJson(const BuildRecord& build) {
  nlohmann::json json = {{"number", build.number},
                         {"started_at", build.started_at},
                         {"duration_seconds", build.duration_seconds},
                         {"result", build.result ? toString(*build.result) : "running"},
                         {"exit", build.exit},
                         {"changed_files", build.changed_files},
                         {"changed_count", build.changed_count},
                         {"output_tail", build.output_tail}};
  if (!build.note.empty()) json["note"] = build.note;
  return json;
}

namespace {

nlohmann::json optionalNumber(const std::optional<uint64_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json proxyJson(const ProxyStatus& proxy, double now_unix) {
  nlohmann::json candidate = nullptr;
  if (proxy.candidate) {
    candidate = {{"pid", proxy.candidate->pid},
                 {"port", proxy.candidate->port},
                 {"build", optionalNumber(proxy.candidate->build)},
                 {"started_at", proxy.candidate->started_at},
                 {"age_seconds", now_unix - proxy.candidate->started_at}};
  }
  return {{"listen", proxy.listen},
          {"handover", proxy.handover},
          {"ready", proxy.ready},
          {"upstream", proxy.upstream_port == 0
                           ? nlohmann::json(nullptr)
                           : nlohmann::json{{"port", proxy.upstream_port},
                                            {"build", optionalNumber(proxy.upstream_build)}}},
          {"holding",
           proxy.ready ? nlohmann::json(nullptr)
                       : nlohmann::json{{"kind", proxy.hold_kind}, {"reason", proxy.hold_reason}}},
          {"requests",
           {{"held_now", proxy.held_now},
            {"held_total", proxy.held_total},
            {"failed_total", proxy.failed_total},
            {"proxied_total", proxy.proxied_total}}},
          {"candidate", candidate}};
}

namespace {

nlohmann::json statusObject(const StatusSnapshot& status, double now_unix) {
  const auto& app = status.app;
  nlohmann::json builds = nlohmann::json::array();
  for (const auto& build : status.builds) builds.push_back(buildJson(build));
  nlohmann::json json = {
      {"version", status.version},
      {"mode", toString(status.role)},
      {"state", toString(status.phase)},
      {"started_at", status.started_at},
      {"uptime_seconds", now_unix - status.started_at},
      {"ready", {{"ready", status.readiness.ready}, {"reason", status.readiness.reason}}},
      {"watch",
       {{"root", status.watch.root},
        {"backend", status.watch.backend},
        {"directories", status.watch.directories},
        {"files", status.watch.files},
        {"overflows", status.watch.overflows},
        {"rescans", status.watch.rescans},
        {"poll_interval_seconds", status.watch.poll_interval_seconds}}},
      {"app",
       {{"configured", app.configured},
        {"command", app.command},
        {"pid", app.running ? nlohmann::json(app.pid) : nlohmann::json(nullptr)},
        {"running", app.running},
        {"started_at", app.running ? nlohmann::json(app.started_at) : nlohmann::json(nullptr)},
        {"uptime_seconds",
         app.running ? nlohmann::json(now_unix - app.started_at) : nlohmann::json(nullptr)},
        {"restarts", app.restarts},
        {"health_url", app.health_url},
        {"probe", toString(app.probe)},
        {"probe_detail", app.probe_detail},
        {"serving_build",
         app.serving_build ? nlohmann::json(*app.serving_build) : nlohmann::json(nullptr)}}},
      {"builds", builds},
      {"counts",
       {{"builds", status.builds_total},
        {"builds_failed", status.builds_failed},
        {"restarts", app.restarts},
        {"rollbacks", status.rollbacks}}},
      {"last_error",
       status.last_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(status.last_error)}};
  if (status.proxy.configured) json["proxy"] = proxyJson(status.proxy, now_unix);
  if (!status.services.empty()) {
    nlohmann::json services = nlohmann::json::object();
    for (const auto& [name, service] : status.services) {
      auto one = statusObject(*service, now_unix);
      for (const char* shared : {"version", "mode", "started_at", "uptime_seconds", "watch"}) {
        one.erase(shared);
      }
      services[name] = std::move(one);
    }
    json["services"] = std::move(services);
  }
  return json;
}

}  // namespace

std::string statusJson(const StatusSnapshot& status, double now_unix) {
  // Build output may hold any bytes; never fail to answer because of one.
  return jsonText(statusObject(status, now_unix));
}

}  // namespace hotpod
