#pragma once
// After every (re)start: is the new version ready? Probes app.health_url, keeps the artefacts of
// each version that got ready, and with app.rollback puts the last good one back (and restarts
// it) when a new version never answers.
#include <filesystem>

#include "app/app_restarter.h"
#include "base/reactor.h"
#include "build/artifact_store.h"
#include "model/config.h"
#include "observe/app_probe.h"
#include "observe/loop_state.h"

namespace hotpod {

class AppHealth {
 public:
  AppHealth(Reactor& reactor, const Config& config, const std::filesystem::path& root,
            const std::filesystem::path& scratch, LoopState& state, AppRestarter& app);

  void started(pid_t pid);
  void gone();
  // A build that may overwrite the artefacts is running: keeping them now would keep a mix.
  void buildRunning(bool running) { build_running_ = running; }

 private:
  void onVerdict(uint64_t start, ProbeVerdict verdict, const std::string& detail);
  void keepIfGood();
  void rollBack(const std::string& why);

  const AppConfig config_;
  LoopState& state_;
  AppRestarter& app_;
  AppProbe probe_;
  ArtifactStore artifacts_;
  uint64_t start_ = 0;  // the probe session of the running app
  bool build_running_ = false;
};

}  // namespace hotpod
