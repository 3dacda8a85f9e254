#include "watch/sliced_walk.h"

#include <algorithm>

#include "base/rel_path.h"

namespace hotpod {

SlicedWalk::SlicedWalk(Reactor& reactor, TreeSnapshot& tree, TreeSnapshot::DirectoryPolicy descend,
                       TreeSnapshot::EnterHook enter, EventSink sink)
    : tree_(tree),
      descend_(std::move(descend)),
      enter_(std::move(enter)),
      sink_(std::move(sink)),
      next_slice_(reactor, [this] { runSlice(); }) {}

void SlicedWalk::add(const std::string& rel_dir) {
  if (!queued_.insert(rel_dir).second) return;
  pending_.push_back(rel_dir);
  if (!next_slice_.armed()) next_slice_.armAfter(std::chrono::nanoseconds(0));
}

void SlicedWalk::drop(const std::string& rel_dir) {
  if (pending_.empty()) return;
  std::erase_if(pending_, [&](const std::string& dir) {
    if (!isBelowOrAt(dir, rel_dir)) return false;
    queued_.erase(dir);
    return true;
  });
}

void SlicedWalk::runSlice() {
  if (pending_.empty()) return;  // all dropped meanwhile
  const auto deadline = std::chrono::steady_clock::now() + kSlice;
  std::vector<FileEvent> found;
  size_t visited = 0;
  do {
    std::string dir = std::move(pending_.back());
    pending_.pop_back();
    queued_.erase(dir);
    auto subdirs = tree_.visit(dir, descend_, enter_, &found);
    if (!subdirs) continue;
    for (auto& sub : *subdirs) {
      if (queued_.insert(sub).second) pending_.push_back(std::move(sub));
    }
  } while (!pending_.empty() && ++visited < kMaxDirsPerSlice &&
           std::chrono::steady_clock::now() < deadline);
  if (!pending_.empty()) next_slice_.armAfter(std::chrono::nanoseconds(0));
  if (!found.empty()) sink_(std::move(found));
}

}  // namespace hotpod
