// Creating (kubectl cp from the container runs `tar cf - PATH`) and listing.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <utility>

#include "sync/tar_archive.h"
#include "sync/tar_command.h"

namespace hotpod {
namespace {

using ArchivePtr = std::unique_ptr<archive, decltype(&archive_write_free)>;
using DiskPtr = std::unique_ptr<archive, decltype(&archive_read_free)>;

class Creator {
 public:
  Creator(const TarOptions& options, std::ostream& errors)
      : options_(options), errors_(errors), start_(std::filesystem::current_path()) {}

  int run() {
    archive_write_set_format_gnutar(out_.get());
    // Files with several names are stored once, then as hard links to the first name (as GNU
    // tar does): libarchive's resolver remembers the inodes already written.
    archive_entry_linkresolver_set_strategy(links_.get(), archive_format(out_.get()));
    if (options_.gzip) archive_write_add_filter_gzip(out_.get());
    const int opened = options_.file == "-"
                           ? archive_write_open_fd(out_.get(), STDOUT_FILENO)
                           : archive_write_open_filename(out_.get(), options_.file.c_str());
    if (opened != ARCHIVE_OK) {
      errors_ << "tar: " << options_.file << ": Cannot open: " << archive_error_string(out_.get())
              << '\n';
      return 2;
    }
    for (const auto& member : options_.members) addMember(member);
    if (archive_write_close(out_.get()) != ARCHIVE_OK) {
      errors_ << "tar: " << archive_error_string(out_.get()) << '\n';
      failed_ = true;
    }
    if (failed_) errors_ << "tar: Exiting with failure status due to previous errors\n";
    return failed_ ? 2 : 0;
  }

 private:
  // GNU tar prints the listing on stderr when the archive goes to stdout.
  std::ostream& listing() { return options_.file == "-" ? errors_ : std::cout; }

  void addMember(const TarOptions::Member& member) {
    const std::filesystem::path dir = start_ / member.directory;
    if (::chdir(dir.c_str()) != 0) {
      errors_ << "tar: " << member.directory << ": Cannot open: " << std::strerror(errno) << '\n';
      failed_ = true;
      return;
    }
    DiskPtr disk(archive_read_disk_new(), &archive_read_free);
    archive_read_disk_set_standard_lookup(disk.get());
    archive_read_disk_set_symlink_physical(disk.get());
    if (archive_read_disk_open(disk.get(), member.name.c_str()) != ARCHIVE_OK) {
      errors_ << "tar: " << member.name << ": Cannot stat: " << archive_error_string(disk.get())
              << '\n';
      failed_ = true;
      return;
    }
    while (true) {
      std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                          &archive_entry_free);
      const int r = archive_read_next_header2(disk.get(), entry.get());
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) {
        errors_ << "tar: " << member.name << ": " << archive_error_string(disk.get()) << '\n';
        failed_ = true;
        break;
      }
      archive_read_disk_descend(disk.get());
      addEntry(disk.get(), entry.get());
    }
  }

  void addEntry(archive* disk, archive_entry* entry) {
    std::string name = archive_entry_pathname(entry);
    if (!name.empty() && name.front() == '/') {
      while (!name.empty() && name.front() == '/') name.erase(0, 1);
      if (!std::exchange(warned_, true)) {
        errors_ << "tar: Removing leading `/' from member names\n";
      }
      if (name.empty()) name = "./";
      archive_entry_set_pathname(entry, name.c_str());
    }
    archive_entry* spare = nullptr;  // only deferring formats (cpio) hand one back
    archive_entry_linkify(links_.get(), &entry, &spare);
    if (entry == nullptr) return;
    if (options_.verbose > 0) listing() << describeEntry(entry, options_.verbose) << '\n';
    if (archive_write_header(out_.get(), entry) < ARCHIVE_WARN) {
      errors_ << "tar: " << name << ": " << archive_error_string(out_.get()) << '\n';
      failed_ = true;
      return;
    }
    // A hard link's data went with its first name.
    if (archive_entry_filetype(entry) != AE_IFREG || archive_entry_hardlink(entry) != nullptr) {
      return;
    }
    char buffer[64 * 1024];
    while (true) {
      const la_ssize_t n = archive_read_data(disk, buffer, sizeof buffer);
      if (n == 0) break;
      if (n < 0) {
        errors_ << "tar: " << name << ": Read error: " << archive_error_string(disk) << '\n';
        failed_ = true;
        break;
      }
      if (archive_write_data(out_.get(), buffer, static_cast<size_t>(n)) < 0) {
        errors_ << "tar: " << archive_error_string(out_.get()) << '\n';
        failed_ = true;
        break;
      }
    }
  }

  const TarOptions& options_;
  std::ostream& errors_;
  std::filesystem::path start_;
  ArchivePtr out_{archive_write_new(), &archive_write_free};
  std::unique_ptr<archive_entry_linkresolver, decltype(&archive_entry_linkresolver_free)> links_{
      archive_entry_linkresolver_new(), &archive_entry_linkresolver_free};
  bool warned_ = false;
  bool failed_ = false;
};

}  // namespace

int createArchive(const TarOptions& options, std::ostream& errors) {
  return Creator(options, errors).run();
}

int listArchive(const TarOptions& options, std::ostream& listing, std::ostream& errors) {
  ArchiveReader reader(options, errors);
  if (!reader.open()) return 2;
  while (true) {
    archive_entry* entry = nullptr;
    const int r = archive_read_next_header(reader.get(), &entry);
    if (r == ARCHIVE_EOF) return 0;
    if (r < ARCHIVE_WARN) {
      reader.reportError();
      errors << "tar: Exiting with failure status due to previous errors\n";
      return 2;
    }
    listing << describeEntry(entry, options.verbose > 0 ? 2 : 1) << '\n';
    if (!reader.skipData()) return 2;
  }
}

int tarMain(const std::vector<std::string>& args) {
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << "Usage: tar -x|-c|-t [-f FILE] [-C DIR] [-v] [-z] [-m] [MEMBER…]\n"
              << tarUsage() << '\n';
    return 0;
  }
  TarOptions options;
  try {
    options = parseTarArguments(args);
  } catch (const TarUsageError& e) {
    std::cerr << "tar: " << e.what() << "\nTry 'hotpod tar --help' for more information.\n";
    return 2;
  }
  // As GNU tar: -f names the archive from where tar started, whatever -C changes to.
  if (options.file != "-" && !options.file.empty()) {
    options.file = std::filesystem::absolute(options.file).string();
  }
  switch (options.mode) {
    case TarMode::Extract:
      return extractArchive(options, std::cout, std::cerr);
    case TarMode::Create:
      return createArchive(options, std::cerr);
    case TarMode::List:
      if (!enterDirectory(options, std::cerr)) return 2;
      return listArchive(options, std::cout, std::cerr);
    case TarMode::None:
      break;
  }
  return 2;
}

}  // namespace hotpod
