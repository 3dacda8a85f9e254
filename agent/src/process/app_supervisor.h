#pragma once
// Runs the app as hotpod's child in its own session. A restart stops the whole old group
// (stop_signal, stop_timeout, then SIGKILL) and starts the new app only once every member is
// gone. A crash restarts it with capped exponential back-off.
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "config/config.h"
#include "core/reactor.h"
#include "core/timer.h"
#include "process/process_group.h"

namespace hotpod {

enum class AppEnd { Stopped, ExitedCleanly, Crashed };

// Who else wants to know (status, metrics, the app probe).
struct AppObserver {
  std::function<void(pid_t)> started;
  std::function<void(const std::string& why)> start_failed;
  std::function<void(const ExitInfo&, AppEnd)> gone;
};

class AppSupervisor {
 public:
  static constexpr std::chrono::milliseconds kFirstBackoff{500};
  static constexpr std::chrono::milliseconds kMaxBackoff{10000};
  // An app that ran this long before crashing is not crash-looping: back-off starts over.
  static constexpr std::chrono::milliseconds kStableRun{10000};

  AppSupervisor(Reactor& reactor, Reaper& reaper, RunConfig config, std::filesystem::path root);

  bool configured() const { return !config_.cmd.empty(); }
  bool running() const { return group_.active() && !group_.stopping(); }
  pid_t pid() const { return group_.pid(); }
  uint64_t restarts() const { return restarts_; }
  void observe(AppObserver observer) { observer_ = std::move(observer); }

  // Starts the app, or restarts it when it runs (also cancels a pending crash back-off).
  void restart(std::string_view reason);
  // Stops the app for good; on_stopped runs once it (and its group) is gone.
  void stop(std::function<void()> on_stopped);
  // Sends a signal to the app's main process without restarting it.
  bool signal(int signal) { return group_.signalLeader(signal); }

 private:
  void launch();
  void onGone(const ExitInfo& exit);

  RunConfig config_;
  std::filesystem::path root_;
  ProcessGroup group_;
  Timer backoff_timer_;
  std::chrono::milliseconds next_backoff_ = kFirstBackoff;
  std::chrono::steady_clock::time_point started_;
  bool start_when_gone_ = false;
  bool stopping_for_good_ = false;
  std::function<void()> on_stopped_;
  uint64_t restarts_ = 0;
  AppObserver observer_;
};

}  // namespace hotpod
