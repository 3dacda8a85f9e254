#pragma once
// Reaps every child of hotpod — its own and, as a child subreaper (or PID 1), every orphaned
// grandchild — so no zombie is ever left. Owners of a child register its pid and hear its
// wait status; anyone may listen for "some process was reaped" to re-check a process group.
#include <sys/types.h>

#include <functional>
#include <map>
#include <unordered_map>
#include <vector>

#include "base/log.h"

namespace hotpod {

class GroupJournal;

class Reaper {
 public:
  using ExitHandler = std::function<void(int wait_status)>;

  // Makes this process a child subreaper so orphans of its children come back to it.
  static void becomeSubreaper();

  void expect(pid_t pid, ExitHandler on_exit) {
    owners_[pid] = log::keepService(std::move(on_exit));
  }
  void forget(pid_t pid) { owners_.erase(pid); }
  // True for a child hotpod spawned and has not reaped yet (false for an adopted orphan).
  bool owns(pid_t pid) const { return owners_.contains(pid); }
  // Listeners run after every reaping pass in which something was reaped.
  int addListener(std::function<void()> listener) {
    listeners_.emplace(next_listener_, log::keepService(std::move(listener)));
    return next_listener_++;
  }
  void removeListener(int id) { listeners_.erase(id); }

  // Reaps everything that has exited (SIGCHLD or a pidfd became readable).
  void reapAll();
  size_t orphansReaped() const { return orphans_reaped_; }
  // False only when this process has no child at all, not even an unreaped one: then no orphan
  // can be among them either, and a look through /proc is not needed. One system call.
  static bool anyChildren();

  // Where the process groups started under this reaper are recorded, so that a hotpod killed
  // with SIGKILL can stop them at its next start (nullptr: nowhere).
  void recordGroupsIn(GroupJournal* journal) { journal_ = journal; }
  GroupJournal* groupJournal() const { return journal_; }

 private:
  std::unordered_map<pid_t, ExitHandler> owners_;
  std::map<int, std::function<void()>> listeners_;
  int next_listener_ = 0;
  size_t orphans_reaped_ = 0;
  GroupJournal* journal_ = nullptr;
};

}  // namespace hotpod
