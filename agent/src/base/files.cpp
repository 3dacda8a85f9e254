#include "base/files.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <functional>

#include "base/syscalls.h"
#include "base/unique_fd.h"

namespace hotpod {
namespace fs = std::filesystem;

const char* describeFileType(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a named pipe (FIFO)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

namespace {

std::filesystem::path fromEnvironment(const char* name, const fs::path& otherwise) {
  const char* value = std::getenv(name);
  return value && *value ? fs::path(value) : otherwise;
}

void writeAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw sys::error(errno, "cannot write " + path, "is the volume full?");
    data.remove_prefix(static_cast<size_t>(n));
  }
}

// Removes the temporary file unless it was renamed into place.
struct TempFileGuard {
  std::string path;
  bool keep = false;
  ~TempFileGuard() {
    if (!keep) ::unlink(path.c_str());
  }
};

// A rename puts a regular file in place of whatever has the name: of /dev/null, a FIFO or a
// symlink another user planted, only a regular file (or nothing) may be replaced.
void refuseUnlessRegular(const fs::path& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return;
  throw sys::error(EEXIST,
                   path.string() + " is " + describeFileType(st.st_mode) + ", not a regular file",
                   "hotpod replaces only regular files: choose another path");
}

void replaceAtomically(const fs::path& path, mode_t mode, const std::string& advice,
                       const std::function<void(int fd, const std::string& temp)>& fill,
                       Durable durable = Durable::Yes) {
  refuseUnlessRegular(path);
  const auto dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::string temp = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  UniqueFd fd(::mkostemp(temp.data(), O_CLOEXEC));
  if (!fd) throw sys::error(errno, "cannot create a temporary file in " + dir.string(), advice);
  TempFileGuard guard{temp};
  // mkostemp makes it 0600; readers (an agent under another UID, the app) may need more.
  if (::fchmod(fd.get(), mode) != 0) throw sys::error(errno, "cannot chmod " + temp, advice);
  fill(fd.get(), temp);
  if (durable == Durable::Yes && ::fsync(fd.get()) != 0) {
    throw sys::error(errno, "cannot fsync " + temp, advice);
  }
  if (::close(fd.release()) != 0) throw sys::error(errno, "cannot close " + temp, advice);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    throw sys::error(errno, "cannot rename " + temp + " to " + path.string(), advice);
  }
  guard.keep = true;
}

}  // namespace

fs::path tempDirectory() {
  return fromEnvironment("TMPDIR", "/tmp");
}

fs::path runtimeDirectory() {
  return fromEnvironment("XDG_RUNTIME_DIR", tempDirectory());
}

namespace {

// Refuses what another user could have planted; with `narrow`, makes a readable one 0700.
void requirePrivate(const fs::path& dir, bool narrow) {
  const std::string refuse = "refusing to use " + dir.string() + ": ";
  const std::string remove =
      "remove it if you did not make it: another user could plant files there";
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) {
    const int err = errno;
    if (err == ELOOP || err == ENOTDIR) {
      throw sys::error(err, refuse + "it is a symlink or not a directory", remove);
    }
    throw sys::error(err, "cannot open " + dir.string());
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) throw sys::error(errno, "cannot stat " + dir.string());
  if (st.st_uid != ::geteuid()) {
    throw sys::error(EPERM,
                     refuse + "it belongs to UID " + std::to_string(st.st_uid) + ", not to " +
                         std::to_string(::geteuid()),
                     remove);
  }
  if ((st.st_mode & 022) != 0) {
    throw sys::error(EPERM, refuse + "group or others may write to it", remove);
  }
  if (narrow && (st.st_mode & 077) != 0 && ::fchmod(fd.get(), 0700) != 0) {
    throw sys::error(errno, "cannot chmod 0700 " + dir.string());
  }
}

}  // namespace

const fs::path& privateDirectory(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw sys::error(errno, "cannot create " + dir.string(),
                     "make its parent writable, or set XDG_RUNTIME_DIR or TMPDIR elsewhere");
  }
  requirePrivate(dir, true);
  return dir;
}

void checkPrivateDirectory(const fs::path& dir) {
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0 && errno == ENOENT) return;  // made when hotpod runs
  requirePrivate(dir, false);
}

std::string describeByteLimit(size_t bytes) {
  if (bytes >= (size_t{1} << 20) && bytes % (size_t{1} << 20) == 0) {
    return std::to_string(bytes >> 20) + " MiB";
  }
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " bytes";
}

std::optional<std::string> readWholeFile(const fs::path& path, size_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string text;
  char buffer[64 * 1024];
  for (;;) {  // by reads, not by st_size: /dev/zero and /proc files have no honest size
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;  // a directory (EISDIR) cannot be read either
    if (n == 0) return text;
    if (text.size() + static_cast<size_t>(n) > max_bytes) {
      throw sys::error(EFBIG,
                       path.string() + " is larger than " + describeByteLimit(max_bytes) +
                           ", the most hotpod reads of such a file",
                       "check that it is the file you meant (not a device or a huge log)");
    }
    text.append(buffer, static_cast<size_t>(n));
  }
}

void replaceFileAtomically(const fs::path& path, std::string_view contents, mode_t mode,
                           const std::string& advice, Durable durable) {
  replaceAtomically(
      path, mode, advice, [&](int fd, const std::string& temp) { writeAll(fd, contents, temp); },
      durable);
}

void copyFileAtomically(const fs::path& from, const fs::path& to) {
  UniqueFd source(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (!source || ::fstat(source.get(), &st) != 0) {
    throw sys::error(errno, "cannot read " + from.string());
  }
  replaceAtomically(to, st.st_mode & 07777, {}, [&](int fd, const std::string& temp) {
    char buffer[64 * 1024];
    for (;;) {
      const ssize_t n = ::read(source.get(), buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw sys::error(errno, "cannot read " + from.string());
      if (n == 0) break;
      writeAll(fd, std::string_view(buffer, static_cast<size_t>(n)), temp);
    }
  });
}

}  // namespace hotpod
