#pragma once
// Chooses and builds the watch backend. `auto` decides by statfs of the root and of the mount
// points below it: network and virtual filesystems (nfs, cifs/smb, 9p, fuse, virtiofs, vboxsf…)
// are polled because changes made on the other side produce no inotify event; an overlay root
// gets hybrid (changes to a lower layer are silent), and so does a FUSE or virtiofs root (Docker
// Desktop's shares deliver the host's creates and modifies, not its deletes), there verified at
// the poll interval; local filesystems get inotify. A tree that mixes them gets both: inotify
// where it works, polling below the mounts where it does not. When no inotify instance can be
// had (EMFILE: fs.inotify.max_user_instances), auto polls and says why.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/reactor.h"
#include "model/config.h"
#include "watch/inotify_watcher.h"
#include "watch/watcher.h"

namespace hotpod {

// PartialEvents: inotify reports what passes through the mount and some of what the other side
// does (FUSE, virtiofs); a verification poll finds the rest. Pseudo: the kernel makes the files
// up (proc, sysfs, cgroup …); no source tree lives there.
enum class FsKind { Local, NeedsPolling, Overlay, PartialEvents, Pseudo };

struct FilesystemInfo {
  std::string name;  // "ext4", "nfs", "overlay", or "0x…" when unknown
  FsKind kind = FsKind::Local;
};

// statfs of path; throws std::system_error with advice when it cannot be read.
FilesystemInfo describeFilesystem(const std::filesystem::path& path);
FilesystemInfo describeMagic(long magic);

// Mount points strictly below root (from /proc/self/mountinfo), relative to root.
std::vector<std::string> mountPointsBelow(const std::filesystem::path& root);

// What will watch the tree, and why (one line for the log and for `hotpod check`).
struct BackendPlan {
  std::string name;                 // "inotify", "poll", "hybrid", "inotify+poll"
  std::vector<std::string> polled;  // subtrees polled; {""}: everything
  bool verify = false;              // inotify with a verification scan (hybrid)
  std::string reason;
  Duration verify_interval{0};  // of that scan; 0: watch.verify_interval
  bool inotify_failed = false;  // auto fell back to polling: logged as a warning
};
BackendPlan planBackend(const WatchConfig& config, const std::filesystem::path& root,
                        const DirectoryPolicy& should_descend);

// Whether this process can have an inotify instance; when not, why (with what to do).
std::optional<std::string> inotifyUnavailable();

std::unique_ptr<Watcher> makeWatcher(Reactor& reactor, const WatchConfig& config,
                                     const std::filesystem::path& root,
                                     DirectoryPolicy should_descend, EventSink sink);

}  // namespace hotpod
