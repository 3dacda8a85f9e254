#pragma once
// proxy.handover: overlap — two versions of the app taking turns on two private ports. A restart
// starts the new version (the candidate) on the other port while the current one keeps serving;
// whoever decides readiness (the dev proxy) then promotes it — the old version is stopped
// (stop_signal, stop_timeout: its in-flight requests drain) — or abandons it, and the old one
// keeps serving. With no version running a restart is a plain start.
#include <array>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/app_supervisor.h"

namespace hotpod {

struct OverlapEvents {
  // The candidate runs (it may not listen yet).
  std::function<void(pid_t pid, int port)> candidate_started;
  // The candidate ended, or could not start, before it was promoted.
  std::function<void(const std::string& why)> candidate_failed;
};

class OverlapRestarter : public AppRestarter {
 public:
  // `make_run(port)` gives the run config for a version on `port` ({port} substituted); its
  // options get PORT and HOST in env. The loop's observer sees one app: the promoted one.
  OverlapRestarter(Reactor& reactor, Reaper& reaper, std::function<RunConfig(int port)> make_run,
                   std::filesystem::path root, AppSupervisorOptions options,
                   std::array<int, 2> ports, OverlapEvents events);
  ~OverlapRestarter() override;

  bool configured() const override { return configured_; }
  bool running() const override { return active_ && active_->running(); }
  pid_t pid() const override { return active_ ? active_->pid() : -1; }
  void restart(std::string_view reason) override;
  bool signal(int signal) override { return active_ && active_->signal(signal); }
  // The version in service only: a candidate starting meanwhile does not get it.
  bool signalGroup(int signal) override { return active_ && active_->signalGroup(signal); }
  void stop(std::function<void()> on_stopped) override;

  // The candidate is ready: it becomes the app, and the old version is stopped.
  void promote();
  // The candidate never became ready: it is stopped; the current version stays.
  void abandon(const std::string& why);
  bool hasCandidate() const { return candidate_ != nullptr; }
  int activePort() const { return active_port_; }

 private:
  std::unique_ptr<AppSupervisor> make(int port);
  void retire(std::unique_ptr<AppSupervisor> supervisor, const char* why);
  void maybeStopped();

  Reactor& reactor_;
  Reaper& reaper_;
  std::function<RunConfig(int)> make_run_;
  std::filesystem::path root_;
  AppSupervisorOptions options_;
  std::array<int, 2> ports_;
  OverlapEvents events_;
  bool configured_ = false;
  std::unique_ptr<AppSupervisor> active_;
  int active_port_ = 0;
  std::unique_ptr<AppSupervisor> candidate_;
  int candidate_port_ = 0;
  std::vector<std::unique_ptr<AppSupervisor>> retiring_;  // being stopped
  std::function<void()> on_stopped_;                      // stop(): once all are gone
  bool stopping_ = false;
  bool active_stopped_ = false;  // stop(): the version in service is gone
};

}  // namespace hotpod
