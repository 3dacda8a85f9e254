#include "config/target_reader.h"

#include <regex>

#include "base/signals.h"
#include "model/config_error.h"
#include "model/exec_protocol.h"

namespace hotpod {
namespace {

constexpr std::string_view kMatchExample = "exe: app";

// target.match: exactly one way to find the process. A match section replaces the earlier one
// as a whole, so a flag (--target-exe) overrides the file's cmdline rather than adding to it.
void readMatch(const YamlReader& reader, const YamlField& section, TargetConfig& target) {
  if (!section.value.IsNull() && !section.value.IsMap()) {
    reader.fail(
        section,
        "expected one of exec, exe, cmdline or pidfile, got " + describeNodeType(section.value),
        "e.g. match: {" + std::string(kMatchExample) + "}");
  }
  const auto fields = reader.sectionFields(section, "target.match");
  if (fields.empty()) {
    reader.fail(
        section, "no way to find the target",
        "write one of exec: true (the default), exe: NAME, cmdline: REGEX or pidfile: PATH");
  }
  const YamlField* chosen = nullptr;
  for (const auto& field : fields) {
    const std::string& name = field.key_node.Scalar();
    if (name == "exec" && !reader.readBool(field)) {
      if (fields.size() == 1) {
        reader.fail(field, "exec: false leaves no way to find the target",
                    "write exe: NAME, cmdline: REGEX or pidfile: PATH instead");
      }
      continue;  // "exec: false" next to another key only says "not the marker"
    }
    if (chosen != nullptr) {
      reader.failAt(
          field.key_node, field.key,
          "target.match takes one way to find the target, and " + chosen->key + " is already set",
          "keep only one of exec, exe, cmdline and pidfile");
    }
    chosen = &field;
  }
  const std::string& name = chosen->key_node.Scalar();
  target.match_value.clear();
  if (name == "exec") {
    target.match = TargetMatch::Exec;
  } else if (name == "exe") {
    target.match = TargetMatch::Exe;
    target.match_value = reader.readString(*chosen, "app");
    if (target.match_value.empty()) reader.fail(*chosen, "missing program name", "e.g. exe: app");
    if (target.match_value.find('/') != std::string::npos) {
      reader.fail(*chosen, "'" + target.match_value + "' is a path; exe is a program's name",
                  "write its last part, e.g. exe: " +
                      target.match_value.substr(target.match_value.rfind('/') + 1) +
                      ", or match the path with cmdline: REGEX");
    }
  } else if (name == "cmdline") {
    target.match = TargetMatch::Cmdline;
    target.match_value = reader.readString(*chosen, "'python3 .*app\\.py'");
    if (target.match_value.empty()) {
      reader.fail(*chosen, "missing regular expression", "e.g. cmdline: 'python3 .*app\\.py'");
    }
    try {
      std::regex check(target.match_value, std::regex::ECMAScript);
    } catch (const std::regex_error& error) {
      reader.fail(*chosen,
                  "invalid regular expression '" + target.match_value + "': " + error.what(),
                  "write an ECMAScript regex; escape . ( ) [ ] * + ? with a backslash to match "
                  "them literally");
    }
  } else if (name == "pidfile") {
    target.match = TargetMatch::Pidfile;
    target.match_value = reader.readString(*chosen, "/shared/app.pid");
    if (target.match_value.empty())
      reader.fail(*chosen, "missing path", "e.g. pidfile: /shared/app.pid");
  }
}

}  // namespace

void readTarget(const YamlReader& reader, const YamlField& section, TargetConfig& target) {
  for (const auto& field : reader.sectionFields(section, "target")) {
    const std::string& name = field.key_node.Scalar();
    if (name == "mode") {
      target.mode = reader.readChoice(field, {"exec", "signal"}) == "signal" ? TargetMode::Signal
                                                                             : TargetMode::Exec;
    } else if (name == "match") {
      readMatch(reader, field, target);
    } else if (name == "signal") {
      if (field.value.IsNull() || (field.value.IsScalar() && field.value.Scalar().empty())) {
        target.signal.reset();  // back to the mode's default
        continue;
      }
      const int signal = reader.readSignal(field);
      if (signal == SIGKILL || signal == SIGSTOP) {
        reader.fail(field, signalName(signal) + " cannot be caught, so the app could not reload",
                    "use SIGHUP for an app that reloads itself, or leave it unset for hotpod exec");
      }
      target.signal = signal;
    } else if (name == "confirm_timeout") {
      target.confirm_timeout = reader.readDuration(field);
      if (target.confirm_timeout <= Duration{0}) {
        reader.fail(field, "must be longer than 0", "e.g. confirm_timeout: 10s");
      }
    }
  }
}

void checkAgentTarget(const Config& config) {
  const TargetConfig& target = config.target;
  const std::string file = config.source.string();
  if (target.mode == TargetMode::Signal && target.match == TargetMatch::Exec) {
    throw ConfigError(file, 0, 0, "target.match",
                      "target.mode: signal sends the signal straight to the app, but the match "
                      "finds hotpod exec",
                      "say how to find the app: target.match.exe, .cmdline or .pidfile (flags "
                      "--target-exe, --target-cmdline, --target-pidfile); for an app under hotpod "
                      "exec, use target.mode: exec");
  }
  if (target.mode == TargetMode::Exec && target.signal) {
    if (auto problem = restartSignalProblem(*target.signal); !problem.empty()) {
      throw ConfigError(file, 0, 0, "target.signal",
                        "hotpod exec would not restart the app on it: " + problem,
                        "leave target.signal unset (the agent asks hotpod exec which signal it "
                        "restarts on), or use target.mode: signal for an app that reloads itself");
    }
  }
}

}  // namespace hotpod
