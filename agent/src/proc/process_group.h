#pragma once
// One child in its own process group (or session): spawned by proc/spawn.h, its stdout and
// stderr merged into a pipe read line by line on the reactor (or, for hotpod exec, hotpod's own
// stdin/stdout/stderr handed down unchanged), watched through a pidfd, stopped
// by signalling the whole group and escalating to SIGKILL. It counts as gone only when the
// leader has been reaped AND no member of its group is left (nor, for the app, an orphan it left
// to hotpod: see SpawnSpec::claim_orphans), so a restarted server never finds its port taken.
#include <signal.h>
#include <sys/types.h>

#include <cstdint>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/reactor.h"
#include "base/timer.h"
#include "base/unique_fd.h"
#include "proc/line_buffer.h"
#include "proc/reaper.h"

namespace hotpod {

struct SpawnSpec {
  std::vector<std::string> argv;
  std::filesystem::path cwd;
  std::vector<std::string> env;  // complete environment, "KEY=VALUE"
  bool new_session = false;      // setsid (apps) instead of a new process group (builds)
  // hotpod exec: the child writes straight to hotpod's stdout/stderr (and reads its stdin), so
  // in a container the app's log is the app's own; nothing is read, prefixed or re-encoded.
  bool inherit_stdio = false;
  // The app: orphans adopted by hotpod (the subreaper) that started after this child count as
  // part of it (a daemon it double-forked, now in a session of its own), so they are stopped
  // with it and it is gone only when they are gone. Builds leave this off.
  bool claim_orphans = false;
};

struct ExitInfo {
  int wait_status = 0;
  bool exited() const;           // exited normally (vs killed by a signal)
  int code() const;              // exit code, or 128 + signal like a shell
  int signal() const;            // 0 unless killed by a signal
  std::string describe() const;  // "exit code 2", "killed by SIGKILL"
};

class ProcessGroup {
 public:
  using LineHandler = std::function<void(std::string_view line)>;
  using GoneHandler = std::function<void(const ExitInfo&)>;

  ProcessGroup(Reactor& reactor, Reaper& reaper, LineHandler on_line, GoneHandler on_gone);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  // Throws std::system_error (e.g. ENOENT for a missing program) with advice.
  void start(const SpawnSpec& spec);
  // Sends `signal` to the whole group now and SIGKILL after `grace` if anything is left.
  void terminate(int signal, std::chrono::milliseconds grace);
  // Signals the leader only (through its pidfd: no PID-reuse race).
  bool signalLeader(int signal);
  // Signals every member of the group, as a terminal's Ctrl-C would (the group's id stays
  // reserved while any member lives, so it cannot name another group).
  bool signalGroup(int signal);

  bool active() const { return pid_ > 0; }  // started and not yet gone
  pid_t pid() const { return pid_; }
  bool stopping() const { return stopping_; }
  // When the last start's program was exec'd (see SpawnResult::exec_at).
  std::chrono::steady_clock::time_point execAt() const { return exec_at_; }

 private:
  void onLeaderExit(int wait_status);
  void checkGone();
  void drainOutput(size_t max_chunks);
  void closeOutput();
  bool groupHasMembers() const;
  std::vector<pid_t> adoptedOrphans() const;
  // only_new: skip the orphans signalled before (the recheck runs every 50 ms).
  void signalOrphans(const std::vector<pid_t>& orphans, int signal, bool only_new = false);

  Reactor& reactor_;
  Reaper& reaper_;
  LineHandler on_line_;
  GoneHandler on_gone_;
  pid_t pid_ = -1;
  std::chrono::steady_clock::time_point exec_at_{};
  UniqueFd pidfd_;
  UniqueFd output_;
  // The leader's executable when a build replaced it (see holdReplacedExecutable).
  UniqueFd replaced_executable_;
  LineBuffer lines_;
  std::optional<int> leader_status_;
  bool stopping_ = false;
  int stop_signal_ = SIGTERM;
  bool claims_orphans_ = false;
  uint64_t started_at_ticks_ = 0;  // the leader's start time (clock ticks after boot)
  std::set<pid_t> signalled_orphans_;
  Timer kill_timer_;
  Timer recheck_timer_;  // only if members outlive the leader and are not our children
  int reaper_listener_ = -1;
};

}  // namespace hotpod
