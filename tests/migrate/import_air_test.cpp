#include <doctest/doctest.h>

#include <csignal>

#include "migrate/import_test_support.h"
#include "model/config_error.h"

using namespace hotpod;
using namespace import_test;
using namespace std::chrono_literals;

TEST_CASE("air: air_example.toml, every key converted or reported") {
  const ImportResult result = importAir(fixture("air_example.toml"));
  const Config config = parsed(result);

  CHECK(config.root == ".");  // root = "."
  // include_ext as is; include_dir, include_file and exclude_file are empty.
  CHECK(config.watch.include_ext == Strings{"go", "tpl", "tmpl", "html"});
  CHECK(config.watch.include.empty());
  // Hidden directories (air never watches them), then exclude_regex "_test\\.go".
  CHECK(config.watch.exclude == Strings{".*/", "*_test.go"});
  // exclude_dir, plus tmp_dir (already listed) and air's default testdata_dir.
  CHECK(config.watch.exclude_dir ==
        Strings{"assets", "tmp", "vendor", "frontend/node_modules", "testdata"});
  CHECK(config.watch.backend == WatchBackend::Auto);  // poll = false
  CHECK(config.watch.poll_interval == 500ms);         // poll_interval = 500
  CHECK(config.watch.delay == 1000ms);                // delay = 0: air uses its default, 1000
  CHECK(config.watch.max_delay == 2000ms);
  // pre_cmd, then cmd.
  CHECK(config.build.cmd == "echo 'hello air' > pre_cmd.txt && go build -o ./tmp/main .");
  // full_bin (with its variables) and args_bin, through the shell; bin is superseded.
  CHECK(config.run.cmd.through_shell);
  CHECK(config.run.cmd.display() == "APP_ENV=dev APP_USER=air ./tmp/main hello world");
  // send_interrupt = false: SIGKILL at once, so kill_delay has no effect.
  CHECK(config.run.stop_signal == SIGTERM);
  CHECK(config.run.stop_timeout == 0ms);
  CHECK_FALSE(config.run.restart_on_crash);  // rerun = false
  CHECK(config.log.level == "info");

  CHECK(droppedKeys(result) ==
        Strings{"build.bin", "build.exclude_unchanged", "build.follow_symlink", "build.kill_delay",
                "build.log", "build.post_cmd", "build.rerun_delay", "build.stop_on_error",
                "color.build", "color.main", "color.runner", "color.watcher", "log.time",
                "misc.clean_on_exit", "proxy.app_port", "proxy.enabled", "proxy.proxy_port",
                "screen.clear_on_rebuild"});
  CHECK(droppedReason(result, "build.exclude_unchanged").find("mtime, size and inode") !=
        std::string::npos);
  CHECK(droppedReason(result, "build.follow_symlink").find("never follows symlinked") !=
        std::string::npos);
  CHECK(droppedReason(result, "build.bin") == "air runs build.full_bin instead");
  CHECK(result.yaml.find("# Already what hotpod does: log.main_only = false, log.silent = false, "
                         "screen.keep_scroll = true.") != std::string::npos);
  CHECK(result.yaml.find("# hotpod configuration, converted from air_example.toml by `hotpod init "
                         "--from-air`.") == 0);
}

TEST_CASE("air: entrypoint, include_dir, graceful stop and rerun") {
  const ImportResult result = importAir(fixture("air_entrypoint.toml"));
  const Config config = parsed(result);

  // include_dir and include_ext together (air wants both), then include_file from root.
  CHECK(config.watch.include_ext.empty());
  CHECK(config.watch.include == Strings{"cmd/**/*.go", "cmd/**/*.tmpl", "internal/**/*.go",
                                        "internal/**/*.tmpl", "/config.yaml"});
  CHECK(config.watch.exclude == Strings{".*/", "internal/gen.go", "*.pb.go"});
  CHECK(config.watch.exclude_dir == Strings{"assets", "tmp", "vendor", "testdata", "fixtures"});
  CHECK(config.watch.backend == WatchBackend::Poll);
  CHECK(config.watch.delay == 250ms);
  CHECK(config.build.cmd == "go build -o ./bin/server ./cmd/server");
  CHECK_FALSE(config.run.cmd.through_shell);
  CHECK(config.run.cmd.argv == Strings{"./bin/server", "--port", "8080", "-v"});
  CHECK(config.run.stop_signal == SIGINT);
  CHECK(config.run.stop_timeout == 1500ms);  // kill_delay = "1.5s"
  CHECK(config.run.restart_on_crash);

  CHECK(droppedKeys(result) == Strings{"build.env_files", "build.exclude_regex '^vendor/.*'",
                                       "build.unknown_key", "screen.keep_scroll"});
  CHECK(droppedReason(result, "build.exclude_regex '^vendor/.*'").find("not regular expressions") !=
        std::string::npos);
  CHECK(droppedReason(result, "build.unknown_key") == "unknown air setting");
}

