#include "config/loader.h"

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>
#include <random>

#include "model/config_error.h"

using namespace hotpod;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

Config parse(std::string_view yaml) {
  return parseConfigText(yaml, "hotpod.yaml");
}

// A fresh directory under the system temp directory, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device random;
    path = fs::temp_directory_path() / ("hotpod-loader-test-" + std::to_string(random()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return path / name;
  }
};

}  // namespace

TEST_CASE("an empty file or document gives the defaults") {
  for (const char* yaml : {"", "# only a comment\n", "---\n", "~\n", "\n\n"}) {
    CAPTURE(yaml);
    Config config = parse(yaml);
    CHECK(config.source == "hotpod.yaml");
    CHECK(config.root == ".");
    CHECK(config.watch.backend == WatchBackend::Auto);
    CHECK(config.watch.delay == 100ms);
    CHECK(config.watch.max_delay == 2s);
    CHECK(config.watch.exclude_dir == std::vector<std::string>{"node_modules"});
    CHECK(config.build.cmd.empty());
    CHECK(config.run.cmd.empty());
    CHECK(config.run.stop_signal == SIGTERM);
    CHECK(config.http.listen.empty());
  }
}

TEST_CASE("every key is read") {
  Config config = parse(R"(
root: src
watch:
  backend: hybrid
  poll_interval: 250ms
  verify_interval: 1m
  include_ext: [go, .tmpl, "*.html"]
  include: ['assets/**', Dockerfile]
  exclude: ['**/*_test.go']
  exclude_dir: [vendor, ./tmp/, build/out]
  gitignore: false
  delay: 1.5s
  max_delay: 1m30s
build:
  cmd: go build -o .hotpod/bin/app .
  timeout: 2m
  on_busy: queue
  env:
    CGO_ENABLED: 0
    GOFLAGS: "-mod=vendor"
    DEBUG: true
    EMPTY:
run:
  cmd: .hotpod/bin/app --port 8080
  stop_signal: SIGINT
  stop_timeout: 10s
  restart_on_crash: no
log:
  format: json
  level: debug
http:
  listen: 127.0.0.1:8090
)");
  CHECK(config.root == "src");
  CHECK(config.watch.backend == WatchBackend::Hybrid);
  CHECK(config.watch.poll_interval == 250ms);
  CHECK(config.watch.verify_interval == 60s);
  CHECK(config.watch.include_ext == std::vector<std::string>{"go", "tmpl", "html"});
  CHECK(config.watch.include == std::vector<std::string>{"assets/**", "Dockerfile"});
  CHECK(config.watch.exclude == std::vector<std::string>{"**/*_test.go"});
  CHECK(config.watch.exclude_dir == std::vector<std::string>{"vendor", "./tmp", "build/out"});
  CHECK_FALSE(config.watch.gitignore);
  CHECK(config.watch.delay == 1500ms);
  CHECK(config.watch.max_delay == 90s);
  CHECK(config.build.cmd == "go build -o .hotpod/bin/app .");
  CHECK(config.build.timeout == 120s);
  CHECK(config.build.on_busy == OnBusy::Queue);
  CHECK(config.build.env ==
        std::map<std::string, std::string>{
            {"CGO_ENABLED", "0"}, {"GOFLAGS", "-mod=vendor"}, {"DEBUG", "true"}, {"EMPTY", ""}});
  CHECK(config.run.cmd.through_shell);
  CHECK(config.run.cmd.argv ==
        std::vector<std::string>{"/bin/sh", "-c", ".hotpod/bin/app --port 8080"});
  CHECK(config.run.stop_signal == SIGINT);
  CHECK(config.run.stop_timeout == 10s);
  CHECK_FALSE(config.run.restart_on_crash);
  CHECK(config.log.format == LogFormat::Json);
  CHECK(config.log.level == "debug");
  CHECK(config.http.listen == "127.0.0.1:8090");
}

