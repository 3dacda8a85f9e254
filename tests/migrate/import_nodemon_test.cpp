#include <doctest/doctest.h>

#include <csignal>

#include "migrate/import_test_support.h"
#include "model/config_error.h"

using namespace hotpod;
using namespace import_test;
using namespace std::chrono_literals;

TEST_CASE("nodemon: nodemon.json with most keys") {
  const ImportResult result = importNodemon(fixture("nodemon.json"));
  const Config config = parsed(result);

  // watch ("src" is a directory, "config/app.json" a file) combined with ext.
  CHECK(config.watch.include_ext.empty());
  CHECK(config.watch.include ==
        Strings{"src/**/*.js", "src/**/*.json", "src/**/*.ts", "config/app.json"});
  CHECK(config.watch.exclude == Strings{"*.test.js", "/dist", "fixtures/*"});  // ignore
  // nodemon's ignoreRoot defaults (.git is built into hotpod).
  CHECK(config.watch.exclude_dir ==
        Strings{".nyc_output", ".sass-cache", "bower_components", "coverage", "node_modules"});
  CHECK(config.watch.delay == 2500ms);  // milliseconds in nodemon.json
  CHECK(config.watch.max_delay == 2500ms);
  CHECK(config.watch.backend == WatchBackend::Poll);  // legacyWatch
  CHECK(config.watch.poll_interval == 250ms);         // pollingInterval
  CHECK(config.build.cmd.empty());
  // exec + script + args through the shell, env as assignments in front.
  CHECK(config.run.cmd.through_shell);
  CHECK(config.run.cmd.display() ==
        "NODE_ENV=development PORT=3000 ts-node --transpile-only src/index.ts --port 3000");
  CHECK(config.run.stop_signal == SIGTERM);  // signal
  CHECK_FALSE(config.run.restart_on_crash);  // nodemon waits for a change after a crash
  CHECK(config.log.level == "debug");        // verbose
  CHECK(droppedKeys(result) == Strings{"colours", "events", "restartable"});
  CHECK(result.yaml.find("# Already what hotpod does: runOnChangeOnly = false.") !=
        std::string::npos);
}

TEST_CASE("nodemon: package.json's nodemonConfig and main") {
  const ImportResult result = importNodemon(fixture("package.json"));
  const Config config = parsed(result);
  CHECK(config.run.cmd.argv == Strings{"node", "--inspect", "server.js"});  // main + nodeArgs
  CHECK(config.run.stop_signal == SIGUSR2);  // nodemon's default signal
  CHECK(config.watch.include_ext == Strings{"js", "mjs"});
  CHECK(config.watch.exclude == Strings{"test/*"});
  CHECK(config.watch.delay == 1500ms);  // "1.5s": read by its unit
  CHECK(droppedKeys(result) == Strings{"nodemonConfig.quiet"});
  CHECK(result.yaml.find("package.json's nodemonConfig") != std::string::npos);
}

TEST_CASE("nodemon: an empty nodemon.json runs package.json's start script") {
  const ImportResult result = importNodemon(fixture("nodemon_start/nodemon.json"));
  const Config config = parsed(result);
  CHECK(result.dropped.empty());
  CHECK(config.run.cmd.through_shell);
  CHECK(config.run.cmd.display() == "node app.js --color");
  CHECK(config.watch.include_ext == Strings{"js", "mjs", "cjs", "json"});  // nodemon's default
  CHECK(config.watch.delay == 100ms);
}

