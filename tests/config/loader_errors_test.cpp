// Every mistake in hotpod.yaml is reported with its exact place, dotted key and a hint.
#include <doctest/doctest.h>

#include "config/config_error_for.h"
#include "config/loader.h"

using namespace hotpod;

using hotpod::testing::errorFor;

TEST_CASE("unknown keys suggest the closest valid key") {
  CHECK(errorFor("watch:\n  delai: 1s\n") ==
        "hotpod.yaml:2:3: watch.delai: unknown key; did you mean 'watch.delay'?");
  CHECK(errorFor("watch:\n  max-delay: 1s\n") ==
        "hotpod.yaml:2:3: watch.max-delay: unknown key; did you mean 'watch.max_delay'?");
  CHECK(errorFor("bulid:\n  cmd: make\n") ==
        "hotpod.yaml:1:1: bulid: unknown key; did you mean 'build'?");
  CHECK(errorFor("run:\n  Stop_Signal: HUP\n") ==
        "hotpod.yaml:2:3: run.Stop_Signal: unknown key; did you mean 'run.stop_signal'?");
}

TEST_CASE("unknown keys suggest keys of other sections") {
  CHECK(errorFor("root: .\ndelay: 1s\n") ==
        "hotpod.yaml:2:1: delay: unknown key; did you mean 'watch.delay'?");
  CHECK(errorFor("cmd: make\n") ==
        "hotpod.yaml:1:1: cmd: unknown key; did you mean 'build.cmd' or 'run.cmd'?");
  CHECK(errorFor("build:\n  stop_signal: HUP\n") ==
        "hotpod.yaml:2:3: build.stop_signal: unknown key; did you mean 'run.stop_signal'?");
  CHECK(errorFor("watch:\n  level: debug\n") ==
        "hotpod.yaml:2:3: watch.level: unknown key; did you mean 'log.level'?");
  CHECK(errorFor("watch.delay: 1s\n") ==
        "hotpod.yaml:1:1: watch.delay: unknown key; write it nested: 'watch:' with 'delay:' "
        "indented below it");
}

TEST_CASE("unknown keys with nothing close list the valid keys") {
  CHECK(errorFor("log:\n  colour: red\n") ==
        "hotpod.yaml:2:3: log.colour: unknown key; valid keys in 'log': format, level");
  CHECK(errorFor("http:\n  port: 80\n") ==
        "hotpod.yaml:2:3: http.port: unknown key; valid keys in 'http': listen, token_file, "
        "allowed_hosts, ready_while_building, ready_after_failed_build");
  CHECK(errorFor("frobnicate: 1\n") ==
        "hotpod.yaml:1:1: frobnicate: unknown key; valid top-level keys: root, watch, build, "
        "run, log, http, app, notify, audit, target, proxy, rules, services");
}

TEST_CASE("keys must be unique names") {
  CHECK(errorFor("watch:\n  delay: 1s\n  delay: 2s\n") ==
        "hotpod.yaml:3:3: watch.delay: duplicate key; it is already set on line 2; keep only "
        "one");
  CHECK(errorFor("build:\n  env:\n    A: 1\n    A: 2\n") ==
        "hotpod.yaml:4:5: build.env.A: duplicate key; it is already set on line 3; keep only "
        "one");
  CHECK(errorFor("? [a, b]\n: 1\n") == "hotpod.yaml:1:3: keys must be plain names, got a list");
}

TEST_CASE("the top level and each section must be maps") {
  CHECK(errorFor("- watch\n- build\n") ==
        "hotpod.yaml:1:1: the top level must be a map of settings, not a list; start with a "
        "section such as 'watch:' or 'build:'; 'hotpod init' writes an example");
  CHECK(errorFor("just text\n") ==
        "hotpod.yaml:1:1: the top level must be a map of settings, not 'just text'; start with "
        "a section such as 'watch:' or 'build:'; 'hotpod init' writes an example");
  CHECK(errorFor("watch: 5\n") ==
        "hotpod.yaml:1:8: watch: expected a map of settings, got '5'; indent its keys below "
        "'watch:', e.g. backend: ...");
  CHECK(errorFor("run:\n  - ./app\n") ==
        "hotpod.yaml:2:3: run: expected a map of settings, got a list; indent its keys below "
        "'run:', e.g. cmd: ...");
}

