#include "watch/snapshot.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/unique_fd.h"

namespace hotpod {

std::string_view toString(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::Created:
      return "created";
    case ChangeKind::Modified:
      return "modified";
    case ChangeKind::Removed:
      return "removed";
    case ChangeKind::Renamed:
      return "renamed";
  }
  return "unknown";
}

FileState fileStateOf(const struct stat& st) {
  return {static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
          static_cast<int64_t>(st.st_size), static_cast<uint64_t>(st.st_ino),
          static_cast<uint32_t>(st.st_mode)};
}

std::string joinRelative(std::string_view dir, std::string_view name) {
  std::string joined;
  joined.reserve(dir.size() + name.size() + 1);
  joined.append(dir);
  if (!dir.empty()) joined += '/';
  joined.append(name);
  return joined;
}

namespace {

// Iterative walk with openat/fdopendir: no path re-resolution per entry, no recursion depth limit.
void scanDirectory(int dir_fd, const std::string& rel_dir, Snapshot& out,
                   const std::function<bool(const std::string&)>& enter_dir,
                   const std::function<void(const std::string&, int)>& on_error) {
  DIR* dir = ::fdopendir(dir_fd);
  if (dir == nullptr) {
    if (on_error) on_error(rel_dir, errno);
    ::close(dir_fd);
    return;
  }
  std::vector<std::string> subdirs;
  while (dirent* entry = ::readdir(dir)) {
    const char* name = entry->d_name;
    if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) continue;
    struct stat st;
    if (::fstatat(::dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // raced away
    std::string rel = joinRelative(rel_dir, name);
    if (S_ISDIR(st.st_mode)) {
      subdirs.push_back(std::move(rel));
    } else {
      out.emplace(std::move(rel), fileStateOf(st));
    }
  }
  const int parent_fd = ::dirfd(dir);
  for (const auto& sub : subdirs) {
    if (!enter_dir(sub)) continue;
    const char* name = sub.c_str() + (rel_dir.empty() ? 0 : rel_dir.size() + 1);
    int sub_fd = ::openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub_fd < 0) {
      if (on_error && errno != ENOENT) on_error(sub, errno);
      continue;
    }
    scanDirectory(sub_fd, sub, out, enter_dir, on_error);
  }
  ::closedir(dir);
}

}  // namespace

void scanTree(const std::filesystem::path& root, const std::string& rel_start, Snapshot& out,
              const std::function<bool(const std::string&)>& enter_dir,
              const std::function<void(const std::string&, int)>& on_error) {
  const std::filesystem::path start = rel_start.empty() ? root : root / rel_start;
  int fd = ::open(start.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (on_error) on_error(rel_start, errno);
    return;
  }
  scanDirectory(fd, rel_start, out, enter_dir, on_error);
}

std::vector<FileEvent> diffSnapshots(const Snapshot& before, const Snapshot& after) {
  std::vector<FileEvent> events;
  for (const auto& [path, state] : after) {
    auto found = before.find(path);
    if (found == before.end()) {
      events.push_back({path, ChangeKind::Created, {}});
    } else if (!(found->second == state)) {
      events.push_back({path, ChangeKind::Modified, {}});
    }
  }
  for (const auto& [path, state] : before) {
    if (!after.contains(path)) events.push_back({path, ChangeKind::Removed, {}});
  }
  return events;
}

}  // namespace hotpod
