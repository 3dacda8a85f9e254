// The target section (hotpod agent): values, defaults, flags, and mistakes reported with their
// place and the fix.
#include <doctest/doctest.h>

#include <csignal>

#include "app/peer_finder.h"
#include "config/loader.h"
#include "config/target_reader.h"
#include "model/config_error.h"

using namespace hotpod;

namespace {

std::string errorFor(std::string_view yaml) {
  try {
    parseConfigText(yaml, "hotpod.yaml");
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "no error";
}

std::string agentErrorFor(const Config& config) {
  try {
    checkAgentTarget(config);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("target defaults: hotpod exec found by its marker, its own restart signal, 10s") {
  const TargetConfig target = parseConfigText("", "hotpod.yaml").target;
  CHECK(target.mode == TargetMode::Exec);
  CHECK(target.match == TargetMatch::Exec);
  CHECK_FALSE(target.signal);
  CHECK(target.confirm_timeout == Duration{10000});
  CHECK(describeTargetMatch(target) == "hotpod exec (marker)");
}

TEST_CASE("target keys are read") {
  Config config = parseConfigText(R"(
target:
  mode: signal
  match:
    cmdline: 'python3 .*app\.py'
  signal: SIGHUP
  confirm_timeout: 3s
)",
                                  "hotpod.yaml");
  CHECK(config.target.mode == TargetMode::Signal);
  CHECK(config.target.match == TargetMatch::Cmdline);
  CHECK(config.target.match_value == R"(python3 .*app\.py)");
  CHECK(config.target.signal == SIGHUP);
  CHECK(config.target.confirm_timeout == Duration{3000});
  CHECK(agentErrorFor(config) == "no error");

  config = parseConfigText("target:\n  match: {exec: false, pidfile: /shared/app.pid}\n", "x.yaml");
  CHECK(config.target.match == TargetMatch::Pidfile);
  CHECK(config.target.match_value == "/shared/app.pid");
  CHECK(describeTargetMatch(config.target) == "pidfile /shared/app.pid");
}

TEST_CASE("a flag's match replaces the file's, and is validated like the key") {
  Config config = parseConfigText("target:\n  mode: signal\n  match: {cmdline: app}\n", "x.yaml");
  applySetting(config, "target.match.exe", {"server"}, false, "--target-exe");
  CHECK(config.target.match == TargetMatch::Exe);
  CHECK(config.target.match_value == "server");
  applySetting(config, "target.signal", {"USR1"}, false, "--target-signal");
  CHECK(config.target.signal == SIGUSR1);
  try {
    applySetting(config, "target.match.exe", {"/src/bin/app"}, false, "--target-exe");
    FAIL("a path was accepted as a program name");
  } catch (const ConfigError& error) {
    CHECK(std::string(error.what()) ==
          "--target-exe: target.match.exe: '/src/bin/app' is a path; exe is a program's name; "
          "write its last part, e.g. exe: app, or match the path with cmdline: REGEX");
  }
}

TEST_CASE("mistakes in target name the place and the fix") {
  CHECK(errorFor("target:\n  mode: restart\n") ==
        "hotpod.yaml:2:9: target.mode: invalid value 'restart'; valid values: exec, signal");
  CHECK(errorFor("target:\n  match: {exe: app, cmdline: app}\n") ==
        "hotpod.yaml:2:21: target.match.cmdline: target.match takes one way to find the target, "
        "and target.match.exe is already set; keep only one of exec, exe, cmdline and pidfile");
  CHECK(errorFor("target:\n  match:\n    exec: false\n") ==
        "hotpod.yaml:3:11: target.match.exec: exec: false leaves no way to find the target; "
        "write exe: NAME, cmdline: REGEX or pidfile: PATH instead");
  CHECK(errorFor("target:\n  match:\n") ==
        "hotpod.yaml:2:3: target.match: no way to find the target; write one of exec: true (the "
        "default), exe: NAME, cmdline: REGEX or pidfile: PATH");
  CHECK(errorFor("target:\n  match: app\n") ==
        "hotpod.yaml:2:10: target.match: expected one of exec, exe, cmdline or pidfile, got "
        "'app'; e.g. match: {exe: app}");
  CHECK(errorFor("target:\n  match:\n    exe: app\n    pid_file: /x\n") ==
        "hotpod.yaml:4:5: target.match.pid_file: unknown key; did you mean "
        "'target.match.pidfile'?");
  CHECK(errorFor("target:\n  match: {cmdline: 'app(('}\n")
            .find("hotpod.yaml:2:20: target.match.cmdline: invalid regular expression 'app(('") ==
        0);
  CHECK(errorFor("target:\n  signal: SIGKILL\n") ==
        "hotpod.yaml:2:11: target.signal: SIGKILL cannot be caught, so the app could not reload; "
        "use SIGHUP for an app that reloads itself, or leave it unset for hotpod exec");
  CHECK(errorFor("target:\n  signal: SIGNOPE\n") ==
        "hotpod.yaml:2:11: target.signal: unknown signal 'SIGNOPE'; use a name such as SIGTERM, "
        "SIGINT, SIGHUP, SIGUSR1, or a number from 1 to 64");
  CHECK(errorFor("target:\n  confirm_timeout: 0s\n") ==
        "hotpod.yaml:2:20: target.confirm_timeout: must be longer than 0; e.g. "
        "confirm_timeout: 10s");
  CHECK(errorFor("target:\n  confirm: 5s\n") ==
        "hotpod.yaml:2:3: target.confirm: unknown key; valid keys in 'target': mode, match, "
        "signal, confirm_timeout");
}

TEST_CASE("what needs the whole config is checked when hotpod agent starts") {
  Config config = parseConfigText("target:\n  mode: signal\n", "hotpod.yaml");
  CHECK(agentErrorFor(config).find("hotpod.yaml: target.match: target.mode: signal sends the "
                                   "signal straight to the app, but the match finds hotpod exec; "
                                   "say how to find the app: target.match.exe") == 0);
  config = parseConfigText("target:\n  signal: SIGHUP\n", "hotpod.yaml");
  CHECK(agentErrorFor(config).find("hotpod.yaml: target.signal: hotpod exec would not restart the "
                                   "app on it: SIGHUP is forwarded to the app") == 0);
  config = parseConfigText("target:\n  signal: SIGUSR2\n", "hotpod.yaml");
  CHECK(agentErrorFor(config) == "no error");
}
