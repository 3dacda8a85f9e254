#include "filter/path_set.h"

#include <doctest/doctest.h>

using namespace hotpod;

TEST_CASE("PathSet: directories take everything below them; the deepest match decides") {
  const PathSet api({"services/api", "lib/", "!lib/testdata/"});
  CHECK(api.contains("services/api/main.go"));
  CHECK(api.contains("services/api/handlers/user.go"));
  CHECK(api.contains("lib/greeting/greeting.go"));
  CHECK_FALSE(api.contains("lib/testdata/fixture.go"));
  CHECK_FALSE(api.contains("services/worker/main.go"));
  CHECK_FALSE(api.contains("services/api2/main.go"));
  CHECK_FALSE(api.contains("README.md"));

  const PathSet all_but_worker({"/*", "!cmd/worker/"});
  CHECK(all_but_worker.contains("go.mod"));
  CHECK(all_but_worker.contains("cmd/api/main.go"));
  CHECK(all_but_worker.contains("internal/lib/lib.go"));
  CHECK_FALSE(all_but_worker.contains("cmd/worker/main.go"));

  const PathSet by_name({"*.proto"});
  CHECK(by_name.contains("api/v1/user.proto"));
  CHECK_FALSE(by_name.contains("api/v1/user.go"));
}
