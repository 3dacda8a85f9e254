// Extraction: libarchive reads the stream and makes directories, links and symlinks; regular
// files are written by TarFileWriter to a temporary file in their directory that is renamed
// into place (by libarchive when their directory does not exist yet: it makes the parents).
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "sync/sync_socket.h"
#include "sync/tar_archive.h"
#include "sync/tar_command.h"
#include "sync/tar_file_writer.h"

namespace hotpod {
namespace {

// A member name made safe into `normal` (a buffer the caller keeps: no allocation per member),
// or false (skipped, with GNU tar's message).
class NameGuard {
 public:
  explicit NameGuard(std::ostream& errors) : errors_(errors) {}

  bool safe(std::string_view raw, bool link_target, std::string& normal) {
    std::string_view name = raw;
    if (!name.empty() && name.front() == '/') {
      while (!name.empty() && name.front() == '/') name.remove_prefix(1);
      bool& warned = link_target ? warned_link_ : warned_name_;
      if (!std::exchange(warned, true)) {
        errors_ << "tar: Removing leading `/' from "
                << (link_target ? "hard link targets" : "member names") << '\n';
      }
    }
    normal.clear();
    for (size_t start = 0; start <= name.size();) {
      size_t end = name.find('/', start);
      if (end == std::string_view::npos) end = name.size();
      const std::string_view part = name.substr(start, end - start);
      start = end + 1;
      if (part == "..") {
        errors_ << "tar: " << raw << ": Member name contains '..'\n";
        failed = true;
        return false;
      }
      if (part.empty() || part == ".") continue;
      if (!normal.empty()) normal += '/';
      normal += part;
    }
    // A name below a symlink this archive made would be written wherever that symlink points.
    for (size_t slash = symlinks_.empty() ? std::string::npos : normal.find('/');
         slash != std::string::npos; slash = normal.find('/', slash + 1)) {
      const std::string_view parent(normal.data(), slash);
      if (symlinks_.contains(parent)) {
        errors_ << "tar: " << raw << ": Cannot open: " << parent
                << " is a symlink from this archive; not writing through it\n";
        failed = true;
        return false;
      }
    }
    return true;
  }

  void made(const std::string& name, bool symlink) {
    if (symlink) {
      symlinks_.insert(name);
    } else if (!symlinks_.empty()) {
      if (auto it = symlinks_.find(name); it != symlinks_.end()) symlinks_.erase(it);
    }
  }
  bool madeSymlink(const std::string& name) const { return symlinks_.contains(name); }

  bool failed = false;

 private:
  std::ostream& errors_;
  bool warned_name_ = false;
  bool warned_link_ = false;
  std::set<std::string, std::less<>> symlinks_;
};

// The temporary file being written, for a signal handler: a tar stopped by SIGTERM, SIGINT or
// SIGHUP leaves no temporary file behind (SIGKILL does; the watcher ignores it).
char g_temporary[4096];

extern "C" void removeTemporaryAndExit(int signal) {
  if (g_temporary[0] != '\0') ::unlink(g_temporary);
  ::_exit(128 + signal);
}

// `directory` (absolute, ending in '/') followed by `relative`; an empty `relative`: none. Written
// in place, no allocation: once per file. A path too long for the buffer is not kept (the
// handler must never remove a shortened name).
void setTemporary(std::string_view directory = {}, std::string_view relative = {}) {
  g_temporary[0] = '\0';  // the handler sees an empty name while the new one is copied
  std::atomic_signal_fence(std::memory_order_seq_cst);
  const size_t size = directory.size() + relative.size();
  if (relative.empty() || directory.empty() || size >= sizeof g_temporary) return;
  std::memcpy(g_temporary + 1, directory.data() + 1, directory.size() - 1);
  std::memcpy(g_temporary + directory.size(), relative.data(), relative.size());
  g_temporary[size] = '\0';
  std::atomic_signal_fence(std::memory_order_seq_cst);
  g_temporary[0] = directory.front();
}

class Extractor {
 public:
  Extractor(const TarOptions& options, std::ostream& listing, std::ostream& errors)
      : options_(options),
        listing_(listing),
        errors_(errors),
        names_(errors),
        files_(options, disk_.get()) {
    archive_write_disk_set_options(disk_.get(), tarDiskFlags(options));
    archive_write_disk_set_standard_lookup(disk_.get());
    here_ = std::filesystem::current_path().string();
    if (!here_.ends_with('/')) here_ += '/';
  }

