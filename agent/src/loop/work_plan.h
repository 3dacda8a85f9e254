#pragma once
// What a batch of changes asks the dev loop (or a service) to do: its rules' plan — without
// rules, every change builds — and the one builder job that runs the hit rules' `run` commands
// and, when the plan builds, build.cmd (so they share its timeout, cancellation and failure
// handling). An empty command: nothing to run, go straight to the plan's action.
#include <string>

#include "build/builder.h"
#include "plan/rule_matcher.h"

namespace hotpod {

struct Work {
  RulePlan plan;
  std::string command;
};

Work planWork(const RuleMatcher& rules, const ChangeSet& changes, const Builder& builder,
              const std::string& build_cmd);

}  // namespace hotpod
