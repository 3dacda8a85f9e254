#pragma once
// The state hotpod keeps per file (mtime, size, inode, mode) and small path helpers shared by the
// watch backends; the picture of a whole tree is the TreeSnapshot.
#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "watch/watcher.h"

namespace hotpod {

struct FileState {
  int64_t mtime_ns = 0;
  int64_t size = 0;
  uint64_t inode = 0;
  uint32_t mode = 0;
  uint64_t target = 0;  // symlinks: the device and inode they resolve to, mixed; else 0

  bool operator==(const FileState&) const = default;
};

FileState fileStateOf(const struct stat& st);
// The state of `name` in `dir_fd` (or AT_FDCWD), given its lstat. A symlink takes mtime and size
// from what it resolves to, and `target` names that, so re-pointing the link (a Kubernetes
// ConfigMap update swaps the ..data link) or changing its target is a change of the link.
FileState fileStateAt(int dir_fd, const char* name, const struct stat& link_stat);

// FIFOs, sockets and device nodes are no source files: an app that creates its socket in the
// tree must not trigger a build. Only regular files and symlinks are.
inline bool isSpecialFile(mode_t mode) {
  return S_ISFIFO(mode) || S_ISSOCK(mode) || S_ISCHR(mode) || S_ISBLK(mode);
}

// Throws std::system_error saying what to do when the watch root is missing, not a directory,
// or not readable by this user (a symlink to a directory is fine: the tree it points to is
// watched).
void requireWatchRoot(const std::filesystem::path& root);

// "a/b" + "c" → "a/b/c"; "" + "c" → "c".
std::string joinRelative(std::string_view dir, std::string_view name);

}  // namespace hotpod
