#include "loop/stray_signals.h"

#include <signal.h>

#include <string>

#include "base/log.h"
#include "base/signals.h"

namespace hotpod {

std::vector<int> loopSignals(const std::vector<int>& stopping) {
  std::vector<int> signals = stopping;
  signals.push_back(SIGCHLD);
  for (int signal : passableSignals()) {
    if (endsProcessByDefault(signal)) signals.push_back(signal);
  }
  return signals;
}

void handleStraySignal(AppRestarter& app, LoopRole role, int signal) {
  const std::string name = signalName(signal);
  const pid_t pid = app.pid();
  if (role == LoopRole::Run && pid > 0 && app.signal(signal)) {
    log::info("signal_forwarded",
              "forwarded " + name + " to the app (pid " + std::to_string(pid) + ")",
              {{"signal", name}, {"pid", int64_t{pid}}});
    return;
  }
  log::warn("signal_ignored",
            name + " received" + (role == LoopRole::Run ? " while no app runs" : std::string()) +
                "; ignored (SIGTERM or SIGINT stop hotpod)",
            {{"signal", name}});
}

}  // namespace hotpod
