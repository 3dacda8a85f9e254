#pragma once
// What the dev loop needs from whatever (re)starts the app. `hotpod run` runs the app as its
// own child (AppSupervisor); `hotpod agent` signals it in another container through the shared
// PID namespace (PeerRestarter). The loop, the health probe and the rollback use only this.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

#include "proc/process_group.h"

namespace hotpod {

// One app process that is gone, for observers.
struct AppEnd {
  pid_t pid = -1;
  ExitInfo exit;
  bool on_its_own = false;  // false: it was stopped or restarted on purpose
  std::optional<std::chrono::milliseconds> restart_in;  // a back-off restart is pending
  // False when the app is not hotpod's child (hotpod agent): `exit` is then meaningless, since
  // only the parent (hotpod exec) learns the status.
  bool exit_known = true;
};

// Optional callbacks for a caller that reports the app's life elsewhere (the loop's status,
// hotpod exec's state file). They run on the reactor, after the event has been logged.
struct AppObserver {
  std::function<void(pid_t pid)> started;
  std::function<void(const AppEnd& end)> ended;
  // The program could not be spawned; `error` is the errno (ENOENT, EACCES, ENOEXEC, …).
  std::function<void(int error, std::optional<std::chrono::milliseconds> restart_in)> start_failed;
};

class AppRestarter {
 public:
  virtual ~AppRestarter() = default;

  // Whether there is an app to restart at all (run.cmd, or hotpod agent's target).
  virtual bool configured() const = 0;
  // The app runs and is not being stopped.
  virtual bool running() const = 0;
  // The app's process, or a value <= 0 when none is known.
  virtual pid_t pid() const = 0;
  // Starts the app, or restarts it when it runs.
  virtual void restart(std::string_view reason) = 0;
  // Sends a signal to the app's main process without restarting it.
  virtual bool signal(int signal) = 0;
  // Sends a signal to every process of the app's group (hotpod exec forwards signals this way);
  // a restarter that has no group of its own signals the main process.
  virtual bool signalGroup(int sig) { return signal(sig); }
  // Stops for good (hotpod is exiting); on_stopped runs once nothing is left to wait for.
  virtual void stop(std::function<void()> on_stopped) = 0;
};

}  // namespace hotpod
