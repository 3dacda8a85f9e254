#include "watch/snapshot.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "watch/tree_snapshot.h"

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

void requireWatchRoot(const std::filesystem::path& root) {
  struct stat st;
  if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw std::system_error(ENOENT, std::generic_category(),
                            "watch root " + root.string() +
                                " is not a directory (create it, or point --root / root: at the "
                                "source tree)");
  }
}

std::string joinRelative(std::string_view dir, std::string_view name) {
  std::string joined;
  joined.reserve(dir.size() + name.size() + 1);
  joined.append(dir);
  if (!dir.empty()) joined += '/';
  joined.append(name);
  return joined;
}

void scanTree(const std::filesystem::path& root, const std::string& rel_start, Snapshot& out,
              const std::function<bool(const std::string&)>& enter_dir) {
  TreeSnapshot tree(root);
  tree.walk(rel_start, enter_dir, {}, nullptr);
  tree.forEachFile(
      [&out](const std::string& path, const FileState& state) { out.emplace(path, state); });
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
