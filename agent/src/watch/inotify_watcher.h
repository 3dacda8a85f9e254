#pragma once
// Recursive inotify watcher. Watches every directory the policy lets it descend into, adds
// watches (and scans) for directories created or moved in later, follows renames, treats
// IN_Q_OVERFLOW as "rescan and diff", survives the root being removed and recreated, and turns
// ENOSPC (fs.inotify.max_user_watches) into advice plus polling of the tree.
#include <sys/inotify.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/reactor.h"
#include "core/timer.h"
#include "core/unique_fd.h"
#include "watch/snapshot.h"
#include "watch/watcher.h"

namespace hotpod {

using DirectoryPolicy = std::function<bool(const std::string& rel_dir)>;

class InotifyWatcher : public Watcher {
 public:
  InotifyWatcher(Reactor& reactor, std::filesystem::path root, DirectoryPolicy should_descend,
                 EventSink sink, std::chrono::milliseconds fallback_poll_interval);
  ~InotifyWatcher() override;

  void start() override;
  void rescan() override { walk(/*report=*/true); }
  void refreshWatches() override { walk(/*report=*/false); }
  std::string_view backend() const override { return "inotify"; }
  WatchStats stats() const override;

 private:
  void onReadable();
  void handleEvent(const struct inotify_event& event, std::vector<FileEvent>& out);
  void handleFileEvent(uint32_t mask, uint32_t cookie, const std::string& rel,
                       std::vector<FileEvent>& out);
  // Watches and scans rel_dir and everything below it; reports files not known yet.
  void addSubtree(const std::string& rel_dir, std::vector<FileEvent>& out, bool report = true);
  // Forgets rel_dir and everything below it; reports its known files as removed.
  void removeSubtree(const std::string& rel_dir, std::vector<FileEvent>& out);
  bool watchDirectory(const std::string& rel_dir);
  void forgetWatch(int wd);
  void onRootLost(std::vector<FileEvent>& out);
  void watchForRoot(std::vector<FileEvent>& out);
  void walk(bool report);
  void emit(std::vector<FileEvent> events);

  Reactor& reactor_;
  std::filesystem::path root_;
  DirectoryPolicy should_descend_;
  EventSink sink_;
  UniqueFd fd_;
  std::unordered_map<int, std::string> dir_of_wd_;
  std::unordered_map<std::string, int> wd_of_dir_;
  Snapshot known_;
  std::unordered_map<uint32_t, std::string> moved_from_;  // rename cookie → old path
  int ancestor_wd_ = -1;  // while the root is missing: a watch on its nearest ancestor
  std::filesystem::path ancestor_;
  bool out_of_watches_ = false;  // ENOSPC seen: poll until a rescan manages to watch all
  std::chrono::milliseconds fallback_poll_interval_;
  Timer fallback_poll_;
  WatchStats stats_;
};

}  // namespace hotpod