TEST_CASE("air: a minimal file gets air's defaults") {
  const ImportResult result = importAir(fixture("air_minimal.toml"));
  const Config config = parsed(result);
  CHECK(result.dropped.empty());
  CHECK(config.build.cmd == "make");
  CHECK(config.run.cmd.argv == Strings{"./tmp/main"});
  CHECK(config.watch.include_ext == Strings{"go", "tpl", "tmpl", "html"});
  CHECK(config.watch.exclude == Strings{".*/", "*_test.go"});
  CHECK(config.watch.exclude_dir == Strings{"assets", "tmp", "vendor", "testdata"});
  CHECK(config.watch.delay == 1000ms);
  CHECK(config.run.stop_timeout == 0ms);
}

TEST_CASE("air: values that need care") {
  TempDir dir;
  SUBCASE("kill_delay as nanoseconds, bin with arguments, regexes, paths outside root") {
    const ImportResult result = importAir(dir.write(".air.toml", R"(
root = "."
tmp_dir = "/tmp/air"
[build]
bin = "tmp/main -config dev.yaml"
args_bin = ["--verbose"]
send_interrupt = true
kill_delay = 2000000000
include_dir = ["."]
include_ext = ["go", "a b"]
exclude_dir = ["/abs", "../up", "tmp/"]
exclude_regex = ["_test.go", "mock", "[0-9]+\\.go"]
poll_interval = 200
)"));
    const Config config = parsed(result);
    CHECK(config.run.cmd.through_shell);  // air runs bin through the shell: keep it that way
    CHECK(config.run.cmd.display() == "tmp/main -config dev.yaml --verbose");
    CHECK(config.run.stop_signal == SIGINT);
    CHECK(config.run.stop_timeout == 2000ms);
    CHECK(config.watch.include_ext == Strings{"go"});  // include_dir "." is all of root
    CHECK(config.watch.include.empty());
    CHECK(config.watch.exclude == Strings{".*/", "*_test.go", "*mock*"});
    CHECK(config.watch.exclude_dir == Strings{"tmp", "testdata"});
    CHECK(config.watch.poll_interval == 200ms);
    CHECK(droppedKeys(result) == Strings{"build.exclude_dir '../up'", "build.exclude_dir '/abs'",
                                         "build.exclude_regex '[0-9]+\\.go'",
                                         "build.include_ext 'a b'"});
  }
  SUBCASE("a plain bin is started directly, relative to root") {
    const ImportResult result = importAir(dir.write(".air.toml", R"(
[build]
bin = "bin/app"
rerun = true
stop_on_error = false
exclude_unchanged = false
follow_symlink = false
)"));
    const Config config = parsed(result);
    CHECK(config.run.cmd.argv == Strings{"./bin/app"});
    CHECK(config.run.restart_on_crash);
    CHECK(result.dropped.empty());
    CHECK(result.yaml.find("# Already what hotpod does: build.exclude_unchanged = false,") !=
          std::string::npos);
    for (const char* same : {"build.follow_symlink = false", "build.stop_on_error = false."}) {
      CHECK(result.yaml.find(same) != std::string::npos);
    }
  }
}

TEST_CASE("air: unreadable input is a ConfigError with file, position and key") {
  TempDir dir;
  SUBCASE("invalid TOML") {
    const auto path = dir.write(".air.toml", "root = \".\"\n[build\ncmd = 1\n");
    try {
      importAir(path);
      FAIL("no error");
    } catch (const ConfigError& error) {
      CHECK(error.file() == path.string());
      CHECK(error.line() == 2);
      CHECK(std::string(error.what()).find("invalid TOML") != std::string::npos);
    }
  }
  SUBCASE("a wrong type") {
    const auto path = dir.write(".air.toml", "[build]\ncmd = \"make\"\ninclude_ext = \"go\"\n");
    try {
      importAir(path);
      FAIL("no error");
    } catch (const ConfigError& error) {
      CHECK(error.line() == 3);
      CHECK(error.column() == 15);
      CHECK(error.key() == "build.include_ext");
      CHECK(error.problem() == "expected an array of strings, got a string");
    }
  }
  SUBCASE("a section that is not a table") {
    CHECK_THROWS_WITH_AS(importAir(dir.write(".air.toml", "build = 3\n")),
                         doctest::Contains("build: expected a table, got a number"), ConfigError);
  }
  SUBCASE("an invalid kill_delay") {
    CHECK_THROWS_WITH_AS(importAir(dir.write(".air.toml", "[build]\nkill_delay = \"soon\"\n")),
                         doctest::Contains("build.kill_delay: invalid duration 'soon'"),
                         ConfigError);
  }
  SUBCASE("a missing file") {
    CHECK_THROWS_WITH_AS(importAir(dir.path / ".air.toml"), doctest::Contains("file not found"),
                         ConfigError);
  }
}

TEST_CASE("non-ASCII outside strings and comments is refused with its place (fuzzing)") {
  // toml++ 3.3 has undefined behaviour on some non-ASCII characters, so none reaches it.
  CHECK_THROWS_WITH_AS(importAirText("root = \".\"\n\xC3\xA9t\xC3\xA9 = 1\n", ".air.toml"),
                       ".air.toml:2:1: a non-ASCII character outside a string or comment is not "
                       "valid TOML; quote it, e.g. key = \"café\"",
                       ConfigError);
  CHECK_THROWS_WITH_AS(importAirText("[build]\ncmd = \"caf\xC3\"\n", ".air.toml"),
                       doctest::Contains(".air.toml:2:11: these bytes are not UTF-8"), ConfigError);
}

TEST_CASE("non-ASCII in every kind of TOML string and in comments keeps its value") {
  // Each string that holds non-ASCII reaches the parser as a basic string with \u escapes.
  const auto cmd = [](const std::string& value) {
    return parsed(importAirText(
                      "\xEF\xBB\xBF# caf\xC3\xA9 \xE2\x98\x95\n[build]\ncmd = " + value + "\n",
                      ".air.toml"))
        .build.cmd;
  };
  CHECK(cmd("\"echo caf\xC3\xA9 \\\"\xF0\x9F\x8D\xB5\\\"\"") ==
        "echo caf\xC3\xA9 \"\xF0\x9F\x8D\xB5\"");
  CHECK(cmd("'echo \"caf\xC3\xA9\" \\d'") == "echo \"caf\xC3\xA9\" \\d");
  CHECK(cmd("'''\necho \"caf\xC3\xA9\" \\d'''") == "echo \"caf\xC3\xA9\" \\d");
  CHECK(cmd("\"\"\"\necho \\\n   caf\xC3\xA9\"\"\"") == "echo caf\xC3\xA9");
  CHECK(cmd("\"\"\"echo \\\n\xC2\xA7\"\"\"") == "echo \xC2\xA7");  // was refused before
  CHECK(cmd("'plain \\ascii'") == "plain \\ascii");                // untouched
}

TEST_CASE("a backslash before a non-ASCII character in a TOML string is refused (fuzzing)") {
  CHECK_THROWS_WITH_AS(importAirText("cmd = \"a\\\xC3\xA9\"\n", ".air.toml"),
                       doctest::Contains(".air.toml:1:9: a backslash followed by a non-ASCII "
                                         "character is not a valid escape"),
                       ConfigError);
}
