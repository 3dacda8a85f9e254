#pragma once
// Recursive inotify watcher. Watches every directory the policy lets it descend into, adds
// watches (and scans) for directories created or moved in later, follows renames, treats
// IN_Q_OVERFLOW as "rescan and diff", survives the root being removed and recreated, and turns
// ENOSPC (fs.inotify.max_user_watches) into advice plus polling of the directories it could not
// watch. With a verification interval it is the hybrid backend: a slow re-walk of the same
// picture catches changes made beneath a mount (another overlay layer, a VM's file sharing)
// that produce no event — without ever reporting a change twice.
#include <sys/inotify.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "base/reactor.h"
#include "base/timer.h"
#include "base/unique_fd.h"
#include "watch/poll_pacer.h"
#include "watch/sliced_walk.h"
#include "watch/tree_snapshot.h"
#include "watch/watcher.h"

namespace hotpod {

using DirectoryPolicy = std::function<bool(const std::string& rel_dir)>;

struct InotifyOptions {
  std::chrono::milliseconds fallback_poll_interval{500};     // for directories without a watch
  std::optional<std::chrono::milliseconds> verify_interval;  // set: hybrid
  double poll_budget = 0.05;                                 // share of one core
};

class InotifyWatcher : public Watcher {
 public:
  InotifyWatcher(Reactor& reactor, std::filesystem::path root, DirectoryPolicy should_descend,
                 EventSink sink, InotifyOptions options);
  ~InotifyWatcher() override;

  void start() override;
  void rescan() override { walk(/*report=*/true, /*verifying=*/false); }
  void refreshWatches() override { walk(/*report=*/false, /*verifying=*/false); }
  std::string_view backend() const override {
    return options_.verify_interval ? "hybrid" : "inotify";
  }
  WatchStats stats() const override;
  void observeScans(ScanObserver observer) override { verify_pacer_.observe(std::move(observer)); }

 private:
  void onReadable();
  void handleEvent(const struct inotify_event& event, std::vector<FileEvent>& out);
  void handleFileEvent(uint32_t mask, uint32_t cookie, const std::string& rel,
                       std::vector<FileEvent>& out);
  void addSubtree(const std::string& rel_dir, std::vector<FileEvent>* out);
  void removeSubtree(const std::string& rel_dir, std::vector<FileEvent>& out);
  bool watchDirectory(const std::string& rel_dir);
  std::string movedFrom(uint32_t cookie) const;  // a rename's old path; empty when unknown
  void onRootLost(std::vector<FileEvent>& out);
  void watchForRoot(std::vector<FileEvent>& out);
  void walk(bool report, bool verifying);
  void pollUnwatched();
  void retryUnreadable(const std::string& rel_dir, std::vector<FileEvent>& out);
  void emit(std::vector<FileEvent> events);

  Reactor& reactor_;
  std::filesystem::path root_;
  DirectoryPolicy should_descend_;
  EventSink sink_;
  InotifyOptions options_;
  UniqueFd fd_;
  std::unordered_map<int, std::string> dir_of_wd_;
  std::unordered_map<std::string, int> wd_of_dir_;
  TreeSnapshot tree_;
  TreeSnapshot::EnterHook watch_if_new_;  // a walk's hook: watch what has no watch yet
  SlicedWalk new_subtrees_;               // directories created (or moved in) while running
  std::unordered_map<uint32_t, std::string> moved_from_;           // rename cookie → old path
  std::unordered_map<uint32_t, std::string> moved_from_previous_;  // the same, one batch older
  int ancestor_wd_ = -1;  // while the root is missing: a watch on its nearest ancestor
  std::filesystem::path ancestor_;
  std::set<std::string> unwatched_;      // directories refused a watch (ENOSPC): polled instead
  std::set<std::string> being_written_;  // created empty, not yet closed by their writer
  // Directories that could not be watched or read (EACCES), and directories whose file events
  // could not be read: walked again once a permission change (IN_ATTRIB) lets hotpod in.
  std::set<std::string> unreadable_;
  bool limit_reported_ = false;
  Timer fallback_poll_;
  PollPacer verify_pacer_;
  Timer verify_timer_;
  WatchStats stats_;
};

}  // namespace hotpod
