#pragma once
// What extract, list and create share: reading the archive named by -f with libarchive, GNU
// tar's verbose lines, and -C.
#include <archive.h>
#include <archive_entry.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "sync/tar_options.h"

namespace hotpod {

class ArchiveReader {
 public:
  ArchiveReader(const TarOptions& options, std::ostream& errors);
  // Opens -f (stdin for "-"); prints why not and returns false.
  bool open();
  archive* get() { return archive_.get(); }
  // The data of the current entry into `disk` (nullptr: skipped). False when the stream broke
  // (the message is printed): the archive cannot go on. A failed write (a full disk) puts
  // libarchive's message into `write_error`; the rest of the entry is read and dropped
  // (archive_write_finish_entry does not report it: it even extends the file to its size).
  bool copyData(archive* disk, std::string* write_error = nullptr);
  bool skipData() { return copyData(nullptr); }
  // The same, each block of data to `sink(data, size, offset)`.
  bool readData(const std::function<void(const void*, size_t, int64_t)>& sink);
  void reportError();
  void reportWarning();

 private:
  const TarOptions& options_;
  std::ostream& errors_;
  std::unique_ptr<archive, decltype(&archive_read_free)> archive_;
};

// GNU tar's line for -v (the name) or -vv and -tv (mode, owner, size, time, name).
std::string describeEntry(archive_entry* entry, int verbose);

// chdir to -C; prints GNU tar's message and returns false when it cannot.
bool enterDirectory(const TarOptions& options, std::ostream& errors);

}  // namespace hotpod
