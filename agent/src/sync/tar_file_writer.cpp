#include "sync/tar_file_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string_view>

namespace hotpod {
namespace {

// The directory part of a member's path: "a/b/c" → "a/b"; "c" → ".".
std::string_view directoryOf(std::string_view name) {
  const auto slash = name.rfind('/');
  return slash == std::string_view::npos ? std::string_view(".") : name.substr(0, slash);
}

}  // namespace

int tarDiskFlags(const TarOptions& options) {
  const bool root = ::geteuid() == 0;
  int flags = ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;
  if (!options.touch) flags |= ARCHIVE_EXTRACT_TIME;
  if (options.same_permissions || (root && !options.no_same_permissions)) {
    flags |= ARCHIVE_EXTRACT_PERM;
  }
  if (options.same_owner || (root && !options.no_same_owner)) flags |= ARCHIVE_EXTRACT_OWNER;
  return flags;
}

TarFileWriter::TarFileWriter(const TarOptions& options, archive* disk) : disk_(disk) {
  const int flags = tarDiskFlags(options);
  restore_owner_ = (flags & ARCHIVE_EXTRACT_OWNER) != 0;
  restore_mode_ = (flags & ARCHIVE_EXTRACT_PERM) != 0;
  restore_times_ = (flags & ARCHIVE_EXTRACT_TIME) != 0;
  umask_ = ::umask(0);
  ::umask(umask_);
  euid_ = ::geteuid();
  egid_ = ::getegid();
  prefix_ = ".#hotpod-tar-" + std::to_string(::getpid()) + "-";
}

void TarFileWriter::temporaryName(std::string_view name, std::string& temporary) {
  const auto slash = name.rfind('/');
  temporary.assign(name.substr(0, slash == std::string_view::npos ? 0 : slash + 1));
  temporary += prefix_;
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, counter_++).ptr;
  temporary.append(digits, end);
}

int TarFileWriter::create(const std::string& temporary, archive_entry* entry) {
  end_ = 0;
  write_error_ = 0;
  mode_t mode = archive_entry_perm(entry) & 07777;
  // Without -p (and not as root) only the permission bits, less the umask, as libarchive does.
  if (!restore_mode_) mode &= 0777;
  return ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, mode);
}

bool TarFileWriter::write(int fd, const void* data, size_t size, int64_t offset) {
  if (write_error_ != 0) return false;
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::pwrite(fd, bytes, size, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      write_error_ = n < 0 ? errno : EIO;
      return false;
    }
    bytes += n;
    size -= static_cast<size_t>(n);
    offset += n;
  }
  if (offset > end_) end_ = offset;
  return true;
}

int TarFileWriter::finish(int fd, const std::string& temporary, archive_entry* entry) {
  int error = write_error_;
  // A sparse member may end in a hole: the file still has the member's size.
  if (error == 0 && archive_entry_size_is_set(entry) && end_ < archive_entry_size(entry) &&
      ::ftruncate(fd, archive_entry_size(entry)) != 0) {
    error = errno;
  }
  if (restore_owner_) {
    const auto uid = static_cast<uid_t>(
        archive_write_disk_uid(disk_, archive_entry_uname(entry), archive_entry_uid(entry)));
    const auto gid = static_cast<gid_t>(
        archive_write_disk_gid(disk_, archive_entry_gname(entry), archive_entry_gid(entry)));
    // The owner a new file in this directory gets, learnt from the first one (a set-gid
    // directory or a grpid mount gives the directory's group): fchown only to change it.
    const std::string_view dir = directoryOf(temporary);
    auto known = new_file_group_.find(dir);
    struct stat info {};
    if (known == new_file_group_.end() && ::fstat(fd, &info) == 0 && info.st_uid == euid_) {
      known = new_file_group_.emplace(dir, info.st_gid).first;
    }
    if (known == new_file_group_.end() || uid != euid_ || gid != known->second) {
      (void)::fchown(fd, uid, gid);  // best effort, as libarchive's (a warning it never showed)
    }
  }
  if (restore_mode_) {
    const mode_t mode = archive_entry_perm(entry) & 07777;
    if ((mode & umask_) != 0) (void)::fchmod(fd, mode);
  }
  if (restore_times_ && (archive_entry_atime_is_set(entry) || archive_entry_mtime_is_set(entry))) {
    timespec times[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    if (archive_entry_atime_is_set(entry)) {
      times[0] = {archive_entry_atime(entry), archive_entry_atime_nsec(entry)};
    }
    if (archive_entry_mtime_is_set(entry)) {
      times[1] = {archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)};
    }
    (void)::futimens(fd, times);
  }
  if (::close(fd) != 0 && error == 0 && errno != EINTR) error = errno;
  return error;
}

}  // namespace hotpod
