// /readyz's policy: what makes hotpod ready, and the reason it gives when it is not.
#include <doctest/doctest.h>

#include "observe/readiness.h"

using namespace hotpod;

namespace {

StatusSnapshot servingApp() {
  StatusSnapshot status;
  status.build_configured = true;
  status.first_build_succeeded = true;
  status.phase = LoopPhase::Running;
  status.app.configured = true;
  status.app.running = true;
  status.app.pid = 42;
  BuildRecord build;
  build.number = 1;
  build.result = BuildResult::Succeeded;
  status.builds.push_back(build);
  return status;
}

BuildRecord build(uint64_t number, std::optional<BuildResult> result) {
  BuildRecord record;
  record.number = number;
  record.result = result;
  record.exit = "exit code 2";
  return record;
}

}  // namespace

TEST_CASE("ready: the first build succeeded and the app runs") {
  const auto verdict = evaluateReadiness(servingApp(), HttpConfig{});
  CHECK(verdict.ready);
  CHECK(verdict.reason == "the app runs (pid 42)");
}

TEST_CASE("not ready before the first successful build") {
  StatusSnapshot status = servingApp();
  status.first_build_succeeded = false;
  status.app.running = false;
  status.phase = LoopPhase::Building;
  CHECK(evaluateReadiness(status, {}).reason == "the first build is running");
  status.phase = LoopPhase::Failed;
  CHECK_FALSE(evaluateReadiness(status, {}).ready);
  CHECK(evaluateReadiness(status, {}).reason == "no build has succeeded yet");
}

TEST_CASE("a failed build makes it not ready unless the policy counts the old app") {
  StatusSnapshot status = servingApp();
  status.builds.insert(status.builds.begin(), build(2, BuildResult::Failed));
  status.phase = LoopPhase::Failed;
  const auto strict = evaluateReadiness(status, HttpConfig{});
  CHECK_FALSE(strict.ready);
  CHECK(strict.reason.starts_with("build #2 failed (exit code 2)"));
  HttpConfig lenient;
  lenient.ready_after_failed_build = true;
  CHECK(evaluateReadiness(status, lenient).ready);
  // A build running after the failure keeps the verdict; a success clears it.
  status.builds.insert(status.builds.begin(), build(3, std::nullopt));
  status.phase = LoopPhase::Building;
  CHECK_FALSE(evaluateReadiness(status, {}).ready);
  status.builds.front().result = BuildResult::Succeeded;
  status.phase = LoopPhase::Running;
  CHECK(evaluateReadiness(status, {}).ready);
}

TEST_CASE("a running build counts as ready unless http.ready_while_building is false") {
  StatusSnapshot status = servingApp();
  status.builds.insert(status.builds.begin(), build(2, std::nullopt));
  status.phase = LoopPhase::Building;
  CHECK(evaluateReadiness(status, {}).ready);
  HttpConfig strict;
  strict.ready_while_building = false;
  CHECK(evaluateReadiness(status, strict).reason ==
        "a build is running (http.ready_while_building: false)");
}

TEST_CASE("the app's probe decides once configured") {
  StatusSnapshot status = servingApp();
  status.app.health_url = "http://127.0.0.1:8080/healthz";
  status.app.probe = ProbeState::Pending;
  CHECK(evaluateReadiness(status, {}).reason ==
        "waiting for http://127.0.0.1:8080/healthz to answer 2xx");
  status.app.probe = ProbeState::Failed;
  status.app.probe_detail = "HTTP 503";
  CHECK(evaluateReadiness(status, {}).reason == "http://127.0.0.1:8080/healthz fails: HTTP 503");
  status.app.probe = ProbeState::Passed;
  CHECK(evaluateReadiness(status, {}).reason == "the app runs (pid 42) and answers its health URL");
}

TEST_CASE("an app that is not running is not ready; without an app a good build is enough") {
  StatusSnapshot status = servingApp();
  status.app.running = false;
  CHECK(evaluateReadiness(status, {}).reason == "the app is not running");
  status.phase = LoopPhase::Restarting;
  CHECK(evaluateReadiness(status, {}).reason == "the app is restarting");
  status.app.configured = false;
  CHECK(evaluateReadiness(status, {}).ready);
  CHECK(evaluateReadiness(status, {}).reason == "the last build succeeded");
}