  int run() {
    ArchiveReader reader(options_, errors_);
    if (!reader.open()) return 2;
    bool complete = false;
    while (true) {
      archive_entry* entry = nullptr;
      const int r = archive_read_next_header(reader.get(), &entry);
      if (r == ARCHIVE_EOF) {
        complete = true;
        break;
      }
      if (r < ARCHIVE_WARN) {
        reader.reportError();
        break;
      }
      if (r == ARCHIVE_WARN) reader.reportWarning();
      if (!member(reader, entry)) break;
    }
    if (archive_write_close(disk_.get()) != ARCHIVE_OK) diskError("");
    // Only a whole archive is a sync: a cut stream leaves its complete files but starts no build.
    if (complete) notifier_.finish();
    if (!complete || names_.failed || failed_) {
      errors_ << "tar: Exiting with failure status due to previous errors\n";
      return 2;
    }
    return 0;
  }

 private:
  void diskError(const std::string& name) {
    const char* why = archive_error_string(disk_.get());
    errors_ << "tar: " << (name.empty() ? "" : name + ": ") << (why ? why : "write failed") << '\n';
    failed_ = true;
  }

  // One member; false when the stream broke (the archive cannot go on).
  // The names live in buffers kept across members: no allocation per member once they grew.
  bool member(ArchiveReader& reader, archive_entry* entry) {
    const char* pathname = archive_entry_pathname(entry);
    raw_.assign(pathname != nullptr ? pathname : "");  // for messages after the name changed
    const std::string& raw = raw_;
    if (options_.verbose > 0) listing_ << describeEntry(entry, options_.verbose) << '\n';
    if (!names_.safe(raw, false, name_)) return reader.skipData();
    if (name_.empty()) return reader.skipData();  // "./": the target directory itself
    if (name_ != raw) archive_entry_set_pathname(entry, name_.c_str());
    const mode_t type = archive_entry_filetype(entry);
    if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO || type == AE_IFSOCK) {
      errors_ << "tar: " << raw << ": Cannot mknod: hotpod's tar does not make device nodes, "
              << "FIFOs or sockets (skipped)\n";
      failed_ = true;
      return reader.skipData();
    }
    const mode_t perm = archive_entry_perm(entry);
    if (perm & (S_ISUID | S_ISGID)) {
      errors_ << "tar: " << raw << ": set-uid/set-gid bits removed\n";
      archive_entry_set_perm(entry, perm & ~(S_ISUID | S_ISGID));
    }
    if (const char* target = archive_entry_hardlink(entry)) {
      if (!names_.safe(target, true, target_)) return reader.skipData();
      if (target_ != target) archive_entry_set_hardlink(entry, target_.c_str());
      return writeDirectly(reader, entry, name_);
    }
    if (type == AE_IFREG) return writeRegular(reader, entry, name_);
    return writeDirectly(reader, entry, name_);
  }

  // libarchive makes missing parents, and replaces a file that is in the way: the user's file
  // would be gone. GNU tar refuses ("Not a directory") and keeps it; so do we. Checked where
  // libarchive writes, never on the fast path (there the parent opened as a directory).
  bool parentsAreDirectories(const std::string& name) {
    for (size_t slash = name.find('/'); slash != std::string::npos;
         slash = name.find('/', slash + 1)) {
      const std::string parent = name.substr(0, slash);
      struct stat info {};
      if (::stat(parent.c_str(), &info) != 0) return true;  // missing: libarchive makes it
      if (!S_ISDIR(info.st_mode)) {
        errors_ << "tar: " << name << ": Cannot open: Not a directory\n";
        failed_ = true;
        return false;
      }
    }
    return true;
  }

  // `name` is in normal form (NameGuard) and the working directory is absolute and normal, so
  // joining them is too; cheaper than std::filesystem's operator/ and lexically_normal().
  void announce(const std::string& name, mode_t type) {
    if (type == AE_IFDIR) return;
    absolute_.assign(here_);
    absolute_ += name;
    notifier_.announce(absolute_);
  }

  bool writeDirectly(ArchiveReader& reader, archive_entry* entry, const std::string& name) {
    const mode_t type = archive_entry_filetype(entry);
    announce(name, type);
    files_.forgetDirectories();
    if (!parentsAreDirectories(name)) return reader.skipData();
    // A directory over a symlink this archive made replaces it, as in GNU tar: libarchive
    // would follow it, and what the archive puts below would land wherever it points.
    if (type == AE_IFDIR && names_.madeSymlink(name)) ::unlink(name.c_str());
    if (archive_write_header(disk_.get(), entry) < ARCHIVE_WARN) {
      diskError(name);
      return reader.skipData();
    }
    names_.made(name, type == AE_IFLNK && !archive_entry_hardlink(entry));
    // A directory's data (GNU incremental archives list its entries there) is not content.
    return copyThroughDisk(reader, name, type == AE_IFDIR).stream_ok;
  }

