#include <doctest/doctest.h>

#include "loop/service_loop.h"
#include "observe/status_json.h"

#include <nlohmann/json.hpp>

using namespace hotpod;

namespace {

std::shared_ptr<const StatusSnapshot> service(LoopPhase phase, bool ready, std::string reason,
                                              uint64_t builds) {
  auto status = std::make_shared<StatusSnapshot>();
  status->phase = phase;
  status->readiness = {ready, std::move(reason)};
  status->builds_total = builds;
  status->build_configured = true;
  status->first_build_succeeded = builds > 0;
  return status;
}

}  // namespace

TEST_CASE("services: ready when every service is; the reasons of those that are not") {
  StatusSnapshot own;
  own.watch.root = "/src";
  auto all = withServices(own, {{"api", service(LoopPhase::Running, true, "runs", 2)},
                                {"web", service(LoopPhase::Running, true, "runs", 1)}});
  CHECK(all->readiness.ready);
  CHECK(all->readiness.reason == "all 2 services are ready");
  CHECK(toString(all->phase) == std::string_view("running"));
  CHECK(all->builds_total == 3);
  CHECK(all->watch.root == "/src");

  auto one_down =
      withServices(own, {{"api", service(LoopPhase::Failed, false, "build #3 failed", 3)},
                         {"web", service(LoopPhase::Building, true, "runs", 1)}});
  CHECK_FALSE(one_down->readiness.ready);
  CHECK(one_down->readiness.reason == "api: build #3 failed");
  CHECK(toString(one_down->phase) == std::string_view("building"));  // the busiest

  const auto json = nlohmann::json::parse(statusJson(*one_down, 0));
  CHECK(json["services"]["api"]["state"].get<std::string>() == "failed");
  CHECK(json["services"]["web"]["counts"]["builds"].get<int>() == 1);
  CHECK_FALSE(json["services"]["api"].contains("watch"));  // shared: only at the top
  CHECK_FALSE(json["ready"]["ready"].get<bool>());
}

TEST_CASE("build.parallel defaults to the number of cores") {
  Config config;
  CHECK(parallelBuilds(config) >= 1);
  config.build.parallel = 3;
  CHECK(parallelBuilds(config) == 3);
}
