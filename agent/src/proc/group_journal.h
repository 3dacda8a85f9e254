#pragma once
// The process groups hotpod started (builds, the app), written down in a small file keyed by the
// watched root and this hotpod's pid (two hotpods on one root keep one journal each). A hotpod that
// is SIGKILLed cannot stop its children, whose sessions outlive it (holding the app's port); the
// next hotpod for the same root reads the file and stops them before it starts anything ("address
// already in use" never follows a crash of hotpod itself).
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/reactor.h"
#include "base/timer.h"
#include "base/unique_fd.h"
#include "proc/proc_table.h"

namespace hotpod {

class GroupJournal {
 public:
  // $XDG_RUNTIME_DIR (else $TMPDIR, else /tmp) /hotpod-UID/ROOT-HASH.PID.groups
  static std::filesystem::path fileFor(const std::filesystem::path& root);

  // proc_root: where /proc is (a fake tree in tests).
  explicit GroupJournal(std::filesystem::path file, std::filesystem::path proc_root = "/proc");
  ~GroupJournal();  // removes the file: nothing is left to clean up

  // Stops (SIGKILL) the groups that earlier hotpods for this root recorded (every ROOT-HASH.*
  // journal) whose leader is still the recorded process (same pid and start time), if that
  // hotpod is gone, removes their journals, and waits briefly until the groups are gone.
  // Returns how many groups it stopped. Leaves a hotpod that still runs alone (two hotpods on
  // one root).
  size_t stopStaleGroups() { return sweep(true); }
  // Sweeps again (without waiting for the killed groups and without repeating the
  // another_hotpod warning) whenever another hotpod of this root ends, so that the app of one
  // that ran beside this one and was SIGKILLed does not hold its port until the next hotpod
  // starts. Event-driven, so that nothing wakes an idle hotpod: the journals' directory through
  // inotify (a hotpod that starts later), each other hotpod through a pidfd. Where the kernel
  // has neither, it sweeps every `fallback_period` instead.
  void watchOthers(Reactor& reactor, std::chrono::milliseconds fallback_period);
  void added(pid_t group);
  // The same, with the group leader's start time (field 22 of its stat) already read.
  void added(pid_t group, uint64_t start_time);
  void removed(pid_t group);

 private:
  void save() const;
  size_t sweep(bool at_start);
  // Opens a pidfd on the owner of every journal of this root not watched yet.
  void watchNewOwners();
  void onDirectoryEvents();
  void onOwnerGone(pid_t owner);
  // Where events cannot tell (no pidfds, no inotify, no journal of our own, the directory
  // removed): a sweep every fallback period, and a debug line that says why.
  void fallBackToTimer(const std::string& why);
  void stopWatching();  // the directory's watch and the owners' pidfds leave the reactor
  std::vector<std::filesystem::path> journalsOfThisRoot() const;
  // Kills the stale groups of one journal; false when it is not stale (ours, or its owner runs).
  bool stopGroupsOf(const std::filesystem::path& journal, const ProcTable& proc,
                    std::vector<ProcessInfo>& killed, size_t& groups, bool at_start) const;

  std::filesystem::path file_;
  std::filesystem::path proc_root_;
  uint64_t owner_start_;  // this hotpod's start time, read once: it is saved at every change
  std::map<pid_t, uint64_t> groups_;  // group id → its leader's start time (clock ticks)
  // Rewritten in place (one pwrite, see save()): a temp file renamed over the journal cost
  // ~0.1 ms on ext4 at every start and exit of a build or the app.
  mutable int fd_ = -1;
  mutable size_t length_ = 0;           // the longest text written: shorter ones are padded to it
  std::unique_ptr<Timer> sweep_timer_;  // only where the kernel cannot tell (watchOthers)
  Reactor* reactor_ = nullptr;
  std::chrono::milliseconds fallback_period_{0};
  UniqueFd directory_watch_;          // inotify on the journals' directory
  std::map<pid_t, UniqueFd> owners_;  // the other hotpods of this root: pid → its pidfd
};

// Field 22 of /proc/PID/stat (start time after boot, in clock ticks); 0 when PID does not exist.
uint64_t processStartTime(pid_t pid, const std::filesystem::path& proc_root = "/proc");

}  // namespace hotpod
