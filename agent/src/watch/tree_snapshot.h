#pragma once
// What hotpod knows about the files below a root, kept per directory and compactly (one sorted
// array of entries and one block of names per directory: ~50 bytes a file) so 100k files cost
// a few MB. Scanning a directory diffs it against what was known and reports the differences;
// the inotify, poll and hybrid backends all keep their picture here.
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "watch/snapshot.h"
#include "watch/watcher.h"

namespace hotpod {

class TreeSnapshot {
 public:
  using DirectoryPolicy = std::function<bool(const std::string& rel_dir)>;
  // Called for every directory a walk enters, before it is read (e.g. to add an inotify watch).
  using EnterHook = std::function<void(const std::string& rel_dir)>;

  explicit TreeSnapshot(std::filesystem::path root) : root_(std::move(root)) {}

  // Reads rel_dir and everything below it that `descend` allows; updates the picture and, when
  // `out` is given, appends what changed (also the files of directories that disappeared).
  void walk(const std::string& rel_dir, const DirectoryPolicy& descend, const EnterHook& enter,
            std::vector<FileEvent>* out);
  // One step of a walk: enters and reads rel_dir; returns its subdirectories that `descend`
  // allows, or nullopt when it is gone (then it is forgotten, its files reported as removed).
  std::optional<std::vector<std::string>> visit(const std::string& rel_dir,
                                                const DirectoryPolicy& descend,
                                                const EnterHook& enter,
                                                std::vector<FileEvent>* out);
  // Re-reads only rel_dir (new subdirectories are walked; vanished ones are forgotten).
  void refreshDirectory(const std::string& rel_dir, const DirectoryPolicy& descend,
                        const EnterHook& enter, std::vector<FileEvent>* out);
  bool knowsDirectory(const std::string& rel_dir) const { return dirs_.contains(rel_dir); }
  // Forgets rel_dir and everything below it, reporting its files as removed.
  void forgetSubtree(const std::string& rel_dir, std::vector<FileEvent>* out);

  // One file, from an inotify event: its new state (nullopt: it is gone). Returns what kind of
  // change that is, or nullopt when nothing changed.
  std::optional<ChangeKind> update(std::string_view rel_path, std::optional<FileState> state);
  std::optional<FileState> find(std::string_view rel_path) const;
  // Re-reads what every known symlink resolves to and reports the links whose target changed as
  // Modified: no inotify event names a link when only its target moves.
  void recheckSymlinks(std::vector<FileEvent>& out);

  size_t fileCount() const { return file_count_; }
  size_t directoryCount() const { return dirs_.size(); }
  const std::filesystem::path& root() const { return root_; }
  // Every known file, relative to the root, in no particular order.
  void forEachFile(const std::function<void(const std::string&, const FileState&)>& fn) const;

 private:
  struct Entry {
    uint32_t name_offset;
    uint32_t name_length;
    FileState state;
  };
  struct Directory {
    std::vector<Entry> entries;  // sorted by name
    std::string names;           // the names, back to back
    uint64_t device = 0;         // st_dev of the directory, hence of its entries
    uint32_t symlinks = 0;       // entries that are symlinks: recheckSymlinks skips the rest
    std::string_view name(const Entry& entry) const {
      return std::string_view(names).substr(entry.name_offset, entry.name_length);
    }
  };

  // Reads one directory; returns its subdirectories (relative paths), or nullopt when it is gone.
  std::optional<std::vector<std::string>> scanDirectory(const std::string& rel_dir,
                                                        std::vector<FileEvent>* out);
  void compact(Directory& dir);

  std::filesystem::path root_;
  std::unordered_map<std::string, Directory> dirs_;
  size_t file_count_ = 0;
};

// A removal and a creation of the same inode in one scan are a rename, as inotify reports it:
// the created side becomes Renamed with `from` set (the removal stays, like IN_MOVED_FROM).
void pairRenames(std::vector<FileEvent>& events);

}  // namespace hotpod
