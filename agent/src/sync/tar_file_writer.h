#pragma once
// The regular files of an extraction, written with plain system calls instead of libarchive's
// archive_write_disk, which costs per file two umask calls, an fcntl and an fchown and a
// utimensat even when nothing is to change. Per file this makes: open (O_EXCL|O_CLOEXEC, a
// new temporary name), the writes, fchown only when the owner is to be restored and differs,
// fchmod only when the umask took away a bit the archive asks for, futimens only without -m,
// close. The umask, the effective ids and the pid are read once.
#include <archive.h>
#include <archive_entry.h>
#include <sys/types.h>

#include <map>
#include <string>
#include <string_view>

#include "sync/tar_options.h"

namespace hotpod {

class TarFileWriter {
 public:
  // `disk`: the archive_write_disk of the extraction, for its user and group name lookup.
  TarFileWriter(const TarOptions& options, archive* disk);

  // Creates `temporary` (relative to the working directory, a name that must not exist) with
  // the entry's permissions; the open fd, or -1 with errno set.
  int create(const std::string& temporary, archive_entry* entry);
  // Data of the entry at `offset` (offsets may skip holes of a sparse member). False after an
  // error, kept for finish().
  bool write(int fd, const void* data, size_t size, int64_t offset);
  // Owner, mode and times, then close. Returns 0, or the errno of a failed write or close (the
  // owner and the times are best effort, as in libarchive: a failure there is not an error).
  int finish(int fd, const std::string& temporary, archive_entry* entry);
  // libarchive wrote an entry (a directory, a link, a file whose directory was missing): a
  // directory's set-gid bit or owner may have changed.
  void forgetDirectories() { new_file_group_.clear(); }

  // ".#hotpod-tar-PID-N" in the member's directory, into `temporary` (a buffer kept by the
  // caller: no allocation per file): the watcher takes ".#…" for an editor's scratch file and
  // never reports it.
  void temporaryName(std::string_view name, std::string& temporary);

 private:
  archive* disk_;
  bool restore_owner_;
  bool restore_mode_;
  bool restore_times_;
  mode_t umask_;
  uid_t euid_;
  gid_t egid_;
  std::string prefix_;  // ".#hotpod-tar-PID-"
  unsigned counter_ = 0;
  int64_t end_ = 0;  // the end of the data written to the current file
  int write_error_ = 0;
  // directory → the group new files get there (looked up by string_view: no allocation)
  std::map<std::string, gid_t, std::less<>> new_file_group_;
};

// ARCHIVE_EXTRACT_* flags for the options and our effective uid (GNU tar's defaults: as root,
// owner and permissions are restored unless told not to).
int tarDiskFlags(const TarOptions& options);

}  // namespace hotpod
