#pragma once
// Runs the app as hotpod's child in its own session. A restart stops the whole old group
// (stop_signal, stop_timeout, then SIGKILL) and starts the new app only once every member is
// gone. A crash restarts it with capped exponential back-off.
// `hotpod run` drives it with file changes; `hotpod exec` with signals, through the options below.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "app/app_restarter.h"
#include "base/reactor.h"
#include "base/timer.h"
#include "model/config.h"
#include "proc/process_group.h"

namespace hotpod {

// What the supervisor does when the app ends without being asked to.
enum class OwnExitPolicy {
  // hotpod run: a crash restarts with back-off (run.restart_on_crash); after an exit with code 0
  // the app starts again on the next change.
  RestartCrashes,
  // hotpod exec: every end, and every failed start, is retried with back-off, so the container
  // keeps running (a rebuilt binary may simply not be there yet).
  RestartAlways,
  // hotpod exec --exit-with-child: nothing is restarted; the observer decides what follows.
  Report,
};

struct AppSupervisorOptions {
  OwnExitPolicy own_exit = OwnExitPolicy::RestartCrashes;
  bool inherit_stdio = false;  // see SpawnSpec::inherit_stdio
  AppObserver observer;
  // Each line the app writes, after it has been logged (hotpod run looks for port clashes).
  std::function<void(std::string_view line)> output_line;
  // Set in the app's environment on top of hotpod's own (the dev proxy's PORT and HOST).
  std::map<std::string, std::string> env = {};

  // The dev proxy's private port for the app: PORT, and HOST=127.0.0.1 (nothing else reaches it).
  void listenOn(int port) {
    env["PORT"] = std::to_string(port);
    env["HOST"] = "127.0.0.1";
  }
};

class AppSupervisor : public AppRestarter {
 public:
  static constexpr std::chrono::milliseconds kFirstBackoff{500};
  static constexpr std::chrono::milliseconds kMaxBackoff{10000};
  // An app that ran this long before crashing is not crash-looping: back-off starts over.
  static constexpr std::chrono::milliseconds kStableRun{10000};

  // An empty root starts the app in hotpod's own working directory.
  AppSupervisor(Reactor& reactor, Reaper& reaper, RunConfig config, std::filesystem::path root,
                AppSupervisorOptions options = {});

  bool configured() const override { return !config_.cmd.empty(); }
  bool running() const override { return group_.active() && !group_.stopping(); }
  pid_t pid() const override { return group_.pid(); }
  uint64_t restarts() const { return restarts_; }

  // Starts the app, or restarts it when it runs (also cancels a pending crash back-off).
  void restart(std::string_view reason) override;
  // Stops the app for good; on_stopped runs once it (and its group) is gone.
  void stop(std::function<void()> on_stopped) override;
  // Sends a signal to the app's main process without restarting it.
  bool signal(int signal) override { return group_.signalLeader(signal); }
  // Sends a signal to every process of the app's group (hotpod exec forwards signals this way).
  bool signalGroup(int signal) override { return group_.signalGroup(signal); }

 private:
  void launch();
  void onGone(const ExitInfo& exit);
  void onOwnExit(pid_t pid, const ExitInfo& exit, std::chrono::milliseconds ran);
  std::chrono::milliseconds armBackoff();
  void notifyEnded(pid_t pid, const ExitInfo& exit, bool on_its_own,
                   std::optional<std::chrono::milliseconds> restart_in);

  RunConfig config_;
  std::filesystem::path root_;
  AppSupervisorOptions options_;
  pid_t current_pid_ = -1;  // the group forgets its pid before it reports the end
  ProcessGroup group_;
  Timer backoff_timer_;
  std::chrono::milliseconds next_backoff_ = kFirstBackoff;
  std::chrono::steady_clock::time_point started_;
  bool start_when_gone_ = false;
  bool stopping_for_good_ = false;
  std::function<void()> on_stopped_;
  uint64_t restarts_ = 0;
};

}  // namespace hotpod
