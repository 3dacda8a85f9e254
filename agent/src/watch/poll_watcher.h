#pragma once
// Polling backend: re-reads the tree (or some subtrees of it) on a timer and diffs it against
// the compact snapshot. For filesystems that deliver no inotify events (network and virtual
// ones). Its interval stretches to keep its CPU inside the poll budget.
#include <filesystem>
#include <string>
#include <vector>

#include "base/reactor.h"
#include "base/timer.h"
#include "watch/inotify_watcher.h"
#include "watch/poll_pacer.h"
#include "watch/tree_snapshot.h"
#include "watch/watcher.h"

namespace hotpod {

class PollWatcher : public Watcher {
 public:
  // `subtrees`: the directories (relative to root) to poll; {""} for the whole tree.
  PollWatcher(Reactor& reactor, std::filesystem::path root, std::vector<std::string> subtrees,
              DirectoryPolicy should_descend, EventSink sink, std::chrono::milliseconds interval,
              double budget);

  void start() override;
  void rescan() override { scan(/*report=*/true); }
  void refreshWatches() override { scan(/*report=*/false); }
  std::string_view backend() const override { return "poll"; }
  WatchStats stats() const override;
  void observeScans(ScanObserver observer) override { pacer_.observe(std::move(observer)); }
  const PollPacer& pacer() const { return pacer_; }

 private:
  void scan(bool report);

  std::filesystem::path root_;
  std::vector<std::string> subtrees_;
  DirectoryPolicy should_descend_;
  EventSink sink_;
  TreeSnapshot tree_;
  PollPacer pacer_;
  Timer timer_;
  WatchStats stats_;
};

}  // namespace hotpod
