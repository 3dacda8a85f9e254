#pragma once
// The audit log's file: JSON lines, appended with O_APPEND, one write() per complete line, each
// fsync'd before the next step, rotated by size (path → path.1 → … → path.KEEP). A line that a
// crash cut short (power loss, or a SIGKILL inside a large write) is removed when the file is
// opened again, so every line of the file is a whole record.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/unique_fd.h"
#include "model/config.h"

namespace hotpod {

class AuditLog {
 public:
  // Opens config.path (created 0640) when it is set. Throws std::system_error naming the path
  // when it cannot be opened, ConfigError when it is not a regular file (saying what it is).
  explicit AuditLog(const AuditConfig& config);

  bool enabled() const { return static_cast<bool>(fd_); }
  const std::filesystem::path& path() const { return config_.path; }
  // Appends `line` (one JSON document, no newline) and a newline in one write(), then fsyncs.
  // False when it could not (logged, and the file is left without a partial line).
  bool append(std::string_view line);

 private:
  void open();
  void dropTornTail();
  void rotate();
  void reportFailure(const std::string& what, int error);

  AuditConfig config_;
  UniqueFd fd_;
  bool failing_ = false;  // a failure is logged once until a write succeeds again
};

// path.N: the Nth newest rotated file.
std::filesystem::path rotatedAuditFile(const std::filesystem::path& path, int n);

}  // namespace hotpod
