#include "model/exec_protocol.h"

#include <algorithm>

#include "base/signals.h"
#include "model/config_error.h"

namespace hotpod {
namespace {

constexpr const char* kRestartFlag = "--restart-signal";
constexpr const char* kRestartHint =
    "use SIGUSR2 (the default) or a real-time signal such as SIGRTMIN+1";

}  // namespace

std::string restartSignalProblem(int signal) {
  const std::string name = signalName(signal);
  if (std::find(kForwardedSignals.begin(), kForwardedSignals.end(), signal) !=
      kForwardedSignals.end()) {
    return name + " is forwarded to the app (SIGTERM, SIGINT, SIGHUP, SIGUSR1 and SIGQUIT are), " +
           "so it cannot also mean restart";
  }
  if (signal == SIGKILL || signal == SIGSTOP) return name + " cannot be caught by any process";
  if (signal == SIGCHLD)
    return "SIGCHLD tells hotpod exec that a child ended; it cannot mean restart";
  // Signals the kernel sends for hotpod's own faults: blocking them hides a crash.
  for (int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT}) {
    if (signal == fault) return name + " reports a fault in hotpod exec itself";
  }
  return {};
}

int parseRestartSignal(std::string_view text) {
  const auto signal = parseSignal(text);
  if (!signal) {
    throw ConfigError("", 0, 0, kRestartFlag, "unknown signal '" + std::string(text) + "'",
                      kRestartHint);
  }
  if (auto problem = restartSignalProblem(*signal); !problem.empty()) {
    throw ConfigError("", 0, 0, kRestartFlag, problem, kRestartHint);
  }
  return *signal;
}

}  // namespace hotpod
