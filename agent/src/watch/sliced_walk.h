#pragma once
// Walks the subtrees that appear while hotpod runs (a `mkdir -p` of thousands of directories, an
// unpacked archive, a deep generated tree) in slices of a few milliseconds on the reactor, so the
// loop keeps turning (and /healthz keeps answering) however large the subtree is. Each slice
// reports what it found; directories are entered (watched) before they are read, as in a walk.
#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/reactor.h"
#include "base/timer.h"
#include "watch/tree_snapshot.h"
#include "watch/watcher.h"

namespace hotpod {

class SlicedWalk {
 public:
  static constexpr std::chrono::milliseconds kSlice{10};
  static constexpr size_t kMaxDirsPerSlice = 256;  // also on a fast disk: the loop turns often

  SlicedWalk(Reactor& reactor, TreeSnapshot& tree, TreeSnapshot::DirectoryPolicy descend,
             TreeSnapshot::EnterHook enter, EventSink sink);

  // Queues rel_dir and everything below it; the first slice runs at the reactor's next turn.
  void add(const std::string& rel_dir);
  bool queued(const std::string& rel_dir) const { return queued_.contains(rel_dir); }
  // Forgets the queued directories at or below rel_dir (it was removed or moved away).
  void drop(const std::string& rel_dir);
  bool idle() const { return pending_.empty(); }

 private:
  void runSlice();

  TreeSnapshot& tree_;
  TreeSnapshot::DirectoryPolicy descend_;
  TreeSnapshot::EnterHook enter_;
  EventSink sink_;
  std::vector<std::string> pending_;  // a stack: depth first, like TreeSnapshot::walk
  std::unordered_set<std::string> queued_;
  Timer next_slice_;
};

}  // namespace hotpod
