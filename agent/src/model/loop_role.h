#pragma once
// Which command runs the loop: `hotpod run` (the app is hotpod's child) or `hotpod agent` (a
// sidecar that restarts the app through hotpod exec in another container).
#include <string_view>

namespace hotpod {

enum class LoopRole { Run, Agent };

// "run" or "agent", as /v1/status reports it.
inline std::string_view toString(LoopRole role) {
  return role == LoopRole::Agent ? "agent" : "run";
}

}  // namespace hotpod
