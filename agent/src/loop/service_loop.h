#pragma once
// `hotpod run` and `hotpod agent` with `services:`: one watcher for the whole tree; each change
// goes to every service whose paths include it (ServiceUnit), and builds run in parallel up to
// build.parallel. One HTTP server shows them all.
#include <memory>

#include "model/config.h"
#include "model/loop_role.h"
#include "observe/status.h"

namespace hotpod {

class ServiceLoop {
 public:
  ServiceLoop(Config config, LoopRole role = LoopRole::Run);
  ~ServiceLoop();
  // Runs until SIGINT/SIGTERM; returns the process exit code (0 on a clean stop).
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// hotpod's own status with the services' added: ready when every one is (the reasons of those
// that are not, otherwise), the busiest phase, the summed counts.
std::shared_ptr<const StatusSnapshot> withServices(
    const StatusSnapshot& own,
    const std::vector<std::pair<std::string, std::shared_ptr<const StatusSnapshot>>>& services);

// build.parallel, or the number of cores when unset.
int parallelBuilds(const Config& config);

}  // namespace hotpod
