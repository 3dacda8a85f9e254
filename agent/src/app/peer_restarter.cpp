#include "app/peer_restarter.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "app/exec_state_file.h"
#include "base/duration.h"
#include "base/log.h"
#include "base/signals.h"
#include "base/syscalls.h"

namespace hotpod {
namespace {

using Clock = std::chrono::steady_clock;

// While a restart finds no target (the app container is starting), it looks again this often
// until target.confirm_timeout has passed.
constexpr std::chrono::milliseconds kLookAgain{100};

std::string pidText(pid_t pid) {
  return "pid " + std::to_string(pid);
}

int64_t millisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// The same process is still there (not a successor with its PID, not a zombie).
bool stillRuns(const ProcTable& proc, const ProcessInfo& process) {
  const auto now = proc.read(process.pid);
  return now && now->sameProcess(process) && now->state != 'Z';
}

// hotpod exec's restart signal as its state file says, when the agent can read that file:
// through /proc/PID/root (the app container's own view), or at the same path here.
constexpr std::streamsize kMaxStateFileBytes = 64 * 1024;

std::optional<int> restartSignalFromStateFile(const ProcTable& proc, const ProcessInfo& exec,
                                              const std::filesystem::path& state_file) {
  const auto base = proc.root() / std::to_string(exec.pid);
  const auto in_container = state_file.is_absolute() ? base / "root" / state_file.relative_path()
                                                     : base / "cwd" / state_file;
  for (const auto& path : {in_container, state_file}) {
    std::ifstream file(path);
    if (!file) continue;
    std::string text(kMaxStateFileBytes, '\0');  // it comes from another container: bounded
    text.resize(static_cast<size_t>(file.read(text.data(), kMaxStateFileBytes).gcount()));
    if (const auto state = parseExecState(text); state && !state->restart_signal.empty()) {
      return parseSignal(state->restart_signal);
    }
  }
  return std::nullopt;
}

}  // namespace

std::string signalThroughPidfd(const PeerFinder& finder, const ProcessInfo& process, int signal,
                               std::string_view what, bool identity_only,
                               std::string_view* failure) {
  const auto fail = [&](std::string_view label, std::string text) {
    if (failure != nullptr) *failure = label;
    return text;
  };
  const std::string name = std::string(what) + " (" + pidText(process.pid) + ")";
  const int fd = sys::ops().pidfd_open(process.pid, 0);
  if (fd < 0) {
    const int error = errno;
    if (error == ESRCH) return fail(kFailureNotFound, name + " has exited; nothing was sent");
    return fail(kFailureError,
                "cannot open a pidfd on " + name + ": " + std::strerror(error) +
                    (error == ENOSYS ? " (hotpod agent needs Linux 5.3 or later)" : ""));
  }
  const UniqueFd pidfd(fd);
  // The pidfd names whatever had the PID when it was opened. If /proc still shows the process
  // that was matched, that is the one the pidfd names; otherwise it ended and its PID may be
  // someone else's now.
  const bool same =
      identity_only ? stillRuns(finder.proc(), process) : finder.recheck(process).has_value();
  if (!same) {
    return fail(kFailureNotFound, name + " exited before it could be signalled (its PID may " +
                                      "belong to another process now); nothing was sent");
  }
  if (sys::ops().pidfd_send_signal(pidfd.get(), signal, nullptr, 0) == 0) return {};
  const int error = errno;
  if (error == EPERM) {
    const auto uid = finder.proc().uidOf(process.pid);
    return fail(kFailurePermission,
                "not allowed to send " + signalName(signal) + " to " + std::string(what) + " (" +
                    pidText(process.pid) + (uid ? ", uid " + std::to_string(*uid) : std::string()) +
                    ") as uid " + std::to_string(::geteuid()) +
                    " (EPERM): run both containers as the same UID (securityContext.runAsUser), "
                    "or give the agent CAP_KILL (securityContext.capabilities.add: [KILL])");
  }
  if (error == ESRCH) return fail(kFailureNotFound, name + " exited just before the signal");
  return fail(kFailureError,
              "cannot send " + signalName(signal) + " to " + name + ": " + std::strerror(error));
}

PeerRestarter::PeerRestarter(Reactor& reactor, TargetConfig config, PeerEvents events,
                             ProcTable proc)
    : reactor_(reactor),
      config_(config),
      events_(std::move(events)),
      finder_(std::move(config), std::move(proc)),
      watch_timer_(reactor, [this] { lookAtPeer(); }),
      confirm_timer_(reactor, [this] { onConfirmPoll(); }) {
  watch_timer_.armAfter(std::chrono::nanoseconds(1));  // the first look, once the loop runs
}

PeerRestarter::~PeerRestarter() {
  forgetTarget();
  if (app_) reactor_.remove(app_->pidfd.get());
}

std::string PeerRestarter::targetName() const {
  if (target_ && execMode() && isExecMarker(target_->info)) return "hotpod exec";
  return execMode() ? "the target" : "the app";
}

std::optional<PeerRestarter::Tracked> PeerRestarter::track(const ProcessInfo& process) {
  const int fd = sys::ops().pidfd_open(process.pid, 0);
  if (fd < 0) return std::nullopt;  // gone already (ESRCH); the next look finds what follows
  Tracked tracked{process, UniqueFd(fd)};
  if (!stillRuns(finder_.proc(), process)) return std::nullopt;
  return tracked;
}

void PeerRestarter::forgetTarget() {
  if (!target_) return;
  reactor_.remove(target_->pidfd.get());
  target_.reset();
}

std::string PeerRestarter::locate(bool report, std::string_view* failure) {
  if (target_ && finder_.recheck(target_->info)) return {};
  forgetTarget();
  const auto found = finder_.find();
  if (found.outcome != FindOutcome::Found) {
    if (failure != nullptr) *failure = kFailureNotFound;
    last_outcome_ = found.outcome;
    if (report && !reported_missing_) {
      log::warn("target_not_found", found.problem + "; hotpod agent keeps looking",
                {{"outcome", found.outcome == FindOutcome::NotFound  ? "not_found"
                             : found.outcome == FindOutcome::Refused ? "refused"
                                                                     : "ambiguous"}});
      reported_missing_ = true;
    }
    return found.problem;
  }
  auto tracked = track(*found.target);
  if (!tracked) {
    last_outcome_ = FindOutcome::NotFound;
    if (failure != nullptr) *failure = kFailureNotFound;
    return found.target->describe() + " exited while it was being looked at";
  }
  target_ = std::move(tracked);
  reactor_.add(target_->pidfd.get(), EPOLLIN, [this](uint32_t) {
    log::warn("target_lost",
              targetName() + " (" + pidText(target_->info.pid) +
                  ") exited; hotpod agent looks for it again",
              {{"pid", int64_t{target_->info.pid}}});
    forgetTarget();
    appGone(true);
  });
  reported_missing_ = false;
  log::info("target_found",
            "found " + targetName() + " to " + (execMode() ? "restart the app" : "signal") + ": " +
                target_->info.describe(),
            {{"pid", int64_t{target_->info.pid}},
             {"comm", target_->info.comm},
             {"mode", execMode() ? "exec" : "signal"}});
  return {};
}

void PeerRestarter::appFound(const ProcessInfo& process) {
  auto tracked = track(process);
  if (!tracked) return;
  if (app_) reactor_.remove(app_->pidfd.get());
  app_ = std::move(tracked);
  // An app that ends while hotpod exec is restarting it was stopped on purpose; one that dies
  // of a reload signal was not.
  reactor_.add(app_->pidfd.get(), EPOLLIN,
               [this](uint32_t) { appGone(!(signalled_ && execMode())); });
  if (events_.app.started) events_.app.started(app_->info.pid);
  log::debug("app_found", "the app runs: " + app_->info.describe(),
             {{"pid", int64_t{app_->info.pid}}});
}

void PeerRestarter::appGone(bool on_its_own) {
  if (!app_) return;
  const pid_t pid = app_->info.pid;
  reactor_.remove(app_->pidfd.get());
  app_.reset();
  if (events_.app.ended) events_.app.ended({pid, ExitInfo{}, on_its_own, std::nullopt, false});
  if (on_its_own) {
    log::warn("app_exited",
              "the app (" + pidText(pid) + ") ended on its own" +
                  (execMode() ? "; hotpod exec starts it again (its log says how it ended)" : ""),
              {{"pid", int64_t{pid}}});
  } else {
    log::debug("app_exited", "the old app (" + pidText(pid) + ") has stopped",
               {{"pid", int64_t{pid}}});
  }
}

// Once a second (and once at start-up): is the target there, and which app runs?
void PeerRestarter::lookAtPeer() {
  if (stopped_) return;
  watch_timer_.armAfter(kWatchInterval);
  if (restarting_) return;  // the restart's own polling looks meanwhile
  if (!locate(true, nullptr).empty()) return;
  if (execMode()) {
    lookAtPeerChild();
  } else if (!app_) {
    appFound(target_->info);
  }
}

int PeerRestarter::restartSignal() const {
  if (config_.signal) return *config_.signal;
  if (!execMode()) return SIGHUP;
  const auto options = parseExecCommandLine(target_->info.argv);
  if (options.state_file) {
    if (auto signal =
            restartSignalFromStateFile(finder_.proc(), target_->info, *options.state_file))
      return *signal;
  }
  if (options.restart_signal) {
    if (auto signal = parseSignal(*options.restart_signal)) return *signal;
  }
  return SIGUSR2;  // hotpod exec's default
}

void PeerRestarter::restart(std::string_view reason) {
  if (stopped_) return;
  if (restarting_) {
    restart_again_ = true;  // one more, once this one is confirmed
    return;
  }
  restarting_ = true;
  signalled_ = false;
  reason_ = reason;
  deadline_ = Clock::now() + config_.confirm_timeout;
  sendRestart();
}

void PeerRestarter::sendRestart() {
  std::string_view failure = kFailureError;
  if (auto problem = locate(false, &failure); !problem.empty()) {
    // The app container may be starting, or restarting: look again until the deadline. A
    // refused or ambiguous match will not mend itself.
    if (last_outcome_ == FindOutcome::NotFound && Clock::now() < deadline_) {
      confirm_timer_.armAfter(kLookAgain);
      return;
    }
    return failed(failure, problem);
  }
  if (execMode()) {
    lookAtPeerChild();
  } else if (!app_) {
    appFound(target_->info);
  }
  const int signal = restartSignal();
  if (execMode() && isExecMarker(target_->info) &&
      finder_.proc().handlesSignal(target_->info.pid, signal) == false) {
    // Found by its command line before its main blocked the signal (the dynamic loader, static
    // initialisers): the signal's default action would kill it. It is about to handle it.
    if (Clock::now() < deadline_) return confirm_timer_.armAfter(kConfirmPoll);
    return failed(kFailureError, targetName() + " (" + pidText(target_->info.pid) +
                                     ") neither blocks nor catches " + signalName(signal) +
                                     " (SigBlk, SigCgt in /proc/PID/status); nothing was sent, "
                                     "as it would end it");
  }
  old_app_ = app_ ? std::optional(app_->info) : std::nullopt;
  sent_signal_ = signal;
  if (auto problem =
          signalThroughPidfd(finder_, target_->info, signal, targetName(), false, &failure);
      !problem.empty()) {
    return failed(failure, problem);
  }
  signalled_ = true;
  signalled_at_ = Clock::now();
  deadline_ = signalled_at_ + config_.confirm_timeout;
  const std::string app_text = old_app_ ? "the app (" + pidText(old_app_->pid) + ")" : "the app";
  log::info("peer_signalled",
            "sent " + signalName(signal) + " to " + targetName() + " (" +
                pidText(target_->info.pid) + ") to " +
                (execMode() ? "restart " + app_text : "make it reload") + ": " + reason_,
            {{"signal", signalName(signal)},
             {"pid", int64_t{target_->info.pid}},
             {"app_pid", int64_t{old_app_ ? old_app_->pid : -1}},
             {"mode", execMode() ? "exec" : "signal"}});
  confirm_timer_.armAfter(execMode() ? kConfirmPoll
                                     : std::min<Duration>(kSignalSettle, config_.confirm_timeout));
}

void PeerRestarter::lookAtPeerChild() {
  const auto child = finder_.supervisedChild(target_->info);
  if (app_ && (!child || !child->sameProcess(app_->info))) appGone(!signalled_);
  if (child && !app_) appFound(*child);
}

void PeerRestarter::onConfirmPoll() {
  if (!restarting_ || stopped_) return;
  if (!signalled_) return sendRestart();  // still looking for the target
  const int signal = sent_signal_;
  if (!execMode()) {
    // The settle time has passed: an app without a handler would have died of the signal.
    if (target_ && finder_.recheck(target_->info)) return confirmed(target_->info);
    return failed(kFailureUnconfirmed,
                  "the app (" + pidText(old_app_ ? old_app_->pid : -1) + ") exited after " +
                      signalName(signal) +
                      " instead of reloading: give it a handler for that signal, or run it "
                      "under `hotpod exec` and use target.mode: exec");
  }
  if (!target_ || !finder_.recheck(target_->info)) {
    return failed(kFailureUnconfirmed,
                  "hotpod exec exited after " + signalName(signal) +
                      ", before a new app started (is the app container restarting?)");
  }
  const auto child = finder_.supervisedChild(target_->info);
  if (app_ && (!child || !child->sameProcess(app_->info))) appGone(false);
  if (child && (!old_app_ || !child->sameProcess(*old_app_))) return confirmed(*child);
  if (Clock::now() >= deadline_) {
    return failed(kFailureUnconfirmed,
                  targetName() + " (" + pidText(target_->info.pid) +
                      ") started no new app within " + formatDuration(config_.confirm_timeout) +
                      " (target.confirm_timeout) after " + signalName(signal) + "; " +
                      (child ? "the old app (" + pidText(child->pid) + ") still runs"
                             : std::string("no app runs")) +
                      ". hotpod exec's log says why (app_start_failed, app_crashed); a slow stop "
                      "may need a longer target.confirm_timeout");
  }
  confirm_timer_.armAfter(kConfirmPoll);
}

void PeerRestarter::confirmed(const ProcessInfo& app) {
  const int64_t took = millisSince(signalled_at_);
  const std::string signal = signalName(sent_signal_);
  // The status learns of the new app first, so that it shows it once the news is logged.
  if (execMode()) {
    appFound(app);
  } else if (app_ && events_.app.started) {
    // A reload is a new version of the app: the status and the health probe start over.
    events_.app.started(app.pid);
  }
  if (execMode()) {
    log::info("restart_confirmed",
              targetName() + " restarted the app: " +
                  (old_app_ ? pidText(old_app_->pid) + " → " : std::string()) + pidText(app.pid) +
                  ", " + std::to_string(took) + "ms after " + signal,
              {{"pid", int64_t{app.pid}},
               {"old_pid", int64_t{old_app_ ? old_app_->pid : -1}},
               {"took_ms", took}});
  } else {
    log::info("restart_confirmed",
              "the app (" + pidText(app.pid) + ") still runs " + std::to_string(took) +
                  "ms after " + signal + ": it reloads itself",
              {{"pid", int64_t{app.pid}}, {"old_pid", int64_t{app.pid}}, {"took_ms", took}});
  }
  finishRestart();
}

void PeerRestarter::failed(std::string_view reason, const std::string& why) {
  const char* event = reason == kFailureUnconfirmed ? "restart_unconfirmed"
                      : reason == kFailureNotFound  ? "target_not_found"
                                                    : "restart_failed";
  // The status first, so that it agrees with the log by the time the log is read.
  if (events_.restart_failed) events_.restart_failed(reason, why);
  log::error(event, why, {{"reason", reason}});
  finishRestart();
}

void PeerRestarter::finishRestart() {
  restarting_ = false;
  signalled_ = false;
  old_app_.reset();
  confirm_timer_.disarm();
  if (std::exchange(restart_again_, false)) {
    reactor_.post([this] { restart(reason_); });
  }
}

bool PeerRestarter::signal(int signal) {
  if (stopped_ || !app_) return false;
  auto problem = signalThroughPidfd(finder_, app_->info, signal, "the app", execMode());
  if (problem.empty()) return true;
  log::error("app_signal_failed", problem, {{"signal", signalName(signal)}});
  return false;
}

void PeerRestarter::stop(std::function<void()> on_stopped) {
  // The app lives in its own container and outlives the agent: nothing to stop, only to forget.
  stopped_ = true;
  watch_timer_.disarm();
  confirm_timer_.disarm();
  forgetTarget();
  if (app_) reactor_.remove(app_->pidfd.get());
  app_.reset();
  on_stopped();
}

}  // namespace hotpod
