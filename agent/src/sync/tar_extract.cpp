// Extraction: libarchive reads the stream and makes directories, links and symlinks; regular
// files are written by TarFileWriter to a temporary file in their directory that is renamed
// into place (by libarchive when their directory does not exist yet: it makes the parents).
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

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

// A member name made safe, or an empty optional (skipped, with GNU tar's message).
class NameGuard {
 public:
  explicit NameGuard(std::ostream& errors) : errors_(errors) {}

  std::optional<std::string> safe(const std::string& raw, bool link_target) {
    std::string name = raw;
    if (!name.empty() && name.front() == '/') {
      while (!name.empty() && name.front() == '/') name.erase(0, 1);
      bool& warned = link_target ? warned_link_ : warned_name_;
      if (!std::exchange(warned, true)) {
        errors_ << "tar: Removing leading `/' from "
                << (link_target ? "hard link targets" : "member names") << '\n';
      }
    }
    std::string normal;
    normal.reserve(name.size());
    for (size_t start = 0; start <= name.size();) {
      size_t end = name.find('/', start);
      if (end == std::string::npos) end = name.size();
      const std::string_view part(name.data() + start, end - start);
      start = end + 1;
      if (part == "..") {
        errors_ << "tar: " << raw << ": Member name contains '..'\n";
        failed = true;
        return std::nullopt;
      }
      if (part.empty() || part == ".") continue;
      if (!normal.empty()) normal += '/';
      normal += part;
    }
    // A name below a symlink this archive made would be written wherever that symlink points.
    for (size_t slash = symlinks_.empty() ? std::string::npos : normal.find('/');
         slash != std::string::npos; slash = normal.find('/', slash + 1)) {
      if (symlinks_.contains(normal.substr(0, slash))) {
        errors_ << "tar: " << raw << ": Cannot open: " << normal.substr(0, slash)
                << " is a symlink from this archive; not writing through it\n";
        failed = true;
        return std::nullopt;
      }
    }
    return normal;
  }

  void made(const std::string& name, bool symlink) {
    if (symlink) {
      symlinks_.insert(name);
    } else {
      symlinks_.erase(name);
    }
  }
  bool madeSymlink(const std::string& name) const { return symlinks_.contains(name); }

  bool failed = false;

 private:
  std::ostream& errors_;
  bool warned_name_ = false;
  bool warned_link_ = false;
  std::set<std::string> symlinks_;
};

// The temporary file being written, for a signal handler: a tar stopped by SIGTERM, SIGINT or
// SIGHUP leaves no temporary file behind (SIGKILL does; the watcher ignores it).
char g_temporary[4096];

extern "C" void removeTemporaryAndExit(int signal) {
  if (g_temporary[0] != '\0') ::unlink(g_temporary);
  ::_exit(128 + signal);
}

void setTemporary(const std::string& path) {
  const size_t size = std::min(path.size(), sizeof g_temporary - 1);
  g_temporary[0] = '\0';  // the handler sees an empty name while the new one is copied
  std::memcpy(g_temporary + 1, path.data() + 1, size > 0 ? size - 1 : 0);
  g_temporary[size] = '\0';
  if (size > 0) g_temporary[0] = path[0];
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
  bool member(ArchiveReader& reader, archive_entry* entry) {
    const std::string raw = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    if (options_.verbose > 0) listing_ << describeEntry(entry, options_.verbose) << '\n';
    const auto name = names_.safe(raw, false);
    if (!name) return reader.skipData();
    if (name->empty()) return reader.skipData();  // "./": the target directory itself
    archive_entry_set_pathname(entry, name->c_str());
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
      const auto safe_target = names_.safe(target, true);
      if (!safe_target) return reader.skipData();
      archive_entry_set_hardlink(entry, safe_target->c_str());
      return writeDirectly(reader, entry, *name);
    }
    if (type == AE_IFREG) return writeRegular(reader, entry, *name);
    return writeDirectly(reader, entry, *name);
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

  void announce(const std::string& name, mode_t type) {
    if (type != AE_IFDIR) notifier_.announce(absolute(name));
  }

  // `name` is in normal form (NameGuard) and the working directory is absolute and normal, so
  // joining them is too; cheaper than std::filesystem's operator/ and lexically_normal().
  std::string absolute(const std::string& name) const {
    return here_ + (here_.ends_with('/') ? "" : "/") + name;
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
    bool written = false;
    // A directory's data (GNU incremental archives list its entries there) is not content.
    return copyThroughDisk(reader, name, type == AE_IFDIR, written);
  }

  // The entry's data through libarchive's disk writer (skipped: only read past), then the
  // entry's end. `written`: all of it reached the disk (else the error is said). Returns false
  // when the stream broke.
  bool copyThroughDisk(ArchiveReader& reader, const std::string& name, bool skip, bool& written) {
    std::string write_error;
    const bool ok = skip ? reader.skipData() : reader.copyData(disk_.get(), &write_error);
    written = false;
    if (archive_write_finish_entry(disk_.get()) < ARCHIVE_WARN) {
      diskError(name);
    } else if (!write_error.empty()) {
      errors_ << "tar: " << name << ": " << write_error << '\n';
      failed_ = true;
    } else {
      written = true;
    }
    return ok;
  }

  bool writeRegular(ArchiveReader& reader, archive_entry* entry, const std::string& name) {
    const std::string temporary = files_.temporaryName(name);
    setTemporary(absolute(temporary));
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
      setTemporary("");
      return ok;
    }
    return renameIntoPlace(temporary, name);
  }

  bool writeTemporaryWithLibarchive(ArchiveReader& reader, archive_entry* entry,
                                    const std::string& name, const std::string& temporary) {
    files_.forgetDirectories();
    if (!parentsAreDirectories(name)) {
      setTemporary("");
      return reader.skipData();
    }
    archive_entry_set_pathname(entry, temporary.c_str());
    if (archive_write_header(disk_.get(), entry) < ARCHIVE_WARN) {
      diskError(name);
      setTemporary("");
      return reader.skipData();
    }
    bool written = false;
    const bool ok = copyThroughDisk(reader, name, false, written);
    if (!ok || !written) {
      ::unlink(temporary.c_str());  // a cut stream leaves no half-written file
      setTemporary("");
      return ok;
    }
    return renameIntoPlace(temporary, name);
  }

  // rename(2) replaces whatever is there (a file of another user, a symlink) in one step.
  bool renameIntoPlace(const std::string& temporary, const std::string& name) {
    const bool renamed = ::rename(temporary.c_str(), name.c_str()) == 0;
    const int error = errno;
    setTemporary("");
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
  std::string here_;
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
