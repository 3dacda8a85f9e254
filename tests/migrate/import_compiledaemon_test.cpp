#include <doctest/doctest.h>

#include <csignal>

#include "migrate/import_test_support.h"
#include "model/config_error.h"

using namespace hotpod;
using namespace import_test;
using namespace std::chrono_literals;

TEST_CASE("CompileDaemon: a typical command line") {
  const ImportResult result = importCompileDaemon(
      "-build='go build -o app' -command=./app -exclude-dir=.git -pattern=(.+\\.go|.+\\.c)$");
  const Config config = parsed(result);
  CHECK(result.dropped.empty());
  CHECK(config.root == ".");
  CHECK(config.build.cmd == "go build -o app");
  CHECK_FALSE(config.run.cmd.through_shell);  // CompileDaemon starts it directly
  CHECK(config.run.cmd.argv == Strings{"./app"});
  CHECK(config.watch.include_ext == Strings{"go", "c"});
  CHECK(config.watch.include.empty());
  CHECK(config.watch.exclude_dir == Strings{".git"});
  CHECK(config.watch.delay == 900ms);     // CompileDaemon's fixed wait
  CHECK(config.run.stop_timeout == 0ms);  // no -graceful-kill: SIGKILL at once
  CHECK_FALSE(config.run.restart_on_crash);
}

TEST_CASE("CompileDaemon: no flags at all means its defaults") {
  const ImportResult result = importCompileDaemon("");
  const Config config = parsed(result);
  CHECK(result.dropped.empty());
  CHECK(config.build.cmd == "go build");
  CHECK(config.run.cmd.empty());
  CHECK(config.watch.include_ext == Strings{"go", "c"});
  CHECK(config.watch.exclude_dir.empty());
}

TEST_CASE("CompileDaemon: every flag") {
  const ImportResult result = importCompileDaemon(
      "CompileDaemon -directory=src -build 'make build' -build=\"go vet ./...\" "
      "--command='./bin/app -port 8080 %[1]s' -include=Makefile -include='*.tmpl' "
      "-exclude='.#*' -exclude-dir=src/vendor -exclude-dir='gen*' -recursive=false -polling "
      "-polling-interval=250 -graceful-kill -graceful-timeout 10 -run-dir=src/bin -build-dir=src "
      "-log-prefix=false -color -verbose=true -work-delay=500 -command-stop "
      "-pattern='\\.(go|tmpl)$'");
  const Config config = parsed(result);
  CHECK(config.root == "src");
  CHECK(config.watch.include_ext == Strings{"go", "tmpl"});
  CHECK(config.watch.include == Strings{"Makefile", "*.tmpl"});
  CHECK(config.watch.exclude == Strings{".#*", "gen*/", "/*/"});  // "/*/": -recursive=false
  CHECK(config.watch.exclude_dir == Strings{"vendor"});           // it saw "src/vendor"
  CHECK(config.watch.backend == WatchBackend::Poll);
  CHECK(config.watch.poll_interval == 250ms);
  CHECK(config.watch.delay == 500ms);
  CHECK(config.build.cmd == "make build && go vet ./...");  // -build-dir is root itself
  CHECK(config.run.cmd.display() == "cd bin && exec ./bin/app -port 8080");
  CHECK(config.run.stop_signal == SIGTERM);
  CHECK(config.run.stop_timeout == 10s);
  CHECK(config.log.level == "debug");
  CHECK(droppedKeys(result) ==
        Strings{"-color", "-command %[1]s", "-command-stop", "-log-prefix=false"});
  CHECK(droppedReason(result, "-command %[1]s").find("HOTPOD_CHANGED_FILES") != std::string::npos);
}

TEST_CASE("CompileDaemon: what cannot be converted is reported") {
  SUBCASE("a -pattern that is not a list of extensions") {
    const ImportResult result = importCompileDaemon("-pattern='^cmd/.*\\.go$' -include=Dockerfile");
    const Config config = parsed(result);
    CHECK(config.watch.include_ext.empty());
    CHECK(config.watch.include == Strings{"Dockerfile"});
    CHECK(droppedKeys(result) == Strings{"-pattern=^cmd/.*\\.go$"});
  }
  SUBCASE("several directories, a timeout without graceful kill, globs with '/'") {
    const ImportResult result = importCompileDaemon(
        "-directory=a -directory=b -graceful-timeout=5 -exclude=x/*.go -polling-interval=200 "
        "-recursive -color=false -log-prefix=true -verbose=0");
    const Config config = parsed(result);
    CHECK(config.root == "a");
    CHECK(config.run.stop_timeout == 0ms);
    CHECK(config.watch.exclude.empty());
    CHECK(config.log.level == "info");
    CHECK(droppedKeys(result) ==
          Strings{"-directory=b", "-exclude=x/*.go", "-graceful-timeout", "-polling-interval"});
    CHECK(result.yaml.find("Already what hotpod does:") != std::string::npos);
  }
}

TEST_CASE("CompileDaemon: mistakes in the flags are ConfigErrors naming the flag") {
  struct Case {
    const char* args;
    const char* key;
    const char* problem;
  };
  for (const auto& [args, key, problem] : {
           Case{"-build=make -frobnicate", "-frobnicate", "unknown CompileDaemon flag"},
           Case{"--nope=1", "-nope", "unknown CompileDaemon flag"},
           Case{"-command", "-command", "the flag needs a value"},
           Case{"-polling=maybe", "-polling", "invalid boolean 'maybe'"},
           Case{"-polling-interval=fast", "-polling-interval", "invalid number 'fast'"},
           Case{"-build=make main.go", "main.go", "unexpected argument"},
           Case{"-build='go build", "", "a ' has no closing quote"},
           Case{"-build=\"go build", "", "a \" has no closing quote"},
       }) {
    CAPTURE(args);
    try {
      importCompileDaemon(args);
      FAIL("no error");
    } catch (const ConfigError& error) {
      CHECK(error.key() == key);
      CHECK(error.problem().starts_with(problem));
      CHECK(std::string(error.what()).find(key) != std::string::npos);
    }
  }
}
