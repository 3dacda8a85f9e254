#pragma once
// `hotpod exec -- CMD…`: the app container's entrypoint. It runs CMD as its child (its own
// session and process group), does PID 1's duties (reaps every orphan, passes signals on), and
// keeps the container up: the restart signal restarts CMD from the program file on disk, a
// crash restarts it with back-off, and only SIGTERM/SIGINT (or --exit-with-child) make it exit,
// with the child's status. The child's life is AppSupervisor's, the same as under `hotpod run`.
#include <array>
#include <csignal>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace hotpod {

struct ExecConfig {
  std::vector<std::string> command;  // exec'd directly: argv[0] is looked up in PATH if bare
  int restart_signal = SIGUSR2;
  int stop_signal = SIGTERM;
  Duration stop_timeout{5000};
  bool exit_with_child = false;
  std::filesystem::path state_file;  // empty: no state file
};

// Passed on to the child's process group, like tini. SIGTERM and SIGINT also end hotpod exec:
// the child gets the stop signal, then SIGKILL after the stop timeout.
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

class ExecSupervisor {
 public:
  // Writes the state file's first version (a path that cannot be written is a ConfigError).
  explicit ExecSupervisor(ExecConfig config);
  ~ExecSupervisor();
  ExecSupervisor(const ExecSupervisor&) = delete;
  ExecSupervisor& operator=(const ExecSupervisor&) = delete;

  // Runs until it is told to stop (or, with exit_with_child, the child ends); returns the exit
  // status for hotpod exec: the last child's status (128 + signal when it was killed), 0 when no
  // child ever ran, 127/126 when the program could not be started with exit_with_child.
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hotpod
