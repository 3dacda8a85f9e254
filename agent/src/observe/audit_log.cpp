#include "observe/audit_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/files.h"
#include "base/log.h"
#include "base/syscalls.h"
#include "model/config_error.h"

namespace hotpod {
namespace {

constexpr mode_t kAuditFileMode = 0640;
constexpr off_t kTailChunk = 64 * 1024;

// The parent directory's entry for a rotated or created file survives a crash only once the
// directory itself is synced.
void syncDirectoryOf(const std::filesystem::path& path) {
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd) ::fsync(fd.get());
}

}  // namespace

std::filesystem::path rotatedAuditFile(const std::filesystem::path& path, int n) {
  return path.string() + "." + std::to_string(n);
}

AuditLog::AuditLog(const AuditConfig& config) : config_(config) {
  if (!config_.path.empty()) open();
}

void AuditLog::open() {
  const std::string name = config_.path.string();
  const std::string advice = "set audit.path to a regular file in a writable directory";
  struct stat st;
  const auto refuse = [&](mode_t mode) {
    throw ConfigError("", 0, 0, "audit.path",
                      name + " is " + describeFileType(mode) + ", not a regular file",
                      "the audit log is appended to a regular file only: " + advice);
  };
  if (::lstat(config_.path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) refuse(st.st_mode);
  // O_NONBLOCK: a FIFO put there since the check must not block the open; O_NOFOLLOW: nor may
  // a symlink lead the records elsewhere.
  UniqueFd fd(::open(config_.path.c_str(),
                     O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
                     kAuditFileMode));
  if (!fd) {
    const int error = errno;
    throw sys::error(error, "cannot open the audit log " + name,
                     error == ENOENT ? "create its directory first, or " + advice : advice);
  }
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) refuse(st.st_mode);
  fd_ = std::move(fd);
  dropTornTail();
  syncDirectoryOf(config_.path);
}

// A record is written with one write(); only a crash in the middle of one leaves a line without
// its newline. That partial record never counted: cut it off so that every line parses.
void AuditLog::dropTornTail() {
  struct stat st;
  if (::fstat(fd_.get(), &st) != 0 || st.st_size == 0) return;
  const off_t size = st.st_size;
  off_t end = size;  // the search covers [0, end)
  std::string chunk;
  off_t keep = 0;
  bool found = false;
  while (end > 0 && !found) {
    const off_t begin = end > kTailChunk ? end - kTailChunk : 0;
    chunk.resize(static_cast<size_t>(end - begin));
    if (::pread(fd_.get(), chunk.data(), chunk.size(), begin) !=
        static_cast<ssize_t>(chunk.size())) {
      return;  // unreadable: leave it as it is
    }
    if (end == size && chunk.back() == '\n') return;  // the usual case: complete
    const auto newline = chunk.rfind('\n');
    if (newline != std::string::npos) {
      keep = begin + static_cast<off_t>(newline) + 1;
      found = true;
    }
    end = begin;
  }
  if (::ftruncate(fd_.get(), keep) != 0 || ::fsync(fd_.get()) != 0) {
    return reportFailure("cannot remove the partial last line of", errno);
  }
  log::warn("audit_repaired",
            "the audit log " + config_.path.string() + " ended in a partial line (" +
                std::to_string(size - keep) +
                " bytes, from a crash during a write); removed it, the complete lines are kept",
            {{"path", config_.path.string()}, {"bytes", static_cast<int64_t>(size - keep)}});
}

void AuditLog::rotate() {
  const auto& path = config_.path;
  for (int n = config_.keep - 1; n >= 1; --n) {
    ::rename(rotatedAuditFile(path, n).c_str(), rotatedAuditFile(path, n + 1).c_str());
  }
  if (::rename(path.c_str(), rotatedAuditFile(path, 1).c_str()) != 0) {
    return reportFailure("cannot rotate", errno);
  }
  fd_.reset();
  open();
  log::info("audit_rotated",
            "audit log " + path.string() + " reached " + std::to_string(config_.max_size) +
                " bytes (audit.max_size): the older records are in " +
                rotatedAuditFile(path, 1).string(),
            {{"path", path.string()}});
}

bool AuditLog::append(std::string_view line) {
  if (!fd_) return false;
  std::string record(line);
  record += '\n';
  struct stat st;
  if (::fstat(fd_.get(), &st) != 0) {
    reportFailure("cannot stat", errno);
    return false;
  }
  if (st.st_size > 0 && static_cast<uint64_t>(st.st_size) + record.size() > config_.max_size) {
    try {
      rotate();
    } catch (const std::exception& error) {  // also a FIFO put in its place meanwhile
      log::error("audit_failed",
                 std::string("cannot reopen the audit log after rotating it: ") + error.what());
      return false;
    }
    if (!fd_ || ::fstat(fd_.get(), &st) != 0) return false;
  }
  ssize_t written;
  do {
    written = ::write(fd_.get(), record.data(), record.size());
  } while (written < 0 && errno == EINTR);
  if (written != static_cast<ssize_t>(record.size())) {
    const int error = written < 0 ? errno : ENOSPC;
    // A short write (a full volume) must not leave half a line for the next record to follow.
    if (written > 0 && ::ftruncate(fd_.get(), st.st_size) != 0) {
      log::error("audit_failed", "cannot remove a partial record from " + config_.path.string());
    }
    reportFailure("cannot append to", error);
    return false;
  }
  if (::fsync(fd_.get()) != 0) {
    reportFailure("cannot fsync", errno);
    return false;
  }
  if (failing_) {
    failing_ = false;
    log::info("audit_recovered", "the audit log " + config_.path.string() + " is written again");
  }
  return true;
}

void AuditLog::reportFailure(const std::string& what, int error) {
  if (failing_) return;
  failing_ = true;
  log::error("audit_failed",
             what + " the audit log " + config_.path.string() + ": " + std::strerror(error) +
                 "; records are missing from it until this is fixed (is the volume full?)",
             {{"path", config_.path.string()}, {"error", std::strerror(error)}});
}

}  // namespace hotpod
