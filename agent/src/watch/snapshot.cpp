#include "watch/snapshot.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace hotpod {

FileState fileStateOf(const struct stat& st) {
  return {static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
          static_cast<int64_t>(st.st_size), static_cast<uint64_t>(st.st_ino),
          static_cast<uint32_t>(st.st_mode)};
}

FileState fileStateAt(int dir_fd, const char* name, const struct stat& link_stat) {
  FileState state = fileStateOf(link_stat);
  struct stat target;
  if (!S_ISLNK(link_stat.st_mode) || ::fstatat(dir_fd, name, &target, 0) != 0) return state;
  state.mtime_ns = fileStateOf(target).mtime_ns;
  state.size = static_cast<int64_t>(target.st_size);
  state.target = (static_cast<uint64_t>(target.st_dev) * 0x9E3779B97F4A7C15ULL) ^ target.st_ino;
  return state;
}

void requireWatchRoot(const std::filesystem::path& root) {
  const std::string name = "watch root " + root.string();
  struct stat st;
  if (::stat(root.c_str(), &st) != 0) {
    const int error = errno;
    throw std::system_error(error, std::generic_category(),
                            error == ENOENT ? name +
                                                  " does not exist (create it, or point --root / "
                                                  "root: at the source tree)"
                                            : name +
                                                  " cannot be reached (check the permissions "
                                                  "of the directories above it)");
  }
  if (!S_ISDIR(st.st_mode)) {
    throw std::system_error(ENOTDIR, std::generic_category(),
                            name +
                                " is a file, not a directory (point --root / root: at the "
                                "directory of the source tree)");
  }
  // A tree this user cannot list would look empty: nothing watched, nothing ever built.
  if (::faccessat(AT_FDCWD, root.c_str(), R_OK | X_OK, AT_EACCESS) != 0) {
    const int error = errno;
    throw std::system_error(error, std::generic_category(),
                            name + " cannot be read by this user (uid " +
                                std::to_string(::geteuid()) +
                                "; give it read and search permission, e.g. chmod a+rx, or run "
                                "hotpod as a user who can read it)");
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

}  // namespace hotpod
