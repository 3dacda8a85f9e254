#include "exec/exec_supervisor.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "app/app_supervisor.h"
#include "app/exec_state_file.h"
#include "base/log.h"
#include "base/reactor.h"
#include "base/signal_source.h"
#include "base/signals.h"
#include "exec/exec_proxy.h"
#include "model/config_error.h"
#include "proc/reaper.h"

namespace hotpod {
namespace {

// A shell's convention for a command that could not be run.
int startFailureStatus(int error) {
  return error == ENOENT ? 127 : 126;
}

std::vector<int> handledSignals(int restart_signal) {
  std::vector<int> handled = passableSignals();
  handled.push_back(SIGCHLD);
  handled.push_back(restart_signal);
  return handled;
}

}  // namespace

struct ExecSupervisor::Impl {
  ExecConfig config;
  Reactor reactor;
  Reaper reaper;
  // Like tini: every signal that is not about hotpod exec itself reaches the app (SIGWINCH,
  // SIGALRM, SIGCONT, SIGTSTP, SIGUSR2 when it is not the restart signal, real-time signals …).
  SignalSource signals{reactor, handledSignals(config.restart_signal)};
  // Before the app: its port(s).
  ExecProxy proxy{reactor, config.proxy, config.readiness, config.command};
  std::unique_ptr<AppRestarter> app;
  std::optional<ExecStateFile> state_file;
  ExecState state;
  uint64_t starts = 0;
  pid_t last_pid = -1;
  int exit_status = 0;
  bool shutting_down = false;
  bool finished = false;
  bool state_file_failing = false;

  explicit Impl(ExecConfig c)
      : config(std::move(c)),
        app(proxy.makeApp(reaper,
                          RunConfig{Command::direct(config.command), config.stop_signal,
                                    config.stop_timeout, true},
                          appOptions(), [this](std::optional<pid_t> pid) { onCandidate(pid); })) {
    signals.on(SIGCHLD, [this] { reaper.reapAll(); });
    signals.on(SIGTERM, [this] { shutdown(SIGTERM); });
    signals.on(SIGINT, [this] { shutdown(SIGINT); });
    signals.otherwise([this](int signal) { forward(signal); });
    signals.on(config.restart_signal, [this] { requestRestart(); });
    state.pid = ::getpid();
    state.command = config.command;
    state.restart_signal = signalName(config.restart_signal);
    state.handover = proxy.handover();
    if (!config.state_file.empty()) {
      state_file.emplace(config.state_file);
      try {
        state_file->write(state);
      } catch (const std::system_error& error) {
        throw ConfigError("", 0, 0, "--state-file", error.what());
      }
    }
  }

  AppSupervisorOptions appOptions() {
    AppSupervisorOptions options;
    options.own_exit =
        config.exit_with_child ? OwnExitPolicy::Report : OwnExitPolicy::RestartAlways;
    options.inherit_stdio = true;
    options.observer.started = [this](pid_t pid) { onStarted(pid); };
    options.observer.ended = [this](const AppEnd& end) { onEnded(end); };
    options.observer.start_failed = [this](int error, auto retry_in) {
      onStartFailed(error, retry_in);
    };
    return options;
  }

  // The marker a sidecar looks for; the cmdline half ("hotpod" "exec") is the argv we got.
  static void advertise() {
    if (::prctl(PR_SET_NAME, kExecProcessName) != 0) {
      log::warn("process_name", std::string("cannot set the process name to ") + kExecProcessName +
                                    ": " + std::strerror(errno));
    }
  }

  int run() {
    advertise();
    const bool pid1 = ::getpid() == 1;
    // PID 1 inherits every orphan of its namespace anyway; elsewhere, ask for the app's.
    if (!pid1) Reaper::becomeSubreaper();
    log::info("exec_started",
              "hotpod exec (pid " + std::to_string(state.pid) + (pid1 ? ", PID 1" : "") +
                  "): restart with " + state.restart_signal + ", stop with " +
                  signalName(config.stop_signal) + "; " + Command::direct(config.command).display(),
              {{"pid", int64_t{state.pid}},
               {"pid1", pid1},
               {"restart_signal", state.restart_signal},
               {"stop_signal", signalName(config.stop_signal)},
               {"exit_with_child", config.exit_with_child}});
    app->restart("start");
    if (!finished) reactor.run();
    state.phase = ExecPhase::Stopped;
    publish();
    log::info("exec_exiting", "hotpod exec exits with status " + std::to_string(exit_status),
              {{"exit_code", int64_t{exit_status}}});
    return exit_status;
  }

  void finish() {
    finished = true;
    reactor.stop();
  }

