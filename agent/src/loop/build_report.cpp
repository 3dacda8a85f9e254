#include "base/duration.h"
#include "loop/dev_loop.h"

namespace hotpod {

std::string describeFailedBuild(const BuildOutcome& outcome, bool app_running) {
  std::string block =
      "build #" + std::to_string(outcome.number) + " FAILED (" +
      (outcome.result == BuildResult::TimedOut ? std::string("timed out")
                                               : outcome.exit.describe()) +
      ") after " + formatDuration(outcome.duration) + "; " +
      (app_running ? "the app keeps running the previous version" : "no app is running") +
      ". Last output:";
  if (outcome.tail.empty()) block += " (none)";
  const size_t shown = std::min<size_t>(outcome.tail.size(), 20);
  for (size_t i = outcome.tail.size() - shown; i < outcome.tail.size(); ++i) {
    block += "\n    " + outcome.tail[i];
  }
  return block;
}

}  // namespace hotpod