TEST_CASE("wrong types say what was expected, with an example") {
  CHECK(errorFor("watch:\n  include_ext: {go: 1}\n") ==
        "hotpod.yaml:2:16: watch.include_ext: expected a list of strings, got a map; write it "
        "as e.g. include_ext: [go, tmpl]");
  CHECK(errorFor("watch:\n  include: [a, [b]]\n") ==
        "hotpod.yaml:2:16: watch.include: expected a list of strings, but an item is a list; "
        "write it as e.g. include: ['src/**', '*.go']");
  CHECK(errorFor("watch:\n  exclude_dir:\n    - a\n    - b: c\n") ==
        "hotpod.yaml:4:7: watch.exclude_dir: expected a list of strings, but an item is a map; "
        "write it as e.g. exclude_dir: [vendor, tmp]");
  CHECK(errorFor("watch:\n  include: [a, '']\n") ==
        "hotpod.yaml:2:16: watch.include: empty item in the list; remove it");
  CHECK(errorFor("watch:\n  delay: [1s]\n") ==
        "hotpod.yaml:2:10: watch.delay: expected a duration, got a list; e.g. delay: 500ms");
  CHECK(errorFor("build:\n  cmd: {make: all}\n") ==
        "hotpod.yaml:2:8: build.cmd: expected a string, got a map; e.g. cmd: go build -o "
        ".hotpod/bin/app .");
  CHECK(errorFor("log:\n  level: [debug]\n") ==
        "hotpod.yaml:2:10: log.level: expected one of trace, debug, info, warn, error, off, got "
        "a list; e.g. level: trace");
}

TEST_CASE("empty values where one is required point at the key") {
  CHECK(errorFor("watch:\n  delay:\n  backend: poll\n") ==
        "hotpod.yaml:2:3: watch.delay: missing value; expected a duration; e.g. delay: 500ms");
  CHECK(errorFor("watch:\n  gitignore: ~\n") ==
        "hotpod.yaml:2:3: watch.gitignore: missing value; expected true or false; e.g. "
        "gitignore: true");
  CHECK(errorFor("root:\n") ==
        "hotpod.yaml:1:1: root: missing value; use '.' for the config file's directory");
  CHECK(errorFor("root: ''\n") ==
        "hotpod.yaml:1:7: root: empty root; use '.' for the config file's directory");
}

TEST_CASE("invalid enum values list the valid ones") {
  CHECK(errorFor("watch:\n  backend: fast\n") ==
        "hotpod.yaml:2:12: watch.backend: invalid value 'fast'; valid values: auto, inotify, "
        "poll, hybrid");
  CHECK(errorFor("build:\n  on_busy: wait\n") ==
        "hotpod.yaml:2:12: build.on_busy: invalid value 'wait'; valid values: restart, queue");
  CHECK(errorFor("log: {format: xml}\n") ==
        "hotpod.yaml:1:15: log.format: invalid value 'xml'; valid values: text, json");
  CHECK(errorFor("log:\n  level: verbose\n") ==
        "hotpod.yaml:2:10: log.level: invalid value 'verbose'; valid values: trace, debug, info, "
        "warn, error, off");
}

TEST_CASE("invalid durations say how to write one") {
  CHECK(errorFor("watch:\n  delay: soon\n") ==
        "hotpod.yaml:2:10: watch.delay: invalid duration 'soon'; use a number with a unit: "
        "250ms, 5s, 2m");
  CHECK(errorFor("run: {stop_timeout: -1s}\n") ==
        "hotpod.yaml:1:21: run.stop_timeout: invalid duration '-1s'; use a number with a unit: "
        "250ms, 5s, 2m");
  CHECK(errorFor("build:\n  timeout: 30\n") ==
        "hotpod.yaml:2:12: build.timeout: invalid duration '30': a number needs a unit; write "
        "e.g. 30ms or 30s");
  CHECK(errorFor("watch:\n  poll_interval: 0s\n") ==
        "hotpod.yaml:2:18: watch.poll_interval: must be longer than 0; e.g. 500ms");
  CHECK(errorFor("watch:\n  verify_interval: 0\n") ==
        "hotpod.yaml:2:20: watch.verify_interval: must be longer than 0; e.g. 500ms");
}

