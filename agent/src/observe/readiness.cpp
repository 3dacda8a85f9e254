#include "observe/readiness.h"

namespace hotpod {

Readiness evaluateReadiness(const StatusSnapshot& status, const HttpConfig& policy) {
  if (status.build_configured && !status.first_build_succeeded) {
    const bool building = status.phase == LoopPhase::Building;
    return {false, building ? "the first build is running" : "no build has succeeded yet"};
  }
  if (status.phase == LoopPhase::Building && !policy.ready_while_building) {
    return {false, "a build is running (http.ready_while_building: false)"};
  }
  if (!policy.ready_after_failed_build && !status.builds.empty()) {
    // The newest finished build decides; a running one keeps the previous verdict.
    for (const auto& build : status.builds) {
      if (!build.result || *build.result == BuildResult::Cancelled) continue;
      if (failed(*build.result)) {
        return {false, "build #" + std::to_string(build.number) + " " +
                           (*build.result == BuildResult::Failed ? "failed (" + build.exit + ")"
                                                                 : "timed out") +
                           "; the previous version may still serve "
                           "(http.ready_after_failed_build: true counts that as ready)"};
      }
      break;
    }
  }
  if (status.app.configured) {
    if (!status.app.running) {
      return {false, status.phase == LoopPhase::Restarting ? "the app is restarting"
                                                           : "the app is not running"};
    }
    switch (status.app.probe) {
      case ProbeState::Pending:
        return {false, "waiting for " + status.app.health_url + " to answer 2xx"};
      case ProbeState::Failed:
        return {false, status.app.health_url + " fails: " + status.app.probe_detail};
      case ProbeState::Off:
      case ProbeState::Passed:
        break;
    }
  }
  return {true,
          status.app.configured
              ? "the app runs (pid " + std::to_string(status.app.pid) + ")" +
                    (status.app.probe == ProbeState::Passed ? " and answers its health URL" : "")
              : "the last build succeeded"};
}

}  // namespace hotpod
