#include "config/rule_reader.h"

#include "config/list_readers.h"

namespace hotpod {
namespace {

Rule readRule(const YamlReader& reader, const YamlField& item) {
  Rule rule;
  rule.line = item.value.Mark().line + 1;
  const YamlField* action_field = nullptr;
  for (const auto& field : reader.sectionFields(item, "rules")) {
    const std::string& name = field.key_node.Scalar();
    if (name == "match") {
      rule.match = readTexts(reader, field, "['*.go', 'config/*.yaml']");
    } else if (name == "ext") {
      rule.ext = readExtensions(reader, field);
    } else if (name == "delay") {
      rule.delay = reader.readDuration(field);
    } else {
      if (action_field != nullptr) {
        reader.fail(
            field,
            "a rule has one action; '" + action_field->key_node.Scalar() + "' is already given",
            "split it into two rules");
      }
      action_field = &field;
      if (name == "signal") {
        rule.action = RuleAction::Signal;
        rule.signal = reader.readSignal(field);
      } else if (name == "run") {
        rule.action = RuleAction::Run;
        rule.run = reader.readString(field, "make generate");
        if (rule.run.empty()) reader.fail(field, "empty command", "e.g. run: make generate");
      } else {  // action
        const auto action =
            reader.readChoice(field, {"build", "restart", "notify", "signal", "run"});
        if (action == "signal" || action == "run") {
          reader.fail(field, "'" + action + "' needs its argument",
                      "write it as " + action +
                          (action == "signal" ? ": SIGHUP" : ": make generate") +
                          " instead of action: " + action);
        }
        rule.action = action == "restart"  ? RuleAction::Restart
                      : action == "notify" ? RuleAction::Notify
                                           : RuleAction::Build;
      }
    }
  }
  if (rule.match.empty() && rule.ext.empty()) {
    reader.fail(item, "a rule needs 'match' (patterns) or 'ext' (extensions)",
                "e.g. - {match: 'config/*.yaml', signal: SIGHUP}");
  }
  if (action_field == nullptr) {
    reader.fail(item, "a rule needs an action",
                "add one of action: build|restart|notify, signal: NAME, run: CMD");
  }
  return rule;
}

}  // namespace

std::vector<Rule> readRules(const YamlReader& reader, const YamlField& field) {
  if (field.value.IsNull()) return {};
  if (!field.value.IsSequence()) {
    reader.fail(
        field, "expected a list of rules",
        "e.g. rules: [{match: '*.go', action: build}, {match: 'config/*', signal: SIGHUP}]");
  }
  std::vector<Rule> rules;
  for (size_t i = 0; i < field.value.size(); ++i) {
    const YAML::Node item = field.value[i];
    rules.push_back(readRule(reader, {"rules[" + std::to_string(i) + "]", item, item}));
  }
  return rules;
}

}  // namespace hotpod
