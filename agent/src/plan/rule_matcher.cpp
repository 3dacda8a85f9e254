#include "plan/rule_matcher.h"

#include <algorithm>

#include "base/signals.h"

namespace hotpod {

std::string_view toString(RuleAction action) {
  switch (action) {
    case RuleAction::Build:
      return "build";
    case RuleAction::Restart:
      return "restart";
    case RuleAction::Signal:
      return "signal";
    case RuleAction::Run:
      return "run";
    case RuleAction::Notify:
      return "notify";
  }
  return "?";
}

RuleMatcher::RuleMatcher(std::vector<Rule> rules) : rules_(std::move(rules)) {
  for (const auto& rule : rules_) selectors_.emplace_back(rule.ext, rule.match);
}

std::optional<size_t> RuleMatcher::ruleFor(std::string_view rel_path) const {
  const std::string path(rel_path);
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (selectors_[i].selects(path)) return i;
  }
  return std::nullopt;
}

std::optional<Duration> RuleMatcher::delayFor(std::string_view rel_path) const {
  const auto index = ruleFor(rel_path);
  return index ? rules_[*index].delay : std::nullopt;
}

RulePlan RuleMatcher::plan(const ChangeSet& changes) const {
  std::vector<bool> hit(rules_.size(), false);
  for (const auto& [path, kind] : changes.changes()) {
    if (auto index = ruleFor(path)) hit[*index] = true;
  }
  RulePlan plan;
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (!hit[i]) continue;
    const Rule& rule = rules_[i];
    if (!plan.any || rule.action > plan.action) plan.action = rule.action;
    plan.any = true;
    if (rule.action == RuleAction::Run &&
        std::find(plan.runs.begin(), plan.runs.end(), rule.run) == plan.runs.end()) {
      plan.runs.push_back(rule.run);
    }
    if (rule.action == RuleAction::Signal &&
        std::find(plan.signals.begin(), plan.signals.end(), rule.signal) == plan.signals.end()) {
      plan.signals.push_back(rule.signal);
    }
  }
  return plan;
}

std::string RuleMatcher::describe(size_t index) const {
  const Rule& rule = rules_.at(index);
  std::string what;
  for (const auto& pattern : rule.match) what += (what.empty() ? "" : ", ") + pattern;
  for (const auto& ext : rule.ext) what += (what.empty() ? "*." : ", *.") + ext;
  std::string action(toString(rule.action));
  if (rule.action == RuleAction::Signal) action += " " + signalName(rule.signal);
  if (rule.action == RuleAction::Run) action += " `" + rule.run + "`";
  // Numbered like config errors name a rule: rules[0] is the first.
  return "rules[" + std::to_string(index) + "] (line " + std::to_string(rule.line) + "): " + what +
         " → " + action;
}

}  // namespace hotpod
