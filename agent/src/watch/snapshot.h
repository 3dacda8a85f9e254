#pragma once
// A flat picture of the files below a root (path → mtime, size, inode, mode) and the diff of two
// pictures, for one-off uses (hotpod check, tests); the watchers keep the compact TreeSnapshot.
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

  bool operator==(const FileState&) const = default;
};

using Snapshot = std::unordered_map<std::string, FileState>;

FileState fileStateOf(const struct stat& st);

// Walks root/rel_start (not following symlinks). For every directory below it calls
// enter_dir(rel_dir); a false answer skips that directory. Files go into `out`; unreadable
// directories are skipped.
void scanTree(const std::filesystem::path& root, const std::string& rel_start, Snapshot& out,
              const std::function<bool(const std::string& rel_dir)>& enter_dir);

// Events that turn `before` into `after`.
std::vector<FileEvent> diffSnapshots(const Snapshot& before, const Snapshot& after);

// Throws std::system_error saying what to do when the watch root is not a directory.
void requireWatchRoot(const std::filesystem::path& root);

// "a/b" + "c" → "a/b/c"; "" + "c" → "c".
std::string joinRelative(std::string_view dir, std::string_view name);

}  // namespace hotpod
