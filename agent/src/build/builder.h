#pragma once
// Runs the build command through /bin/sh -c in its own process group, in the root, with the
// changed files in its environment; streams its output line by line and keeps the tail; kills
// the whole group on timeout or when cancelled.
#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <string>

#include "base/reactor.h"
#include "base/timer.h"
#include "model/build_result.h"
#include "model/change_set.h"
#include "model/config.h"
#include "proc/process_group.h"

namespace hotpod {

// One /bin/sh -c script that runs `steps` in order and stops at the first failure. A single step
// is passed as it is: wrapping it in a subshell would cost the shell a fork before every build.
// Several are joined as `(a\n) && (b\n)`; the newline ends a trailing `# comment` in a step.
std::string chainShellCommands(const std::vector<std::string>& steps);

struct BuildOutcome {
  uint64_t number = 0;
  BuildResult result = BuildResult::Failed;
  ExitInfo exit;
  std::chrono::milliseconds duration{0};
  // When hotpod saw the build end (its record's time: what follows, up to the app's stop signal,
  // is hotpod's bookkeeping, not the build).
  std::chrono::steady_clock::time_point ended_at{};
  ChangeSet changes;
  std::deque<std::string> tail;  // the last lines of output
};

// The log block for a failed or timed-out build: why, how long, what became of the app, and the
// last 20 lines of its output.
std::string failureReport(const BuildOutcome& outcome, bool app_running);
// The `build_finished` log record of any outcome (a failure's holds failureReport).
void logBuildFinished(const BuildOutcome& outcome, bool app_running);

class Builder {
 public:
  using DoneHandler = std::function<void(const BuildOutcome&)>;
  static constexpr size_t kTailLines = 50;

  Builder(Reactor& reactor, Reaper& reaper, BuildConfig config, std::filesystem::path root,
          std::filesystem::path scratch_dir, DoneHandler on_done);

  bool configured() const { return !config_.cmd.empty(); }
  bool busy() const { return group_.active() || report_spawn_failure_.armed(); }
  // The number of the last build started (builds count from 1).
  uint64_t lastNumber() const { return count_; }
  // Starts a build for `changes` (empty on the first build). Reports failures to start as a
  // failed build on the next reactor turn, never by throwing.
  // `command` replaces build.cmd for this run (e.g. a rule's `run` commands before it).
  void start(const ChangeSet& changes, const std::string& command = {});
  // Stops the running build (its whole group); on_done then reports Cancelled.
  void cancel(std::string_view reason);
  // Each build in a session of its own (setsid) instead of hotpod's. With `services:` several
  // builds run at once; in hotpod's session they would share one scheduling group (the kernel's
  // autogroup) and so, on a busy machine, the CPU time of one process. Off: a process group in
  // hotpod's session.
  void ownSession(bool own) { own_session_ = own; }

 private:
  std::vector<std::string> environment(const ChangeSet& changes) const;
  void finish(BuildResult result, const ExitInfo& exit);

  BuildConfig config_;
  std::filesystem::path root_;
  std::filesystem::path scratch_dir_;
  DoneHandler on_done_;
  ProcessGroup group_;
  Timer timeout_;
  Timer report_spawn_failure_;
  uint64_t count_ = 0;
  bool timed_out_ = false;
  bool cancelled_ = false;
  bool own_session_ = false;
  std::chrono::steady_clock::time_point started_;
  BuildOutcome current_;
};

}  // namespace hotpod