  void shutdown(int signal) {
    if (shutting_down) {
      // Runtimes resend SIGTERM; the stop timeout already bounds the wait.
      log::info("shutdown", signalName(signal) + " again: already stopping");
      return;
    }
    shutting_down = true;
    log::info("shutdown",
              signalName(signal) + " received: stopping the app with " +
                  signalName(config.stop_signal) + ", then exiting with its status",
              {{"signal", signalName(signal)}});
    state.phase = ExecPhase::Stopping;
    publish();
    app->stop([this] { finish(); });
  }

  void forward(int signal) {
    const pid_t pid = app->pid();
    if (pid > 0 && app->signalGroup(signal)) {
      log::info("signal_forwarded",
                "forwarded " + signalName(signal) + " to the app's group (pid " +
                    std::to_string(pid) + ")",
                {{"signal", signalName(signal)}, {"pid", int64_t{pid}}});
      return;
    }
    log::warn("signal_dropped",
              signalName(signal) + " received while no app runs (" +
                  std::string(toString(state.phase)) + "); not forwarded",
              {{"signal", signalName(signal)}});
  }

  void requestRestart() {
    const std::string name = signalName(config.restart_signal);
    if (shutting_down) {
      log::info("restart_ignored", name + " received while stopping; not restarting");
      return;
    }
    if (!config.refuse_restarts.empty()) {
      log::warn("restart_refused",
                name + " received: not restarting the app, " + config.refuse_restarts,
                {{"signal", name}});
      return;
    }
    const pid_t pid = app->pid();
    log::info("restart_requested",
              name + " received: restarting the app" +
                  (pid > 0 ? " (pid " + std::to_string(pid) + ")" : std::string()),
              {{"signal", name}, {"pid", int64_t{pid}}});
    const bool running = app->running();
    // Overlap: the old version keeps running (and serving) while the new one starts.
    if (pid > 0 && !(running && state.handover == "overlap")) {
      state.phase = ExecPhase::Restarting;
      publish();
    }
    // After the answers under way (stop-first proxy); with no app (back-off), it starts at once.
    proxy.restarting(name + " received", running, [this, why = name + " received"] {
      if (!shutting_down) app->restart(why);
    });
  }

  void onStarted(pid_t pid) {
    proxy.started();
    if (state.child_pid) last_pid = *state.child_pid;  // overlap: the old one is being stopped
    state.candidate_pid.reset();
    ++starts;
    state.child_pid = pid;
    state.restarts = starts - 1;
    state.phase = ExecPhase::Running;
    if (starts > 1) {
      log::info("child_restarted",
                "app running again (pid " + std::to_string(pid) + ", restart " +
                    std::to_string(state.restarts) + ")",
                {{"pid", int64_t{pid}},
                 {"old_pid", int64_t{last_pid}},
                 {"restarts", static_cast<int64_t>(state.restarts)}});
    }
    publish();
  }

  // Overlap: a new version is being started (its pid), or it ended before it was ready.
  void onCandidate(std::optional<pid_t> pid) {
    state.candidate_pid = pid;
    publish();
  }

  void onEnded(const AppEnd& end) {
    proxy.ended(end);
    last_pid = end.pid;
    exit_status = end.exit.code();
    state.child_pid.reset();
    state.last_exit = end.exit.describe();
    state.last_exit_code = exit_status;
    if (end.restart_in) {
      state.phase = ExecPhase::Backoff;
    } else if (end.on_its_own) {  // --exit-with-child: nothing restarts it
      state.phase = ExecPhase::Stopping;
      finish();
    }
    publish();
  }

  void onStartFailed(int error, std::optional<std::chrono::milliseconds> retry_in) {
    exit_status = startFailureStatus(error);
    state.child_pid.reset();
    state.last_exit = std::string("not started: ") + std::strerror(error);
    state.last_exit_code = exit_status;
    if (retry_in) {
      state.phase = ExecPhase::Backoff;
    } else {
      state.phase = ExecPhase::Stopping;
      finish();
    }
    publish();
  }

  // The state file follows every change; failing to write it must not take the app down.
  void publish() {
    if (!state_file) return;
    try {
      state_file->write(state);
      if (state_file_failing) log::info("state_file", "state file written again");
      state_file_failing = false;
    } catch (const std::system_error& error) {
      if (!state_file_failing) {
        log::warn("state_file", std::string("cannot update the state file: ") + error.what(),
                  {{"path", state_file->path().string()}});
      }
      state_file_failing = true;
    }
  }
};

ExecSupervisor::ExecSupervisor(ExecConfig config)
    : impl_(std::make_unique<Impl>(std::move(config))) {}
ExecSupervisor::~ExecSupervisor() = default;
int ExecSupervisor::run() {
  return impl_->run();
}

}  // namespace hotpod
