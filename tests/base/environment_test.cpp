#include "base/environment.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

using namespace hotpod;

namespace {

bool contains(const std::vector<std::string>& entries, const std::string& entry) {
  return std::find(entries.begin(), entries.end(), entry) != entries.end();
}

}  // namespace

TEST_CASE("children get hotpod's environment without its HOTPOD_* inputs") {
  ::setenv("HOTPOD_TOKEN", "secret-of-the-control-endpoints", 1);
  ::setenv("HOTPOD_ROOT", "src", 1);
  ::setenv("HOTPOD_SOME_FUTURE_SETTING", "1", 1);
  Environment env = Environment::forChildren();
  env.set("HOTPOD_CHANGED_COUNT", "3");  // what hotpod tells a child is set on top
  const auto entries = env.entries();
  ::unsetenv("HOTPOD_TOKEN");
  ::unsetenv("HOTPOD_ROOT");
  ::unsetenv("HOTPOD_SOME_FUTURE_SETTING");

  CHECK(contains(entries, "HOTPOD_CHANGED_COUNT=3"));
  CHECK(contains(entries, "PATH=" + std::string(std::getenv("PATH"))));
  for (const auto& entry : entries) {
    CHECK_MESSAGE(!entry.starts_with("HOTPOD_TOKEN="), entry);
    CHECK_MESSAGE(!entry.starts_with("HOTPOD_ROOT="), entry);
    CHECK_MESSAGE(!entry.starts_with("HOTPOD_SOME_FUTURE_SETTING="), entry);
  }
}
