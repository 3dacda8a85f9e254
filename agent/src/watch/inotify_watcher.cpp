#include "watch/inotify_watcher.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "base/log.h"
#include "base/rel_path.h"
#include "base/syscalls.h"
#include "watch/inotify_advice.h"

namespace hotpod {
namespace {

// No IN_MODIFY: a change counts when its writer closes the file (IN_CLOSE_WRITE), so a build
// never starts on a half-written file, and a large write is one event, not thousands.
constexpr uint32_t kDirMask = IN_CREATE | IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVED_FROM |
                              IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR |
                              IN_DONT_FOLLOW | IN_EXCL_UNLINK;
constexpr uint32_t kAncestorMask =
    IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

// Whether st's mtime is within the last few clock ticks (the coarse clock that stamps mtime).
bool modifiedRecently(const struct stat& st) {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  const int64_t age_ns = (static_cast<int64_t>(now.tv_sec) - st.st_mtim.tv_sec) * 1'000'000'000 +
                         (now.tv_nsec - st.st_mtim.tv_nsec);
  return age_ns < 50'000'000;  // 50 ms: a few jiffies at any HZ
}

// Follows symlinks: used for the root (which may be a link to the tree) and its ancestors.
bool isDirectory(const std::filesystem::path& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

InotifyWatcher::InotifyWatcher(Reactor& reactor, std::filesystem::path root,
                               DirectoryPolicy should_descend, EventSink sink,
                               InotifyOptions options)
    : reactor_(reactor),
      root_(std::move(root)),
      should_descend_(std::move(should_descend)),
      sink_(std::move(sink)),
      options_(options),
      tree_(root_),
      watch_if_new_([this](const std::string& dir) {
        if (!wd_of_dir_.contains(dir)) watchDirectory(dir);
      }),
      new_subtrees_(
          reactor, tree_, should_descend_, [this](const std::string& dir) { watchDirectory(dir); },
          [this](std::vector<FileEvent> events) { emit(std::move(events)); }),
      fallback_poll_(reactor, [this] { pollUnwatched(); }),
      verify_pacer_("hybrid: verifying the tree",
                    options.verify_interval.value_or(std::chrono::milliseconds(5000)),
                    options.poll_budget),
      verify_timer_(reactor, [this] {
        walk(/*report=*/true, /*verifying=*/true);
        verify_timer_.armAfter(verify_pacer_.effective());
      }) {}

InotifyWatcher::~InotifyWatcher() {
  if (fd_) reactor_.remove(fd_.get());
}

WatchStats InotifyWatcher::stats() const {
  WatchStats current = stats_;
  current.watched_directories = dir_of_wd_.size();
  current.known_files = tree_.fileCount();
  if (options_.verify_interval) {
    current.poll_interval = verify_pacer_.effective();
  } else if (fallback_poll_.armed()) {
    current.poll_interval = options_.fallback_poll_interval;  // directories it could not watch
  }
  return current;
}

void InotifyWatcher::start() {
  requireWatchRoot(root_);
  fd_.reset(sys::ops().inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!fd_) {
    const int err = errno;
    throw sys::error(err, "inotify_init1", inotifyInitAdvice(err));
  }
  reactor_.add(fd_.get(), EPOLLIN, [this](uint32_t) { onReadable(); });
  // The first picture is the baseline: nothing to report. Each directory gets its watch before
  // it is read, so nothing lands unseen in between.
  tree_.walk(
      "", should_descend_, [this](const std::string& dir) { watchDirectory(dir); }, nullptr);
  if (options_.verify_interval) verify_timer_.armAfter(verify_pacer_.effective());
}

bool InotifyWatcher::watchDirectory(const std::string& rel_dir) {
  const std::filesystem::path path = rel_dir.empty() ? root_ : root_ / rel_dir;
  // The root may be a symlink to the tree; below it, links are never followed.
  const uint32_t mask = rel_dir.empty() ? kDirMask & ~IN_DONT_FOLLOW : kDirMask;
  const int wd = sys::ops().inotify_add_watch(fd_.get(), path.c_str(), mask);
  if (wd < 0) {
    const int err = errno;
    if (err == ENOSPC) {
      if (!limit_reported_) {
        limit_reported_ = true;
        log::error("watch_limit",
                   "inotify watch limit reached at " + path.string() + " (" + watchLimitText() +
                       "). Raise it: sysctl -w fs.inotify.max_user_watches=524288 (persist it in "
                       "/etc/sysctl.d/); until then hotpod polls the directories it could not "
                       "watch every " +
                       std::to_string(options_.fallback_poll_interval.count()) + "ms",
                   {{"dir", rel_dir}, {"errno", int64_t{err}}});
      }
      unwatched_.insert(rel_dir);
      if (!fallback_poll_.armed()) fallback_poll_.armAfter(options_.fallback_poll_interval);
    } else if (err == EACCES && !unreadable_.insert(rel_dir).second) {
      // Said once already; retried when its permissions change.
    } else if (err != ENOENT && err != ENOTDIR) {
      log::warn("watch_failed",
                "cannot watch " + path.string() + ": " + std::strerror(err) +
                    (err == EACCES ? " (give hotpod read access to it, or exclude it; hotpod "
                                     "watches it once its permissions change)"
                                   : ""),
                {{"dir", rel_dir}});
    }
    return false;
  }
  unwatched_.erase(rel_dir);
  if (unreadable_.erase(rel_dir) > 0) {
    log::info("watch_resumed", "watching " + path.string() + " (its permissions allow it now)",
              {{"dir", rel_dir}});
  }
  auto [previous, inserted] = dir_of_wd_.try_emplace(wd, rel_dir);
  if (!inserted && previous->second != rel_dir) {
    // Same inode under a new name (a directory moved inside the tree): re-key it.
    wd_of_dir_.erase(previous->second);
    previous->second = rel_dir;
  }
  wd_of_dir_[rel_dir] = wd;
  return true;
}

void InotifyWatcher::addSubtree(const std::string& rel_dir, std::vector<FileEvent>* out) {
  if (!rel_dir.empty() && !should_descend_(rel_dir)) return;
  if (new_subtrees_.queued(rel_dir)) return;
  if (tree_.knowsDirectory(rel_dir)) {
    // Read after its watch was added (its creation raced with the walk of its parent): the same
    // watch means the same directory, with nothing new to tell. Otherwise re-walk it at once.
    const auto known = wd_of_dir_.find(rel_dir);
    const int wd = known == wd_of_dir_.end() ? -1 : known->second;
    if (wd >= 0 && watchDirectory(rel_dir) && wd_of_dir_[rel_dir] == wd) return;
    tree_.walk(
        rel_dir, should_descend_, [this](const std::string& dir) { watchDirectory(dir); }, out);
    return;
  }
  new_subtrees_.add(rel_dir);  // walked in slices: its watches come before its reads
}

void InotifyWatcher::removeSubtree(const std::string& rel_dir, std::vector<FileEvent>& out) {
  new_subtrees_.drop(rel_dir);
  tree_.forgetSubtree(rel_dir, &out);
  for (auto it = wd_of_dir_.begin(); it != wd_of_dir_.end();) {
    if (isBelowOrAt(it->first, rel_dir)) {
      // A moved-away directory keeps its watch in the kernel; drop it explicitly.
      sys::ops().inotify_rm_watch(fd_.get(), it->second);
      dir_of_wd_.erase(it->second);
      it = wd_of_dir_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto* dirs : {&unwatched_, &unreadable_}) {
    for (auto it = dirs->begin(); it != dirs->end();) {
      it = isBelowOrAt(*it, rel_dir) ? dirs->erase(it) : std::next(it);
    }
  }
}

void InotifyWatcher::onReadable() {
  alignas(struct inotify_event) char buffer[64 * 1024];
  std::vector<FileEvent> out;
  bool overflowed = false;
  bool any_event = false;
  for (;;) {
    const ssize_t length = sys::ops().read(fd_.get(), buffer, sizeof buffer);
    if (length <= 0) {
      if (length < 0 && errno == EINTR) continue;
      break;  // EAGAIN: drained
    }
    any_event = true;
    for (ssize_t offset = 0; offset < length;) {
      const auto* event = reinterpret_cast<const struct inotify_event*>(buffer + offset);
      offset += static_cast<ssize_t>(sizeof(struct inotify_event) + event->len);
      if (event->mask & IN_Q_OVERFLOW) {
        overflowed = true;
        continue;
      }
      handleEvent(*event, out);
    }
  }
  // A rename's IN_MOVED_TO may arrive in the next read: keep this batch's origins one batch more
  // (bounded: a file moved out of the tree has no IN_MOVED_TO at all).
  moved_from_previous_ = std::move(moved_from_);
  moved_from_.clear();
  if (any_event) tree_.recheckSymlinks(out);  // a link's target may have moved under it
  emit(std::move(out));
  if (overflowed) {
    ++stats_.overflows;
    log::warn("watch_overflow",
              "inotify queue overflowed (fs.inotify.max_queued_events); rescanning the tree so "
              "no change is lost");
    rescan();
  }
}

void InotifyWatcher::handleEvent(const struct inotify_event& event, std::vector<FileEvent>& out) {
  if (event.wd == ancestor_wd_ && ancestor_wd_ >= 0) {
    if (event.mask & IN_IGNORED) ancestor_wd_ = -1;
    watchForRoot(out);  // something appeared (or vanished) on the way to the root
    return;
  }
  auto dir = dir_of_wd_.find(event.wd);
  if (dir == dir_of_wd_.end()) return;  // a watch we already dropped
  const std::string dir_path = dir->second;
  if (event.mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) {
    if (dir_path.empty()) {
      onRootLost(out);
    } else if (event.mask & (IN_IGNORED | IN_DELETE_SELF | IN_UNMOUNT)) {
      // Usually the parent has reported it already (then this finds nothing); not when the
      // parent has no watch.
      removeSubtree(dir_path, out);
    }
    return;
  }
  if (event.len == 0) {
    if (event.mask & IN_ATTRIB) retryUnreadable(dir_path, out);  // the root's own permissions
    return;
  }
  const std::string rel = joinRelative(dir_path, event.name);
  if (event.mask & IN_ISDIR) {
    if (event.mask & IN_ATTRIB) retryUnreadable(rel, out);
    if (event.mask & (IN_DELETE | IN_MOVED_FROM)) removeSubtree(rel, out);
    if (event.mask & (IN_CREATE | IN_MOVED_TO)) addSubtree(rel, &out);
    return;
  }
  handleFileEvent(event.mask, event.cookie, rel, out);
}

void InotifyWatcher::handleFileEvent(uint32_t mask, uint32_t cookie, const std::string& rel,
                                     std::vector<FileEvent>& out) {
  if (mask & (IN_DELETE | IN_MOVED_FROM)) {
    if (mask & IN_MOVED_FROM) moved_from_[cookie] = rel;
    const bool never_reported = being_written_.erase(rel) > 0;
    if (tree_.update(rel, std::nullopt) && !never_reported) {
      out.push_back({rel, ChangeKind::Removed, {}});
    }
    return;
  }
  struct stat st;
  const bool unreadable = ::lstat((root_ / rel).c_str(), &st) != 0;
  if (unreadable || S_ISDIR(st.st_mode)) {
    // Gone again, or hidden by its directory's permissions: then read it once they change.
    if (unreadable && errno == EACCES) unreadable_.insert(std::string(parentDir(rel)));
    return;
  }
  if (isSpecialFile(st.st_mode)) {  // no source file; one that was is gone
    if (tree_.update(rel, std::nullopt)) out.push_back({rel, ChangeKind::Removed, {}});
    return;
  }
  const auto kind = tree_.update(rel, fileStateAt(AT_FDCWD, (root_ / rel).c_str(), st));
  if ((mask & IN_CREATE) && S_ISREG(st.st_mode) && st.st_size == 0 && st.st_nlink == 1) {
    // A new file is being written: it counts when its writer closes it, never half-written.
    being_written_.insert(rel);
    return;
  }
  if ((mask & IN_CLOSE_WRITE) && being_written_.erase(rel) > 0) {
    out.push_back({rel, ChangeKind::Created, {}});
    return;
  }
  if (mask & IN_MOVED_TO) {
    out.push_back({rel, ChangeKind::Renamed, movedFrom(cookie)});
  } else if (kind) {
    out.push_back({rel, *kind, {}});
  } else if ((mask & IN_CLOSE_WRITE) && modifiedRecently(st)) {
    // Same state, but mtime has a clock tick's granularity: a rewrite within the tick looks
    // unchanged. An older mtime means the file was opened for writing and closed unchanged.
    out.push_back({rel, ChangeKind::Modified, {}});
  }
}

std::string InotifyWatcher::movedFrom(uint32_t cookie) const {
  for (const auto* origins : {&moved_from_, &moved_from_previous_}) {
    if (auto found = origins->find(cookie); found != origins->end()) return found->second;
  }
  return {};
}

void InotifyWatcher::onRootLost(std::vector<FileEvent>& out) {
  log::warn("root_lost", "watch root " + root_.string() +
                             " was removed or moved away; waiting for it to come back");
  removeSubtree("", out);  // every file and every watch, the root's included
  watchForRoot(out);
}

void InotifyWatcher::watchForRoot(std::vector<FileEvent>& out) {
  if (isDirectory(root_)) {
    if (ancestor_wd_ >= 0) sys::ops().inotify_rm_watch(fd_.get(), ancestor_wd_);
    ancestor_wd_ = -1;
    log::info("root_back", "watch root " + root_.string() + " is back; rescanning");
    addSubtree("", &out);
    return;
  }
  std::filesystem::path ancestor = root_.parent_path();
  while (!ancestor.empty() && !isDirectory(ancestor) && ancestor != ancestor.root_path()) {
    ancestor = ancestor.parent_path();
  }
  if (ancestor_wd_ >= 0 && ancestor == ancestor_) return;
  if (ancestor_wd_ >= 0) sys::ops().inotify_rm_watch(fd_.get(), ancestor_wd_);
  ancestor_ = ancestor;
  ancestor_wd_ = sys::ops().inotify_add_watch(fd_.get(), ancestor.c_str(), kAncestorMask);
  // The root may have come back between the check above and the new watch.
  if (isDirectory(root_)) watchForRoot(out);
}

void InotifyWatcher::walk(bool report, bool verifying) {
  ++stats_.rescans;
  std::vector<FileEvent> out;
  if (!isDirectory(root_)) {
    if (tree_.directoryCount() > 0) onRootLost(out);
    emit(std::move(out));
    return;
  }
  if (verifying) verify_pacer_.beginScan();
  tree_.walk("", should_descend_, watch_if_new_, report ? &out : nullptr);
  if (verifying) verify_pacer_.endScan();
  // Drop watches of directories that vanished or are excluded now.
  for (auto it = wd_of_dir_.begin(); it != wd_of_dir_.end();) {
    if (!it->first.empty() && !tree_.knowsDirectory(it->first)) {
      sys::ops().inotify_rm_watch(fd_.get(), it->second);
      dir_of_wd_.erase(it->second);
      it = wd_of_dir_.erase(it);
    } else {
      ++it;
    }
  }
  pairRenames(out);
  if (verifying && !out.empty()) {
    log::info("verify_found",
              std::to_string(out.size()) +
                  " change(s) found by the verification scan that inotify did not "
                  "report (changed beneath the mount?)",
              {{"count", static_cast<int64_t>(out.size())}});
  }
  emit(std::move(out));
}

void InotifyWatcher::pollUnwatched() {
  std::vector<FileEvent> out;
  const std::set<std::string> dirs = unwatched_;
  for (const auto& dir : dirs) {
    // Try for a watch again (watches may have been freed); either way read the directory once
    // more, since whatever changed while it had no watch produced no event.
    watchDirectory(dir);
    tree_.refreshDirectory(
        dir, should_descend_, [this](const std::string& sub) { watchDirectory(sub); }, &out);
  }
  if (unwatched_.empty()) {
    limit_reported_ = false;
    log::info("watch_limit_cleared", "every directory is watched by inotify again");
  } else {
    fallback_poll_.armAfter(options_.fallback_poll_interval);
  }
  emit(std::move(out));
}

// A permission change on rel_dir: walk it again if something at or below it could not be read.
void InotifyWatcher::retryUnreadable(const std::string& rel_dir, std::vector<FileEvent>& out) {
  const auto due = std::find_if(unreadable_.begin(), unreadable_.end(),
                                [&](const std::string& dir) { return isBelowOrAt(dir, rel_dir); });
  if (due == unreadable_.end()) return;
  const std::filesystem::path path = rel_dir.empty() ? root_ : root_ / rel_dir;
  // Still closed (this change was not the one that opens it): a walk would read it as removed.
  if (::faccessat(AT_FDCWD, path.c_str(), R_OK | X_OK, AT_EACCESS) != 0) return;
  for (auto it = unreadable_.begin(); it != unreadable_.end();) {
    it = isBelowOrAt(*it, rel_dir) && tree_.knowsDirectory(*it) ? unreadable_.erase(it)
                                                                : std::next(it);
  }
  tree_.walk(rel_dir, should_descend_, watch_if_new_, &out);
}

void InotifyWatcher::emit(std::vector<FileEvent> events) {
  if (!events.empty()) sink_(std::move(events));
}

}  // namespace hotpod
