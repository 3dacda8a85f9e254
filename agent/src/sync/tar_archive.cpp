#include "sync/tar_archive.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <iomanip>
#include <sstream>

namespace hotpod {

ArchiveReader::ArchiveReader(const TarOptions& options, std::ostream& errors)
    : options_(options), errors_(errors), archive_(archive_read_new(), &archive_read_free) {
  // ustar, GNU long names and links, PAX headers: libarchive's one tar reader.
  archive_read_support_format_tar(archive_.get());
  archive_read_support_format_gnutar(archive_.get());
  if (options.gzip) archive_read_support_filter_gzip(archive_.get());
}

bool ArchiveReader::open() {
  constexpr size_t kBlock = 64 * 1024;
  const int r = options_.file == "-"
                    ? archive_read_open_fd(archive_.get(), STDIN_FILENO, kBlock)
                    : archive_read_open_filename(archive_.get(), options_.file.c_str(), kBlock);
  if (r != ARCHIVE_OK) {
    errors_ << "tar: " << options_.file << ": Cannot open: "
            << (archive_error_string(archive_.get()) ? archive_error_string(archive_.get())
                                                     : "unknown error")
            << '\n';
    return false;
  }
  return true;
}

bool ArchiveReader::readData(const std::function<void(const void*, size_t, int64_t)>& sink) {
  while (true) {
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    const int r = archive_read_data_block(archive_.get(), &block, &size, &offset);
    if (r == ARCHIVE_EOF) return true;
    if (r < ARCHIVE_WARN) {
      reportError();
      return false;
    }
    sink(block, size, offset);
  }
}

bool ArchiveReader::copyData(archive* disk, std::string* write_error) {
  bool writing = disk != nullptr;
  return readData([&](const void* block, size_t size, int64_t offset) {
    // libarchive says ARCHIVE_WARN ("Write failed") for a write that failed.
    if (writing && archive_write_data_block(disk, block, size, offset) < ARCHIVE_OK) {
      writing = false;
      if (write_error != nullptr) {
        // GNU tar's words with the errno; libarchive's own message says only "Write failed".
        const int code = archive_errno(disk);
        const char* why = archive_error_string(disk);
        *write_error = code > 0         ? std::string("Cannot write: ") + std::strerror(code)
                       : why != nullptr ? why
                                        : "Write failed";
      }
    }
  });
}

void ArchiveReader::reportError() {
  const char* why = archive_error_string(archive_.get());
  // A stream that ends early is what GNU tar calls it; libarchive says "Truncated tar archive".
  errors_ << "tar: " << (why ? why : "Unexpected EOF in archive") << '\n';
  if (why && std::strstr(why, "Truncated") != nullptr) {
    errors_ << "tar: Unexpected EOF in archive\n";
  }
}

void ArchiveReader::reportWarning() {
  if (const char* why = archive_error_string(archive_.get())) errors_ << "tar: " << why << '\n';
}

std::string describeEntry(archive_entry* entry, int verbose) {
  const char* name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
  if (verbose < 2) return name;
  std::ostringstream line;
  std::string mode = archive_entry_strmode(entry);
  if (!mode.empty() && mode.back() == ' ') mode.pop_back();
  const char* user = archive_entry_uname(entry);
  const char* group = archive_entry_gname(entry);
  const std::string owner =
      (user && *user ? std::string(user) : std::to_string(archive_entry_uid(entry))) + "/" +
      (group && *group ? std::string(group) : std::to_string(archive_entry_gid(entry)));
  const time_t mtime = archive_entry_mtime(entry);
  std::tm local{};
  ::localtime_r(&mtime, &local);
  line << mode << ' ' << owner << ' ' << std::setw(std::max<int>(1, 19 - int(owner.size())))
       << archive_entry_size(entry) << ' ' << std::put_time(&local, "%Y-%m-%d %H:%M") << ' '
       << name;
  if (const char* target = archive_entry_hardlink(entry)) {
    line << " link to " << target;
  } else if (const char* link = archive_entry_symlink(entry)) {
    line << " -> " << link;
  }
  return line.str();
}

bool enterDirectory(const TarOptions& options, std::ostream& errors) {
  if (options.directory.empty()) return true;
  if (::chdir(options.directory.c_str()) != 0) {
    errors << "tar: " << options.directory << ": Cannot open: " << std::strerror(errno) << '\n'
           << "tar: Error is not recoverable: exiting now\n";
    return false;
  }
  return true;
}

}  // namespace hotpod
