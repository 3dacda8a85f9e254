#pragma once
// `hotpod exec -- CMD…`: the app container's entrypoint. It runs CMD as its child (its own
// session and process group), does PID 1's duties (reaps every orphan, passes signals on), and
// keeps the container up: the restart signal restarts CMD from the program file on disk, a
// crash restarts it with back-off, and only SIGTERM/SIGINT (or --exit-with-child) make it exit,
// with the child's status. The child's life is AppSupervisor's, the same as under `hotpod run`.
#include <csignal>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/config.h"
#include "model/exec_protocol.h"

namespace hotpod {

struct ExecConfig {
  std::vector<std::string> command;  // exec'd directly: argv[0] is looked up in PATH if bare
  int restart_signal = SIGUSR2;
  int stop_signal = SIGTERM;
  Duration stop_timeout{5000};
  bool exit_with_child = false;
  std::filesystem::path state_file;  // empty: no state file
  // Non-empty: why restart signals are refused (the environment is production; the app keeps
  // running, supervised, and only a new container brings a new version).
  std::string refuse_restarts;
  // The dev proxy (--proxy-listen): CMD gets PORT/HOST or {port} in its arguments; the
  // handover is stop-first or overlap (--proxy-handover).
  ProxyConfig proxy;
  // Overlap's readiness: health_url's path, asked on the new version's port (else a connect),
  // within ready_timeout (--health-url, --ready-timeout).
  AppConfig readiness;
};

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
