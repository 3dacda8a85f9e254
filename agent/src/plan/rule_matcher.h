#pragma once
// Which rule a changed file falls under (the first that matches, in the order written), and what
// a whole ChangeSet therefore does: the strongest action any of its files asks for, after the
// `run` commands of every rule it hit (in rule order).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "filter/file_selector.h"
#include "model/change_set.h"
#include "model/config.h"

namespace hotpod {

struct RulePlan {
  bool any = false;  // some file hit a rule
  RuleAction action = RuleAction::Notify;
  std::vector<int> signals;       // for Signal, distinct, in rule order
  std::vector<std::string> runs;  // commands of every hit rule, in rule order
};

class RuleMatcher {
 public:
  explicit RuleMatcher(std::vector<Rule> rules);

  bool empty() const { return rules_.empty(); }
  // Index of the first rule matching rel_path, if any.
  std::optional<size_t> ruleFor(std::string_view rel_path) const;
  std::optional<Duration> delayFor(std::string_view rel_path) const;
  RulePlan plan(const ChangeSet& changes) const;
  // "rules[1] (line 5): config/*.yaml → signal SIGHUP" (numbered from 0, as config errors are)
  std::string describe(size_t index) const;

 private:
  std::vector<Rule> rules_;
  std::vector<FileSelector> selectors_;  // one per rule: its ext and match
};

std::string_view toString(RuleAction action);

}  // namespace hotpod
