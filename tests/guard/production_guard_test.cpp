#include "guard/production_guard.h"

#include <doctest/doctest.h>

#include "support/temp_dir.h"

using namespace hotpod;

TEST_CASE("names that mean production") {
  CHECK(namesProduction("production"));
  CHECK(namesProduction("Prod\n"));
  CHECK(namesProduction("shop-prod"));
  CHECK(namesProduction("prod-eu-west"));
  CHECK_FALSE(namesProduction("products"));
  CHECK_FALSE(namesProduction("preprod"));
  CHECK_FALSE(namesProduction("dev"));
  CHECK_FALSE(namesProduction(""));
}

TEST_CASE("each signal is read where it is documented, and named in the verdict") {
  hotpod::testing::TempDir dir;
  ProductionSignals signals;
  signals.podinfo_dir = dir.path() / "podinfo";
  signals.forbid_file = dir.path() / "forbid";
  CHECK_FALSE(detectProduction(signals).production);

  signals.environment = "development";
  CHECK_FALSE(detectProduction(signals).production);
  signals.environment = "production";
  auto verdict = detectProduction(signals);
  CHECK(verdict.production);
  CHECK(verdict.reasons == std::vector<std::string>{"HOTPOD_ENVIRONMENT=production"});

  signals.environment.reset();
  dir.write("podinfo/namespace", "shop-prod\n");
  verdict = detectProduction(signals);
  REQUIRE(verdict.reasons.size() == 1);
  CHECK(verdict.reasons[0].find("namespace is 'shop-prod'") != std::string::npos);

  dir.write("podinfo/namespace", "dev\n");
  dir.write("podinfo/labels", "app=\"shop\"\nenv=\"prod\"\n");
  verdict = detectProduction(signals);
  REQUIRE(verdict.reasons.size() == 1);
  CHECK(verdict.reasons[0].find("label env=\"prod\"") != std::string::npos);

  dir.write("podinfo/labels", "app=\"production\"\n");  // not an environment label
  CHECK_FALSE(detectProduction(signals).production);

  dir.write("forbid", "");
  verdict = detectProduction(signals);
  CHECK(verdict.production);
  CHECK(productionRefusal("run", verdict).find("--allow-production") != std::string::npos);
}
