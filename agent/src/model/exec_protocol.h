#pragma once
// What hotpod exec (the app container's supervisor) and hotpod agent (the sidecar) agree on:
// how the agent recognises the supervisor and which signals may mean "restart".
#include <array>
#include <csignal>
#include <string>
#include <string_view>

namespace hotpod {

// Signals that keep their usual meaning, so none can be the restart signal. hotpod exec passes
// them (and every other signal but the restart signal; see passableSignals) on to the child's
// process group, like tini. SIGTERM and SIGINT also end hotpod exec: the child gets the stop
// signal, then SIGKILL after the stop timeout.
inline constexpr std::array<int, 5> kForwardedSignals{SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGQUIT};

// How a sidecar recognises the supervisor in a shared PID namespace: /proc/PID/comm is
// kExecProcessName, and /proc/PID/cmdline is "…/hotpod" "exec" … (argv[0]'s basename, argv[1]).
inline constexpr char kExecProcessName[] = "hotpod-exec";

// Why `signal` cannot be the restart signal (hotpod exec forwards it, needs it, or nothing can
// catch it); empty when it can. hotpod agent checks target.signal with it too.
std::string restartSignalProblem(int signal);

// Reads a --restart-signal value (name or number). It must be a signal hotpod exec can catch
// and does not forward or need for itself; throws ConfigError saying what to pick instead.
int parseRestartSignal(std::string_view text);

}  // namespace hotpod
