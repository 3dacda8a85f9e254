#pragma once
// What the status needs to hear of the app's end, the same for the dev loop and each service.
#include <cstring>

#include "app/app_restarter.h"
#include "observe/loop_state.h"

namespace hotpod {

inline void reportAppGone(LoopState& state, const AppEnd& end) {
  // An app in another container that ended unseen by the agent counts as a crash.
  const bool clean = end.exit_known && end.exit.exited() && end.exit.code() == 0;
  state.appGone(end.exit_known ? end.exit.describe() : "ended", !end.on_its_own ? AppExit::Stopped
                                                                : clean ? AppExit::ExitedCleanly
                                                                        : AppExit::Crashed);
}

inline void reportAppStartFailed(LoopState& state, int error) {
  state.appStartFailed(std::strerror(error));
}

}  // namespace hotpod