TEST_CASE("max_delay shorter than delay is an error on max_delay") {
  CHECK(errorFor("watch:\n  delay: 2s\n  max_delay: 1s\n") ==
        "hotpod.yaml:3:14: watch.max_delay: max_delay is shorter than delay (2s); make it at "
        "least 2s, or shorten watch.delay");
  CHECK(errorFor("watch:\n  max_delay: 500ms\n  delay: 1s\n") ==
        "hotpod.yaml:2:14: watch.max_delay: max_delay is shorter than delay (1s); make it at "
        "least 1s, or shorten watch.delay");
}

TEST_CASE("booleans, signals and addresses say what they accept") {
  CHECK(errorFor("watch:\n  gitignore: maybe\n") ==
        "hotpod.yaml:2:14: watch.gitignore: expected true or false, got 'maybe'");
  CHECK(errorFor("run:\n  stop_signal: SIGFOO\n") ==
        "hotpod.yaml:2:16: run.stop_signal: unknown signal 'SIGFOO'; use a name such as "
        "SIGTERM, SIGINT, SIGHUP, SIGUSR1, or a number from 1 to 64");
  CHECK(errorFor("run: {stop_signal: 65}\n") ==
        "hotpod.yaml:1:20: run.stop_signal: unknown signal '65'; use a name such as SIGTERM, "
        "SIGINT, SIGHUP, SIGUSR1, or a number from 1 to 64");
  CHECK(errorFor("http:\n  listen: 8080\n") ==
        "hotpod.yaml:2:11: http.listen: invalid address '8080': missing ':PORT'; write "
        "HOST:PORT, e.g. 127.0.0.1:4687, :4687 for every interface, or off");
  CHECK(errorFor("http:\n  listen: 'localhost:70000'\n") ==
        "hotpod.yaml:2:11: http.listen: invalid address 'localhost:70000': the port must be a "
        "number from 0 (any free port) to 65535; write HOST:PORT, e.g. 127.0.0.1:4687, :4687 "
        "for every interface, or off");
}

TEST_CASE("extensions and excluded directories are checked item by item") {
  CHECK(errorFor("watch:\n  include_ext: [go, 'src/*.go']\n") ==
        "hotpod.yaml:2:21: watch.include_ext: invalid extension 'src/*.go'; write bare "
        "extensions like [go, tmpl]; put patterns in watch.include");
  CHECK(errorFor("watch:\n  include_ext: 'go, .'\n") ==
        "hotpod.yaml:2:16: watch.include_ext: invalid extension '.'; write bare extensions like "
        "[go, tmpl]; put patterns in watch.include");
  CHECK(errorFor("watch:\n  exclude_dir: [vendor, /tmp]\n") ==
        "hotpod.yaml:2:25: watch.exclude_dir: '/tmp' is an absolute path; write it relative to "
        "root, e.g. build/out");
  CHECK(errorFor("watch:\n  exclude_dir: ./\n") ==
        "hotpod.yaml:2:16: watch.exclude_dir: './' would exclude the whole root; name a "
        "directory below root, e.g. vendor");
}

TEST_CASE("commands of the wrong shape say which shape to use") {
  CHECK(errorFor("build:\n  cmd: [go, build, -o, my app, .]\n") ==
        "hotpod.yaml:2:8: build.cmd: expected a string; the build runs through /bin/sh -c; "
        "write it as one line, e.g. cmd: go build -o 'my app' .");
  CHECK(errorFor("run:\n  cmd: {app: x}\n") ==
        "hotpod.yaml:2:8: run.cmd: expected a string (run through /bin/sh -c) or a list (run "
        "directly), got a map; e.g. cmd: ./app --port 8080, or cmd: [./app, --port, '8080']");
  CHECK(errorFor("run:\n  cmd: [./app, [x]]\n") ==
        "hotpod.yaml:2:16: run.cmd: expected a list of strings, but an item is a list; write it "
        "as e.g. cmd: [./app, --port, '8080']");
}

