#include "base/rel_path.h"

#include <doctest/doctest.h>

using hotpod::isBelowOrAt;

TEST_CASE(
    "isBelowOrAt: the directory itself and what is inside it, nothing that only shares a prefix") {
  CHECK(isBelowOrAt("src", "src"));
  CHECK(isBelowOrAt("src/a/b.go", "src"));
  CHECK(isBelowOrAt("anything", ""));  // the root holds everything
  CHECK_FALSE(isBelowOrAt("srcx/a.go", "src"));
  CHECK_FALSE(isBelowOrAt("sr", "src"));
  CHECK_FALSE(isBelowOrAt("", "src"));
}
