#pragma once
// Signals that would end hotpod run/agent by their default action although nobody asked it to
// stop (SIGUSR1, SIGUSR2, SIGALRM, real-time signals …). Dying of one would orphan the app and
// leave the scratch directory behind, so the loop catches them: `hotpod run` passes them on to
// its app, `hotpod agent` logs and ignores them.
#include <vector>

#include "app/app_restarter.h"
#include "model/loop_role.h"

namespace hotpod {

// The signals the dev loop reads from its signalfd: `stopping` plus the stray ones.
std::vector<int> loopSignals(const std::vector<int>& stopping);

// Passes a stray signal on to the app (hotpod run) or logs that it is ignored.
void handleStraySignal(AppRestarter& app, LoopRole role, int signal);

}  // namespace hotpod
