#pragma once
// How a build ended. Compared as an enum inside hotpod; spelled out only where JSON, metrics
// and logs are written ("success", "failure", "timeout", "cancelled").
#include <string_view>

namespace hotpod {

enum class BuildResult { Succeeded, Failed, TimedOut, Cancelled };
std::string_view toString(BuildResult result);

// A build that failed or timed out: its output is kept and the version it made never runs.
inline bool failed(BuildResult result) {
  return result == BuildResult::Failed || result == BuildResult::TimedOut;
}

}  // namespace hotpod
