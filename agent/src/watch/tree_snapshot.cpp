#include "watch/tree_snapshot.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "base/rel_path.h"

namespace hotpod {
namespace {

std::pair<std::string_view, std::string_view> splitPath(std::string_view rel_path) {
  const auto slash = rel_path.rfind('/');
  if (slash == std::string_view::npos) return {"", rel_path};
  return {rel_path.substr(0, slash), rel_path.substr(slash + 1)};
}

}  // namespace

std::optional<std::vector<std::string>> TreeSnapshot::scanDirectory(const std::string& rel_dir,
                                                                    std::vector<FileEvent>* out) {
  const std::filesystem::path path = rel_dir.empty() ? root_ : root_ / rel_dir;
  // The root may be a symlink to the tree (--root linkroot); below it, links are not followed.
  const int fd =
      ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | (rel_dir.empty() ? 0 : O_NOFOLLOW));
  DIR* dir = fd >= 0 ? ::fdopendir(fd) : nullptr;
  if (dir == nullptr) {
    if (fd >= 0) ::close(fd);
    return std::nullopt;
  }
  struct stat dir_stat;
  const uint64_t device = ::fstat(fd, &dir_stat) == 0 ? dir_stat.st_dev : 0;
  struct Found {
    std::string name;
    FileState state;
  };
  std::vector<Found> files;
  std::vector<std::string> subdirs;
  while (dirent* entry = ::readdir(dir)) {
    const char* name = entry->d_name;
    if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) continue;
    struct stat st;
    if (::fstatat(::dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // raced away
    if (isSpecialFile(st.st_mode)) continue;
    if (S_ISDIR(st.st_mode)) {
      subdirs.push_back(joinRelative(rel_dir, name));
    } else {
      files.push_back({name, fileStateAt(::dirfd(dir), name, st)});
    }
  }
  ::closedir(dir);
  std::sort(files.begin(), files.end(),
            [](const Found& a, const Found& b) { return a.name < b.name; });

  Directory fresh;
  fresh.device = device;
  fresh.entries.reserve(files.size());
  for (const auto& file : files) {
    fresh.entries.push_back({static_cast<uint32_t>(fresh.names.size()),
                             static_cast<uint32_t>(file.name.size()), file.state});
    fresh.symlinks += S_ISLNK(file.state.mode) ? 1 : 0;
    fresh.names += file.name;
  }
  auto [slot, inserted] = dirs_.try_emplace(rel_dir);
  Directory& known = slot->second;
  if (out != nullptr) {  // merge the two sorted lists
    size_t a = 0, b = 0;
    while (a < known.entries.size() || b < fresh.entries.size()) {
      const int order = a == known.entries.size() ? 1
                        : b == fresh.entries.size()
                            ? -1
                            : known.name(known.entries[a]).compare(fresh.name(fresh.entries[b]));
      if (order < 0) {
        const Entry& gone = known.entries[a++];
        out->push_back({joinRelative(rel_dir, known.name(gone)),
                        ChangeKind::Removed,
                        {},
                        gone.state.inode,
                        known.device});
      } else if (order > 0) {
        const Entry& added = fresh.entries[b++];
        out->push_back({joinRelative(rel_dir, fresh.name(added)),
                        ChangeKind::Created,
                        {},
                        added.state.inode,
                        device});
      } else {
        if (!(known.entries[a].state == fresh.entries[b].state)) {
          out->push_back(
              {joinRelative(rel_dir, fresh.name(fresh.entries[b])), ChangeKind::Modified, {}});
        }
        ++a, ++b;
      }
    }
  }
  file_count_ = file_count_ - known.entries.size() + fresh.entries.size();
  fresh.names.shrink_to_fit();
  known = std::move(fresh);
  return subdirs;
}

std::optional<std::vector<std::string>> TreeSnapshot::visit(const std::string& rel_dir,
                                                            const DirectoryPolicy& descend,
                                                            const EnterHook& enter,
                                                            std::vector<FileEvent>* out) {
  if (enter) enter(rel_dir);
  auto subdirs = scanDirectory(rel_dir, out);
  if (!subdirs) {
    forgetSubtree(rel_dir, out);
    return std::nullopt;
  }
  std::erase_if(*subdirs, [&descend](const std::string& sub) { return !descend(sub); });
  return subdirs;
}

void TreeSnapshot::walk(const std::string& rel_dir, const DirectoryPolicy& descend,
                        const EnterHook& enter, std::vector<FileEvent>* out) {
  std::vector<std::string> pending{rel_dir};
  std::vector<std::string> visited;
  while (!pending.empty()) {
    std::string current = std::move(pending.back());
    pending.pop_back();
    auto subdirs = visit(current, descend, enter, out);
    if (!subdirs) continue;
    visited.push_back(std::move(current));
    for (auto& sub : *subdirs) pending.push_back(std::move(sub));
  }
  // Directories known below rel_dir that the walk did not reach are gone (or excluded now).
  std::sort(visited.begin(), visited.end());
  std::vector<std::string> stale;
  for (const auto& [path, dir] : dirs_) {
    if (isBelowOrAt(path, rel_dir) && !std::binary_search(visited.begin(), visited.end(), path)) {
      stale.push_back(path);
    }
  }
  for (const auto& path : stale) {
    auto found = dirs_.find(path);
    if (found == dirs_.end()) continue;
    if (out != nullptr) {
      for (const auto& entry : found->second.entries) {
        out->push_back({joinRelative(path, found->second.name(entry)), ChangeKind::Removed, {}});
      }
    }
    file_count_ -= found->second.entries.size();
    dirs_.erase(found);
  }
}

void TreeSnapshot::refreshDirectory(const std::string& rel_dir, const DirectoryPolicy& descend,
                                    const EnterHook& enter, std::vector<FileEvent>* out) {
  const auto subdirs = scanDirectory(rel_dir, out);
  if (!subdirs) {
    forgetSubtree(rel_dir, out);
    return;
  }
  for (const auto& sub : *subdirs) {
    if (!dirs_.contains(sub) && descend(sub)) walk(sub, descend, enter, out);
  }
}

void TreeSnapshot::forgetSubtree(const std::string& rel_dir, std::vector<FileEvent>* out) {
  for (auto it = dirs_.begin(); it != dirs_.end();) {
    if (!isBelowOrAt(it->first, rel_dir)) {
      ++it;
      continue;
    }
    if (out != nullptr) {
      for (const auto& entry : it->second.entries) {
        out->push_back({joinRelative(it->first, it->second.name(entry)), ChangeKind::Removed, {}});
      }
    }
    file_count_ -= it->second.entries.size();
    it = dirs_.erase(it);
  }
}

std::optional<ChangeKind> TreeSnapshot::update(std::string_view rel_path,
                                               std::optional<FileState> state) {
  const auto [dir_path, name] = splitPath(rel_path);
  auto found = dirs_.find(std::string(dir_path));
  if (found == dirs_.end()) {
    if (!state) return std::nullopt;
    found = dirs_.try_emplace(std::string(dir_path)).first;
  }
  Directory& dir = found->second;
  auto position = std::lower_bound(
      dir.entries.begin(), dir.entries.end(), name,
      [&dir](const Entry& entry, std::string_view key) { return dir.name(entry) < key; });
  const bool present = position != dir.entries.end() && dir.name(*position) == name;
  if (!state) {
    if (!present) return std::nullopt;
    dir.symlinks -= S_ISLNK(position->state.mode) ? 1 : 0;
    dir.entries.erase(position);
    --file_count_;
    compact(dir);
    return ChangeKind::Removed;
  }
  if (present) {
    const bool changed = !(position->state == *state);
    dir.symlinks += (S_ISLNK(state->mode) ? 1 : 0) - (S_ISLNK(position->state.mode) ? 1 : 0);
    position->state = *state;
    return changed ? std::optional(ChangeKind::Modified) : std::nullopt;
  }
  const Entry entry{static_cast<uint32_t>(dir.names.size()), static_cast<uint32_t>(name.size()),
                    *state};
  dir.names.append(name);
  dir.symlinks += S_ISLNK(state->mode) ? 1 : 0;
  dir.entries.insert(position, entry);
  ++file_count_;
  return ChangeKind::Created;
}

std::optional<FileState> TreeSnapshot::find(std::string_view rel_path) const {
  const auto [dir_path, name] = splitPath(rel_path);
  auto found = dirs_.find(std::string(dir_path));
  if (found == dirs_.end()) return std::nullopt;
  const Directory& dir = found->second;
  auto position = std::lower_bound(
      dir.entries.begin(), dir.entries.end(), name,
      [&dir](const Entry& entry, std::string_view key) { return dir.name(entry) < key; });
  if (position == dir.entries.end() || dir.name(*position) != name) return std::nullopt;
  return position->state;
}

void TreeSnapshot::recheckSymlinks(std::vector<FileEvent>& out) {
  for (auto& [path, dir] : dirs_) {
    if (dir.symlinks == 0) continue;  // most directories: no entry to look at
    for (auto& entry : dir.entries) {
      if (!S_ISLNK(entry.state.mode)) continue;
      const std::string rel = joinRelative(path, dir.name(entry));
      const std::filesystem::path full = root_ / rel;
      struct stat st;
      // Gone or replaced by a directory: the event for the link itself reports that.
      if (::lstat(full.c_str(), &st) != 0 || S_ISDIR(st.st_mode)) continue;
      const FileState now = fileStateAt(AT_FDCWD, full.c_str(), st);
      if (now == entry.state) continue;
      dir.symlinks -= S_ISLNK(now.mode) ? 0 : 1;  // replaced by a regular file
      entry.state = now;
      out.push_back({rel, ChangeKind::Modified, {}});
    }
  }
}

// Removed names leave holes in the name block; rebuild it once holes outweigh the live names.
void TreeSnapshot::compact(Directory& dir) {
  size_t live = 0;
  for (const auto& entry : dir.entries) live += entry.name_length;
  if (dir.names.size() < 2 * live + 64) return;
  std::string names;
  names.reserve(live);
  for (auto& entry : dir.entries) {
    const auto name = dir.name(entry);
    entry.name_offset = static_cast<uint32_t>(names.size());
    names.append(name);
  }
  dir.names = std::move(names);
}

void TreeSnapshot::forEachFile(
    const std::function<void(const std::string&, const FileState&)>& fn) const {
  for (const auto& [path, dir] : dirs_) {
    for (const auto& entry : dir.entries) fn(joinRelative(path, dir.name(entry)), entry.state);
  }
}

}  // namespace hotpod

namespace hotpod {

void pairRenames(std::vector<FileEvent>& events) {
  // An inode number is unique per device only: a bind mount below the root has its own.
  std::map<std::pair<uint64_t, uint64_t>, std::string> removed;
  for (const auto& event : events) {
    if (event.kind == ChangeKind::Removed && event.inode != 0) {
      removed[{event.device, event.inode}] = event.path;
    }
  }
  if (removed.empty()) return;
  for (auto& event : events) {
    if (event.kind != ChangeKind::Created || event.inode == 0) continue;
    auto found = removed.find({event.device, event.inode});
    if (found == removed.end()) continue;
    event.kind = ChangeKind::Renamed;
    event.from = found->second;
  }
}

}  // namespace hotpod
