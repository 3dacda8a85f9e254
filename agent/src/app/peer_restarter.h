#pragma once
// hotpod agent's restarter: the app runs in another container of the same pod, so a restart is
// a signal through the shared PID namespace. target.mode exec sends hotpod exec its restart
// signal and confirms that it started a new child; target.mode signal sends target.signal to
// an app that reloads itself and confirms that it is still alive. Every signal goes through a
// pidfd opened on the matched process and checked again after opening (no PID-reuse race).
// Between restarts it keeps an eye on the peer (pidfds on the reactor, and a look once a
// second) so that the status says whether the app is up.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "app/app_restarter.h"
#include "app/peer_finder.h"
#include "base/reactor.h"
#include "base/timer.h"
#include "base/unique_fd.h"
#include "model/config.h"

namespace hotpod {

// Labels of hotpod_restart_failures_total.
inline constexpr std::string_view kFailureNotFound = "not_found";       // or refused, ambiguous
inline constexpr std::string_view kFailurePermission = "permission";    // EPERM
inline constexpr std::string_view kFailureUnconfirmed = "unconfirmed";  // no new app in time
inline constexpr std::string_view kFailureError = "error";              // anything else

struct PeerEvents {
  AppObserver app;  // the app (exec mode: hotpod exec's child; signal mode: the target)
  // A restart that did not happen or was not confirmed: a label above and the logged text.
  std::function<void(std::string_view reason, const std::string& why)> restart_failed;
};

// Sends `signal` to `process` through a pidfd, after checking that the pidfd names the process
// that was found (finder.recheck, or only its identity when `identity_only`). Returns an empty
// string on success, else what went wrong; EPERM says how to fix it. `what` names the process
// in messages ("hotpod exec"). *failure gets the hotpod_restart_failures_total label.
std::string signalThroughPidfd(const PeerFinder& finder, const ProcessInfo& process, int signal,
                               std::string_view what, bool identity_only,
                               std::string_view* failure = nullptr);

class PeerRestarter : public AppRestarter {
 public:
  static constexpr std::chrono::milliseconds kConfirmPoll{10};
  static constexpr std::chrono::milliseconds kWatchInterval{1000};
  // Signal mode: an app that dies of the signal does so at once; alive after this, it reloads.
  static constexpr std::chrono::milliseconds kSignalSettle{250};

  PeerRestarter(Reactor& reactor, TargetConfig config, PeerEvents events,
                ProcTable proc = ProcTable());
  ~PeerRestarter() override;

  bool configured() const override { return true; }
  bool running() const override { return !stopped_ && app_.has_value(); }
  pid_t pid() const override { return stopped_ || !app_ ? -1 : app_->info.pid; }
  void restart(std::string_view reason) override;
  bool signal(int signal) override;
  void stop(std::function<void()> on_stopped) override;

 private:
  struct Tracked {
    ProcessInfo info;
    UniqueFd pidfd;  // readable once the process has exited
  };

  bool execMode() const { return config_.mode == TargetMode::Exec; }
  // Finds the target (keeps the one it has while it lives); logs what it found or, when
  // `report`, why nothing. Returns the failure text (empty on success).
  std::string locate(bool report, std::string_view* failure);
  std::optional<Tracked> track(const ProcessInfo& process);
  void forgetTarget();
  void lookAtPeer();       // the periodic look: target and app still there, a new app started?
  void lookAtPeerChild();  // exec mode: has hotpod exec's child changed?
  void appFound(const ProcessInfo& process);
  void appGone(bool on_its_own);
  int restartSignal() const;
  void sendRestart();
  void onConfirmPoll();
  void confirmed(const ProcessInfo& app);
  void failed(std::string_view reason, const std::string& why);
  void finishRestart();
  std::string targetName() const;

  Reactor& reactor_;
  TargetConfig config_;
  PeerEvents events_;
  PeerFinder finder_;
  std::optional<Tracked> target_;
  std::optional<Tracked> app_;  // exec mode only; signal mode reports the target as the app
  Timer watch_timer_;
  Timer confirm_timer_;
  std::string reason_;
  bool restarting_ = false;             // between the request and its confirmation or failure
  bool signalled_ = false;              // the signal went out (else: still looking for the target)
  bool restart_again_ = false;          // a request arrived while one was being confirmed
  std::optional<ProcessInfo> old_app_;  // what ran when the restart signal went out
  int sent_signal_ = 0;
  FindOutcome last_outcome_ = FindOutcome::NotFound;  // of the last search that failed
  std::chrono::steady_clock::time_point deadline_;
  std::chrono::steady_clock::time_point signalled_at_;
  bool reported_missing_ = false;  // "no target" is logged once until the target shows up
  bool stopped_ = false;
};

}  // namespace hotpod