TEST_CASE("each backend, busy policy, format and level is accepted, ignoring case") {
  CHECK(parse("watch: {backend: inotify}").watch.backend == WatchBackend::Inotify);
  CHECK(parse("watch: {backend: POLL}").watch.backend == WatchBackend::Poll);
  CHECK(parse("watch: {backend: auto}").watch.backend == WatchBackend::Auto);
  CHECK(parse("build: {on_busy: Restart}").build.on_busy == OnBusy::Restart);
  CHECK(parse("log: {format: text}").log.format == LogFormat::Text);
  for (const char* level : {"trace", "debug", "info", "warn", "error", "off"}) {
    CHECK(parse(std::string("log: {level: ") + level + "}").log.level == level);
  }
  CHECK(parse("log: {level: WARN}").log.level == "warn");
}

TEST_CASE("a list run.cmd is exec'd directly") {
  Config config = parse("run:\n  cmd: [./app, --name, 'a b', 8080]\n");
  CHECK_FALSE(config.run.cmd.through_shell);
  CHECK(config.run.cmd.argv == std::vector<std::string>{"./app", "--name", "a b", "8080"});
  CHECK(parse("run: {cmd: []}").run.cmd.empty());
  CHECK(parse("run: {cmd: ''}").run.cmd.empty());
  CHECK(parse("run: {cmd: }").run.cmd.empty());
}

TEST_CASE("string lists also accept one string; include_ext a comma-separated one") {
  Config config = parse(
      "watch:\n  include_ext: '.go, tmpl,,html, '\n  exclude_dir: vendor\n"
      "  include: 'src/**'\n  exclude: '*.tmp'\n");
  CHECK(config.watch.include_ext == std::vector<std::string>{"go", "tmpl", "html"});
  CHECK(config.watch.exclude_dir == std::vector<std::string>{"vendor"});
  CHECK(config.watch.include == std::vector<std::string>{"src/**"});
  CHECK(config.watch.exclude == std::vector<std::string>{"*.tmp"});
}

TEST_CASE("an empty list or value clears a default list") {
  CHECK(parse("watch: {exclude_dir: []}").watch.exclude_dir.empty());
  CHECK(parse("watch:\n  exclude_dir:\n").watch.exclude_dir.empty());
  CHECK(parse("watch: {include_ext: ''}").watch.include_ext.empty());
}

TEST_CASE("booleans accept true/false, yes/no, on/off") {
  CHECK(parse("watch: {gitignore: yes}").watch.gitignore);
  CHECK_FALSE(parse("watch: {gitignore: Off}").watch.gitignore);
  CHECK(parse("run: {restart_on_crash: TRUE}").run.restart_on_crash);
}

TEST_CASE("signals by name, short name or number") {
  CHECK(parse("run: {stop_signal: HUP}").run.stop_signal == SIGHUP);
  CHECK(parse("run: {stop_signal: sigusr2}").run.stop_signal == SIGUSR2);
  CHECK(parse("run: {stop_signal: 2}").run.stop_signal == SIGINT);
}

TEST_CASE("durations of zero are accepted where zero means something") {
  Config config = parse(
      "watch: {delay: 0, max_delay: 0s}\nbuild: {timeout: 0}\n"
      "run: {stop_timeout: 0ms}\n");
  CHECK(config.watch.delay == 0ms);
  CHECK(config.watch.max_delay == 0ms);
  CHECK(config.build.timeout == 0ms);
  CHECK(config.run.stop_timeout == 0ms);
}

TEST_CASE("a delay beyond the default max_delay raises max_delay when it is not set") {
  Config config = parse("watch: {delay: 5s}");
  CHECK(config.watch.delay == 5s);
  CHECK(config.watch.max_delay == 5s);
  CHECK(parse("watch: {delay: 3s, max_delay: 3s}").watch.max_delay == 3s);
}