  struct Copied {
    bool stream_ok;  // false: the stream broke
    bool on_disk;    // all of it reached the disk (else the error is said)
  };
  // The entry's data through libarchive's disk writer (skipped: only read past), then the
  // entry's end.
  Copied copyThroughDisk(ArchiveReader& reader, const std::string& name, bool skip) {
    std::string write_error;
    const bool stream_ok = skip ? reader.skipData() : reader.copyData(disk_.get(), &write_error);
    if (archive_write_finish_entry(disk_.get()) < ARCHIVE_WARN) {
      diskError(name);
      return {stream_ok, false};
    }
    if (!write_error.empty()) {
      errors_ << "tar: " << name << ": " << write_error << '\n';
      failed_ = true;
      return {stream_ok, false};
    }
    return {stream_ok, true};
  }

  bool writeRegular(ArchiveReader& reader, archive_entry* entry, const std::string& name) {
    files_.temporaryName(name, temporary_);
    const std::string& temporary = temporary_;
    setTemporary(here_, temporary);
    announce(name, AE_IFREG);
    const int fd = files_.create(temporary, entry);
    // No directory yet (or anything else in the way): libarchive makes the parents, as GNU tar
    // does, and says why it could not.
    if (fd < 0) return writeTemporaryWithLibarchive(reader, entry, name, temporary);
    const bool ok = reader.readData([&](const void* data, size_t size, int64_t offset) {
      files_.write(fd, data, size, offset);
    });
    const int error = files_.finish(fd, temporary, entry);
    if (!ok || error != 0) {
      if (error != 0) {
        errors_ << "tar: " << name << ": Cannot write: " << std::strerror(error) << '\n';
        failed_ = true;
      }
      ::unlink(temporary.c_str());  // a cut stream leaves no half-written file
      setTemporary();
      return ok;
    }
    return renameIntoPlace(temporary, name);
  }

  bool writeTemporaryWithLibarchive(ArchiveReader& reader, archive_entry* entry,
                                    const std::string& name, const std::string& temporary) {
    files_.forgetDirectories();
    if (!parentsAreDirectories(name)) {
      setTemporary();
      return reader.skipData();
    }
    archive_entry_set_pathname(entry, temporary.c_str());
    if (archive_write_header(disk_.get(), entry) < ARCHIVE_WARN) {
      diskError(name);
      setTemporary();
      return reader.skipData();
    }
    const Copied copied = copyThroughDisk(reader, name, false);
    if (!copied.stream_ok || !copied.on_disk) {
      ::unlink(temporary.c_str());  // a cut stream leaves no half-written file
      setTemporary();
      return copied.stream_ok;
    }
    return renameIntoPlace(temporary, name);
  }

  // rename(2) replaces whatever is there (a file of another user, a symlink) in one step.
  bool renameIntoPlace(const std::string& temporary, const std::string& name) {
    const bool renamed = ::rename(temporary.c_str(), name.c_str()) == 0;
    const int error = errno;
    setTemporary();
    if (!renamed) {
      errors_ << "tar: " << name << ": Cannot open: " << std::strerror(error) << '\n';
      ::unlink(temporary.c_str());
      failed_ = true;
      return true;
    }
    names_.made(name, false);
    return true;
  }

  const TarOptions& options_;
  std::ostream& listing_;
  std::ostream& errors_;
  NameGuard names_;
  std::unique_ptr<archive, decltype(&archive_write_free)> disk_{archive_write_disk_new(),
                                                                &archive_write_free};
  TarFileWriter files_;
  std::string here_;  // the working directory (-C), absolute, ending in '/'
  std::string raw_, name_, target_, temporary_, absolute_;  // buffers kept across members
  SyncNotifier notifier_;
  bool failed_ = false;
};

}  // namespace

int extractArchive(const TarOptions& options, std::ostream& listing, std::ostream& errors) {
  if (!enterDirectory(options, errors)) return 2;
  for (int signal : {SIGTERM, SIGINT, SIGHUP}) std::signal(signal, removeTemporaryAndExit);
  return Extractor(options, listing, errors).run();
}

}  // namespace hotpod
