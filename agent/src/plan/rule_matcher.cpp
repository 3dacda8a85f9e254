#include "plan/rule_matcher.h"

#include <algorithm>

#include "base/signals.h"

namespace hotpod {
namespace {

bool hasExtension(std::string_view path, const std::vector<std::string>& extensions) {
  const auto name =
      path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1);
  return std::any_of(extensions.begin(), extensions.end(), [&](const std::string& ext) {
    return name.size() > ext.size() && name.ends_with(ext) &&
           name[name.size() - ext.size() - 1] == '.';
  });
}

// Gitignore semantics: a pattern matching a parent directory ("static/") covers the file too.
bool matchesPatterns(const IgnoreRules& patterns, const std::string& path) {
  if (patterns.empty()) return false;
  for (size_t slash = path.find('/'); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    if (patterns.match(path.substr(0, slash), true) == IgnoreVerdict::kIgnored) return true;
  }
  return patterns.match(path, false) == IgnoreVerdict::kIgnored;
}

}  // namespace

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
  for (const auto& rule : rules_) patterns_.push_back(IgnoreRules::fromLines(rule.match, ""));
}

std::optional<size_t> RuleMatcher::ruleFor(std::string_view rel_path) const {
  const std::string path(rel_path);
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (hasExtension(path, rules_[i].ext) || matchesPatterns(patterns_[i], path)) return i;
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
  return "rule " + std::to_string(index + 1) + " (line " + std::to_string(rule.line) +
         "): " + what + " → " + action;
}

}  // namespace hotpod
