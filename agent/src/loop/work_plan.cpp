#include "loop/work_plan.h"

namespace hotpod {

Work planWork(const RuleMatcher& rules, const ChangeSet& changes, const Builder& builder,
              const std::string& build_cmd) {
  Work work{rules.empty() ? RulePlan{true, RuleAction::Build, {}, {}} : rules.plan(changes), {}};
  std::vector<std::string> steps = work.plan.runs;
  if (work.plan.action == RuleAction::Build && builder.configured()) steps.push_back(build_cmd);
  work.command = chainShellCommands(steps);
  return work;
}

}  // namespace hotpod
