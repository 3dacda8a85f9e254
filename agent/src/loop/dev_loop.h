#pragma once
// `hotpod run` and `hotpod agent`: the whole loop on one reactor —
// watcher → filter → debouncer → builder → restarter. `run` runs the app as its child
// (AppSupervisor); `agent` signals it in the other container (PeerRestarter).
#include <filesystem>
#include <memory>

#include "build/builder.h"
#include "filter/path_filter.h"
#include "model/config.h"
#include "model/loop_role.h"

namespace hotpod {

class DevLoop {
 public:
  explicit DevLoop(Config config, LoopRole role = LoopRole::Run);
  ~DevLoop();
  // Runs until SIGINT/SIGTERM; returns the process exit code (0 on a clean stop).
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The filter settings of a config (the app binary inside the root is excluded too).
FilterOptions filterOptions(const Config& config, const std::filesystem::path& root);

// The absolute, normalised root ("/src/" → "/src").
std::filesystem::path normalizedRoot(const std::filesystem::path& root);

// Relative paths (to the root) of build outputs inside the root (build.artifacts and the program
// the app command runs), so that the build output never triggers the next build.
std::vector<std::string> buildOutputsInside(const Config& config,
                                            const std::filesystem::path& root);

// The log block of a failed or timed-out build: why, how long, the last output.
std::string failedBuildReport(const BuildOutcome& outcome, bool app_running);

// A private directory under $TMPDIR (changed-file lists, kept artefacts).
std::filesystem::path makeScratchDir();

}  // namespace hotpod