TEST_CASE("http.listen: ':PORT' means every interface; empty means no server") {
  CHECK(parse("http: {listen: ':8080'}").http.listen == "0.0.0.0:8080");
  CHECK(parse("http: {listen: '[::1]:8080'}").http.listen == "[::1]:8080");
  CHECK(parse("http: {listen: 'localhost:80'}").http.listen == "localhost:80");
  CHECK(parse("http: {listen: ''}").http.listen.empty());
  CHECK(parse("http:\n  listen:\n").http.listen.empty());
}

TEST_CASE("empty sections keep their defaults") {
  Config config = parse("watch:\nbuild:\nrun: ~\nlog: {}\nhttp:\n");
  CHECK(config.watch.delay == 100ms);
  CHECK(config.log.level == "info");
}

TEST_CASE("a relative root is relative to the config file's directory") {
  CHECK(parseConfigText("", "/proj/hotpod.yaml").root == "/proj");
  CHECK(parseConfigText("root: .", "/proj/hotpod.yaml").root == "/proj");
  CHECK(parseConfigText("root: src/", "/proj/hotpod.yaml").root == "/proj/src");
  CHECK(parseConfigText("root: ../other", "/proj/conf/hotpod.yaml").root == "/proj/other");
  CHECK(parseConfigText("root: /abs/dir", "/proj/hotpod.yaml").root == "/abs/dir");
  CHECK(parseConfigText("root: src", "conf/hotpod.yaml").root == "conf/src");
  CHECK(parseConfigText("root: ./src", "hotpod.yaml").root == "src");
  CHECK(parseConfigText("root: .", "hotpod.yaml").root == ".");
}

TEST_CASE("loadConfigFile reads the file and records where it came from") {
  TempDir dir;
  fs::path file = dir.write("hotpod.yaml", "root: app\nbuild:\n  cmd: make\n");
  Config config = loadConfigFile(file);
  CHECK(config.source == file);
  CHECK(config.root == dir.path / "app");
  CHECK(config.build.cmd == "make");
}

TEST_CASE("loadConfigFile errors name the file in every message") {
  TempDir dir;
  fs::path file = dir.write("hotpod.yaml", "watch:\n  delay: soon\n");
  try {
    loadConfigFile(file);
    FAIL("expected a ConfigError");
  } catch (const ConfigError& error) {
    CHECK(error.file() == file.string());
    CHECK(error.line() == 2);
    CHECK(error.column() == 10);
  }
}

TEST_CASE("a missing file says how to create one") {
  TempDir dir;
  fs::path missing = dir.path / "nope.yaml";
  try {
    loadConfigFile(missing);
    FAIL("expected a ConfigError");
  } catch (const ConfigError& error) {
    CHECK(std::string(error.what()) == missing.string() +
                                           ": config file not found; create one with 'hotpod "
                                           "init', or name an existing file");
    CHECK(error.line() == 0);
  }
}

TEST_CASE("a directory instead of a file says to name the file") {
  TempDir dir;
  try {
    loadConfigFile(dir.path);
    FAIL("expected a ConfigError");
  } catch (const ConfigError& error) {
    CHECK(error.file() == dir.path.string());
    CHECK(error.problem() == "cannot read config file: Is a directory");
    CHECK(error.hint() == "name the YAML file, e.g. " + (dir.path / "hotpod.yaml").string());
  }
}

TEST_CASE("the example configs of this repository load") {
  fs::path examples = fs::path(__FILE__).parent_path().parent_path().parent_path() / "examples";
  for (const char* name : {"gin-app", "cpp-app"}) {
    fs::path file = examples / name / "hotpod.yaml";
    if (!fs::exists(file)) continue;
    CAPTURE(file);
    Config config = loadConfigFile(file);
    CHECK_FALSE(config.build.cmd.empty());
    CHECK(config.run.cmd.argv == std::vector<std::string>{".hotpod/bin/app"});
  }
}