TEST_CASE("nodemon: scripts, exec and watch forms") {
  TempDir dir;
  SUBCASE("execMap picks the program for the script's extension") {
    const Config config = parsed(importNodemon(
        dir.write("nodemon.json", R"({"script": "main.py", "execMap": {"py": "python3 -u"}})")));
    CHECK(config.run.cmd.display() == "python3 -u main.py");
    CHECK(config.watch.include_ext == Strings{"py", "json"});
  }
  SUBCASE("{{filename}} in exec replaces the script; env before node uses env(1)") {
    Config config = parsed(importNodemon(dir.write(
        "nodemon.json", R"({"script": "app.coffee", "exec": "coffee {{filename}} --x"})")));
    CHECK(config.run.cmd.display() == "coffee app.coffee --x");
    config = parsed(importNodemon(
        dir.write("nodemon.json", R"({"script": "app.js", "env": {"PORT": "8080"}})")));
    CHECK(config.run.cmd.argv == Strings{"env", "PORT=8080", "node", "app.js"});
  }
  SUBCASE("watch: the whole root, a glob, a path outside root") {
    const ImportResult result = importNodemon(
        dir.write("nodemon.json",
                  R"({"script": "a.js", "watch": [".", "lib/*.js", "../shared"], "ext": "*"})"));
    const Config config = parsed(result);
    CHECK(config.watch.include_ext.empty());  // ext "*": every file
    CHECK(config.watch.include.empty());      // "." watches everything anyway
    CHECK(droppedKeys(result) == Strings{"watch '../shared'"});
  }
  SUBCASE("a package.json without nodemonConfig: nodemon's defaults") {
    const ImportResult result =
        importNodemon(dir.write("package.json", R"({"name": "x", "main": "index.js"})"));
    const Config config = parsed(result);
    CHECK(config.run.cmd.argv == Strings{"node", "index.js"});
    CHECK(result.yaml.find("package.json has no nodemonConfig") != std::string::npos);
  }
  SUBCASE("no script anywhere: a TODO") {
    const ImportResult result = importNodemon(dir.write("nodemon.json", R"({"ext": "js"})"));
    const Config config = parsed(result);
    CHECK(config.run.cmd.empty());
    CHECK(result.yaml.find("TODO") != std::string::npos);
  }
}

TEST_CASE("nodemon: unreadable input is a ConfigError with file, position and key") {
  TempDir dir;
  SUBCASE("invalid JSON") {
    const auto path = dir.write("nodemon.json", "{\n  \"watch\": [\"src\"\n}\n");
    try {
      importNodemon(path);
      FAIL("no error");
    } catch (const ConfigError& error) {
      CHECK(error.file() == path.string());
      CHECK(error.line() > 0);
      CHECK(std::string(error.what()).find("invalid JSON") != std::string::npos);
    }
  }
  SUBCASE("an unknown signal") {
    try {
      importNodemon(dir.write("nodemon.json", "{\n  \"signal\": \"SIGNOPE\"\n}\n"));
      FAIL("no error");
    } catch (const ConfigError& error) {
      CHECK(error.line() == 2);
      CHECK(error.column() == 13);
      CHECK(error.key() == "signal");
    }
  }
  SUBCASE("a wrong type") {
    CHECK_THROWS_WITH_AS(importNodemon(dir.write("nodemon.json", R"({"watch": {"a": 1}})")),
                         doctest::Contains("watch: expected an array of strings, got an object"),
                         ConfigError);
    CHECK_THROWS_WITH_AS(importNodemon(dir.write("nodemon.json", R"(["a"])")),
                         doctest::Contains("expected a JSON object"), ConfigError);
  }
  SUBCASE("YAML that is not JSON (single quotes, a comment) is refused, as nodemon refuses it") {
    CHECK_THROWS_WITH_AS(importNodemon(dir.write("nodemon.json", "{'watch': ['src']}\n")),
                         doctest::Contains("invalid JSON"), ConfigError);
    CHECK_THROWS_WITH_AS(
        importNodemon(dir.write("nodemon.json", "# watch\n{\"watch\": [\"src\"]}\n")),
        doctest::Contains("nodemon.json:1:1: invalid JSON"), ConfigError);
  }
  SUBCASE("a missing file") {
    CHECK_THROWS_AS(importNodemon(dir.path / "nodemon.json"), ConfigError);
  }
}
