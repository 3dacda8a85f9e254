#pragma once
// Starts a program in a child that shares hotpod's memory until its execve (clone with CLONE_VM
// and CLONE_VFORK, like posix_spawn), on a stack mapped once and kept, not one per call. On the
// way from a save to the new answer hotpod spawns twice (the build, then the app); glibc's
// posix_spawn maps a fresh stack for each and unmaps it after, and resets all 64 signal
// dispositions in the child. Here the child resets only the ones hotpod changed (SigIgn and
// SigCgt in /proc/self/status) and the stack stays mapped: 0.15 ms less per spawn on the 2-vCPU
// machine of docs/benchmarks.md (posix_spawn 0.45 ms, this 0.29 ms, p50 of 200).
// Under qemu-user (arm64 on x86), which runs CLONE_VFORK as a plain fork, the child's failure
// does not reach the parent: the spawn succeeds and the child exits 127, as with glibc's
// posix_spawn there.
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace hotpod {

struct ChildSetup {
  int stdin_fd = -1;  // dup2'ed to 0, 1 and 2 (-1: inherited as they are)
  int stdout_fd = -1;
  int stderr_fd = -1;
  bool new_session = false;  // setsid(); else setpgid(0, 0)
  std::string cwd;           // empty: hotpod's own
};

// Which step failed in the child.
enum class SpawnStep { None, Clone, Session, Stdio, CloseFds, Chdir, Signals, Exec };

struct SpawnResult {
  pid_t pid = -1;  // the running child (its exit is the caller's to reap) when step is None
  SpawnStep step = SpawnStep::None;
  int error = 0;  // errno of that step
  // When the child called execve: from then on the time is the program's own (its loading
  // included), not hotpod's. hotpod itself may get a CPU back only later. Under qemu-user, where
  // the child does not share this memory, the moment the spawn returned instead.
  std::chrono::steady_clock::time_point exec_at{};
};

// argv[0] without a '/' is looked up in hotpod's own PATH, as posix_spawnp does. The child gets
// exactly the fds of ChildSetup (0-2), an empty signal mask, the default disposition for every
// signal, and `env` as its whole environment. A child that failed has been reaped already.
SpawnResult spawnChild(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                       const ChildSetup& setup);

}  // namespace hotpod
