#include "watch/poll_watcher.h"

#include <sys/stat.h>

#include "base/syscalls.h"

namespace hotpod {

PollWatcher::PollWatcher(Reactor& reactor, std::filesystem::path root,
                         std::vector<std::string> subtrees, DirectoryPolicy should_descend,
                         EventSink sink, std::chrono::milliseconds interval, double budget)
    : root_(std::move(root)),
      subtrees_(std::move(subtrees)),
      should_descend_(std::move(should_descend)),
      sink_(std::move(sink)),
      tree_(root_),
      pacer_(subtrees_.size() == 1 && subtrees_.front().empty()
                 ? "poll: scanning the tree"
                 : "poll: scanning " + std::to_string(subtrees_.size()) + " subtree(s)",
             interval, budget),
      timer_(reactor, [this] {
        scan(/*report=*/true);
        timer_.armAfter(pacer_.effective());
      }) {}

void PollWatcher::start() {
  requireWatchRoot(root_);
  scan(/*report=*/false);  // the baseline
  timer_.armAfter(pacer_.effective());
}

WatchStats PollWatcher::stats() const {
  WatchStats current = stats_;
  current.watched_directories = tree_.directoryCount();
  current.known_files = tree_.fileCount();
  current.poll_interval = pacer_.effective();
  return current;
}

void PollWatcher::scan(bool report) {
  ++stats_.rescans;
  std::vector<FileEvent> out;
  pacer_.beginScan();
  for (const auto& subtree : subtrees_) {
    tree_.walk(subtree, should_descend_, {}, report ? &out : nullptr);
  }
  pacer_.endScan();
  pairRenames(out);
  if (!out.empty()) sink_(std::move(out));
}

}  // namespace hotpod
