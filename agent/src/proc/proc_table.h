#pragma once
// Reads processes from /proc. The root is a parameter so that tests can point it at a fake
// tree; hotpod agent reads the /proc of the PID namespace it shares with the app.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace hotpod {

struct ProcessInfo {
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t pgid = 0;
  char state = '?';         // R, S, D, Z (zombie) …
  uint64_t start_time = 0;  // clock ticks after boot: with the pid, it names one process
  std::string comm;         // /proc/PID/comm (at most 15 characters)
  std::vector<std::string> argv;
  // The basename of /proc/PID/exe without " (deleted)" (a rebuilt binary was renamed over it);
  // empty when the link cannot be read (another UID without CAP_SYS_PTRACE).
  std::string exe;

  // argv joined by spaces, as `ps` shows it.
  std::string cmdline() const;
  // The same process, not a later one that got the PID after it ended.
  bool sameProcess(const ProcessInfo& other) const {
    return pid == other.pid && start_time == other.start_time;
  }
  // "12 app '/src/bin/app --port 8080'" (the command line cut at 80 characters).
  std::string describe() const;
};

class ProcTable {
 public:
  explicit ProcTable(std::filesystem::path root = "/proc") : root_(std::move(root)) {}

  const std::filesystem::path& root() const { return root_; }
  // nullopt when the process does not exist (or has gone).
  std::optional<ProcessInfo> read(pid_t pid) const;
  // Only what /proc/PID/stat holds (pid, ppid, pgid, state, start time, comm): one small read,
  // for callers on the way of a build start, which need nothing else.
  std::optional<ProcessInfo> readStat(pid_t pid) const;
  // How much of each process list() reads: everything, or only its stat file (see readStat).
  enum class Detail { Full, StatOnly };
  // Every process, by ascending PID (threads are not listed).
  std::vector<ProcessInfo> list(Detail detail = Detail::Full) const;
  // The processes whose parent is `pid`: from its threads' children lists where the kernel has
  // them (one small read per child, not a scan of every process).
  std::vector<ProcessInfo> childrenOf(pid_t pid, Detail detail = Detail::Full) const;
  // This process, as the PID namespace of this /proc numbers it (the `self` link).
  pid_t self() const;
  // The real UID of the process, from its status file; nullopt when unknown.
  std::optional<uid_t> uidOf(pid_t pid) const;
  // Whether the process blocks or catches `signal` (SigBlk, SigCgt in its status file): one that
  // does neither gets the default action, which for SIGUSR2 and SIGHUP kills it. nullopt when
  // unknown (gone, or an old kernel's status file).
  std::optional<bool> handlesSignal(pid_t pid, int signal) const;
  // The union of signal sets of its status file (keys such as "SigIgn", "SigCgt"; bit n-1 is
  // signal n); nullopt when the file or a key cannot be read.
  std::optional<uint64_t> signalSets(pid_t pid, std::initializer_list<const char*> keys) const;

 private:
  std::filesystem::path root_;
};

}  // namespace hotpod
