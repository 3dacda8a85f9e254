#pragma once
// Finds hotpod agent's target in the shared PID namespace by target.match (the hotpod exec
// marker, the program name, a cmdline regex or a pidfile), and keeps the processes that must
// never be signalled out of reach: PID 1 (unless it is the matched hotpod exec: the compose
// case), the pod's pause/catatonit process, hotpod agent itself and its ancestors.
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "model/config.h"
#include "proc/proc_table.h"

namespace hotpod {

// comm is "hotpod-exec", or argv is ".../hotpod" "exec" … (docs/exec.md, "the marker").
bool isExecMarker(const ProcessInfo& process);

// The options hotpod exec was started with, read from its cmdline.
struct ExecCommandLine {
  std::optional<std::string> restart_signal;  // --restart-signal
  std::optional<std::string> state_file;      // --state-file
};
ExecCommandLine parseExecCommandLine(const std::vector<std::string>& argv);

enum class FindOutcome { Found, NotFound, Refused, Ambiguous };

struct FindResult {
  FindOutcome outcome = FindOutcome::NotFound;
  std::optional<ProcessInfo> target;
  std::string problem;  // for everything but Found: what was searched, what was seen, what to do
};

class PeerFinder {
 public:
  // `self` 0: this process, as `proc` numbers it.
  explicit PeerFinder(TargetConfig config, ProcTable proc = ProcTable(), pid_t self = 0);

  const ProcTable& proc() const { return proc_; }
  FindResult find() const;
  // Re-reads `process`: nullopt unless the same process (not a successor with its PID) still
  // runs and still matches. Called after opening a pidfd on it, which closes the PID-reuse race.
  std::optional<ProcessInfo> recheck(const ProcessInfo& process) const;
  // Why `process` must never be signalled; empty when it may be.
  std::string refusal(const ProcessInfo& process) const;
  // The child that hotpod exec supervises: its own process group's leader (orphans that were
  // re-parented to a PID 1 hotpod exec are not); the newest if there are several.
  std::optional<ProcessInfo> supervisedChild(const ProcessInfo& exec) const;
  // "the hotpod exec marker (comm 'hotpod-exec', …)": what find() looks for.
  std::string searchDescription() const;

 private:
  bool matches(const ProcessInfo& process) const;
  std::string refusal(const ProcessInfo& process, const std::vector<pid_t>& ancestors) const;
  std::vector<pid_t> ancestorsOfSelf() const;
  FindResult findByPidfile() const;
  std::string notFound(const std::vector<ProcessInfo>& seen) const;

  TargetConfig config_;
  ProcTable proc_;
  pid_t self_;
  std::optional<std::regex> cmdline_;
};

// How the target is found, for the status page and logs: "hotpod exec (marker)",
// "program 'app'", "cmdline /app\.py/", "pidfile /shared/app.pid".
std::string describeTargetMatch(const TargetConfig& target);

}  // namespace hotpod
