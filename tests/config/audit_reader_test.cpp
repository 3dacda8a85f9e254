// The audit section: values, defaults, sizes with units, and mistakes reported with their place.
#include <doctest/doctest.h>

#include <filesystem>

#include "config/audit_reader.h"
#include "config/config_error_for.h"
#include "config/loader.h"

using namespace hotpod;
using hotpod::testing::errorFor;

TEST_CASE("audit: path (from the config file's directory), max_size and keep are read") {
  const Config config = parseConfigText(R"(
audit:
  path: logs/audit.jsonl
  max_size: 2MiB
  keep: 3
)",
                                        "/srv/project/hotpod.yaml");
  CHECK(config.audit.path == "/srv/project/logs/audit.jsonl");
  CHECK(config.audit.max_size == 2u * 1024 * 1024);
  CHECK(config.audit.keep == 3);
  CHECK(parseConfigText("audit:\n  path: /var/log/a.jsonl\n", "x/hotpod.yaml").audit.path ==
        "/var/log/a.jsonl");
}

TEST_CASE("audit: off by default, 10MiB and 5 rotated files") {
  const Config config = parseConfigText("", "hotpod.yaml");
  CHECK(config.audit.path.empty());
  CHECK(config.audit.max_size == 10u * 1024 * 1024);
  CHECK(config.audit.keep == 5);
}

TEST_CASE("a rollback with the defaults fits in 30 s: app.ready_timeout is 20s") {
  const Config config = parseConfigText("", "hotpod.yaml");
  CHECK(config.app.ready_timeout == Duration{20000});
  CHECK(config.app.ready_timeout + config.run.stop_timeout <= Duration{25000});
}

TEST_CASE("byte sizes") {
  CHECK(parseByteSize("4096") == 4096u);
  CHECK(parseByteSize("500KB") == 500000u);
  CHECK(parseByteSize("10MiB") == 10u << 20);
  CHECK(parseByteSize("1 GiB") == 1ull << 30);
  CHECK(parseByteSize("10mb") == 10000000u);
  CHECK_FALSE(parseByteSize("MiB"));
  CHECK_FALSE(parseByteSize("10 parsecs"));
  CHECK_FALSE(parseByteSize("-1"));
}

TEST_CASE("audit mistakes name the place and say what to write") {
  CHECK(errorFor("audit:\n  max_size: lots\n") ==
        "hotpod.yaml:2:13: audit.max_size: invalid size 'lots'; write bytes with a unit, at "
        "least 4KiB, e.g. 10MiB or 500KB");
  CHECK(errorFor("audit:\n  max_size: 100\n").find("at least 4KiB") != std::string::npos);
  CHECK(errorFor("audit:\n  keep: 0\n") ==
        "hotpod.yaml:2:9: audit.keep: expected a number of rotated files from 1 to 99, got '0'; "
        "e.g. keep: 5");
  CHECK(errorFor("audit:\n  paht: a.jsonl\n").find("did you mean 'audit.path'") !=
        std::string::npos);
}