TEST_CASE("build.env must map names to plain values") {
  CHECK(errorFor("build:\n  env: [A=1]\n") ==
        "hotpod.yaml:2:8: build.env: expected a map of NAME: value, got a list; e.g. env: "
        "{CGO_ENABLED: '0'}");
  CHECK(errorFor("build:\n  env:\n    FLAGS: [a, b]\n") ==
        "hotpod.yaml:3:12: build.env.FLAGS: expected a string, number or boolean, got a list; "
        "quote it to keep it as text, e.g. FLAGS: '[a, b]'");
  CHECK(errorFor("build:\n  env:\n    A=B: 1\n") ==
        "hotpod.yaml:3:5: build.env.A=B: a variable name cannot contain '='; write NAME: value");
}

TEST_CASE("YAML syntax errors keep their position and get a hint") {
  CHECK(errorFor("watch:\n  include: [a, b\n") ==
        "hotpod.yaml:3:1: invalid YAML: end of sequence flow not found; a '[' is missing its "
        "']'");
  CHECK(errorFor("watch:\n\tdelay: 1s\n") ==
        "hotpod.yaml:2:7: invalid YAML: illegal map value; indent with spaces; YAML forbids "
        "tabs");
  CHECK(errorFor("watch:\n  include:\n    - *.go\n") ==
        "hotpod.yaml:3:7: invalid YAML: the referenced anchor is not defined; a value starting "
        "with '*' must be quoted, e.g. '*.go'");
  CHECK(errorFor("run:\n  cmd: \"echo hi") ==
        "hotpod.yaml:2:16: invalid YAML: illegal EOF in scalar; a quoted value is missing its "
        "closing quote");
  CHECK(errorFor("run:\n  cmd: echo a: b\n") ==
        "hotpod.yaml:2:14: invalid YAML: illegal map value; quote values that contain ': ', and "
        "indent keys consistently");
}

TEST_CASE("ConfigError fields match the message") {
  try {
    parseConfigText("watch:\n  delai: 1s\n", "conf/hotpod.yaml");
    FAIL("expected a ConfigError");
  } catch (const ConfigError& error) {
    CHECK(error.file() == "conf/hotpod.yaml");
    CHECK(error.line() == 2);
    CHECK(error.column() == 3);
    CHECK(error.key() == "watch.delai");
    CHECK(error.problem() == "unknown key");
    CHECK(error.hint() == "did you mean 'watch.delay'?");
  }
}

TEST_CASE("durations longer than the clock can count are refused, not wrapped to zero") {
  CHECK(errorFor("run:\n  cmd: ./app\n  stop_timeout: 100000000h\n") ==
        "hotpod.yaml:3:17: run.stop_timeout: duration '100000000h' is longer than the maximum "
        "87600h (10 years); write 87600h or less; it already means 'never'");
  CHECK(errorFor("build:\n  cmd: make\n  timeout: 87601h\n").find("longer than the maximum") !=
        std::string::npos);
  CHECK(errorFor("run:\n  cmd: ./app\n  stop_timeout: 87600h\n") == "no error");
}

TEST_CASE("http.allowed_hosts takes host names") {
  CHECK(errorFor("http:\n  allowed_hosts: [hotpod.dev.svc, '10.0.0.5']\n") == "no error");
  CHECK(errorFor("http:\n  allowed_hosts: ['http://x/']\n") ==
        "hotpod.yaml:2:18: http.allowed_hosts: 'http://x/' is not a host name; list names as "
        "clients send them in Host, e.g. hotpod.dev.svc");
  CHECK(errorFor("http:\n  allowed_host: [a]\n") ==
        "hotpod.yaml:2:3: http.allowed_host: unknown key; did you mean 'http.allowed_hosts'?");
}
