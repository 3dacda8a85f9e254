#include "process/exec_state_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/syscalls.h"
#include "core/unique_fd.h"

namespace hotpod {
namespace {

constexpr const char* kFixAdvice =
    "create the directory and make it writable, or choose another --state-file";

void writeAll(int fd, std::string_view data, const std::string& temp_path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw sys::error(errno, "cannot write " + temp_path, "is the volume full?");
    data.remove_prefix(static_cast<size_t>(n));
  }
}

// Removes the temp file unless it was renamed into place.
struct TempFileGuard {
  std::string path;
  bool keep = false;
  ~TempFileGuard() {
    if (!keep) ::unlink(path.c_str());
  }
};

}  // namespace

std::string_view toString(ExecPhase phase) {
  switch (phase) {
    case ExecPhase::Starting:
      return "starting";
    case ExecPhase::Running:
      return "running";
    case ExecPhase::Restarting:
      return "restarting";
    case ExecPhase::Backoff:
      return "backoff";
    case ExecPhase::Stopping:
      return "stopping";
    case ExecPhase::Stopped:
      return "stopped";
  }
  return "unknown";
}

std::string execStateJson(const ExecState& state, int64_t updated_at) {
  nlohmann::ordered_json json;
  json["pid"] = state.pid;
  json["child_pid"] = state.child_pid ? nlohmann::ordered_json(*state.child_pid) : nullptr;
  json["restarts"] = state.restarts;
  json["last_exit"] = state.last_exit ? nlohmann::ordered_json(*state.last_exit) : nullptr;
  json["last_exit_code"] =
      state.last_exit_code ? nlohmann::ordered_json(*state.last_exit_code) : nullptr;
  json["state"] = toString(state.phase);
  json["updated_at"] = updated_at;
  json["command"] = state.command;
  json["restart_signal"] = state.restart_signal;
  // A command line may hold bytes that are not UTF-8: replace them rather than fail.
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void replaceFileAtomically(const std::filesystem::path& path, std::string_view contents) {
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string temp_path = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  UniqueFd fd(::mkostemp(temp_path.data(), O_CLOEXEC));
  if (!fd) {
    throw sys::error(errno, "cannot create a temporary file in " + dir.string(), kFixAdvice);
  }
  TempFileGuard guard{temp_path};
  // mkostemp makes it 0600; the agent that reads it may run under another UID.
  if (::fchmod(fd.get(), 0644) != 0) throw sys::error(errno, "cannot chmod " + temp_path);
  writeAll(fd.get(), contents, temp_path);
  if (::fsync(fd.get()) != 0) throw sys::error(errno, "cannot fsync " + temp_path);
  if (::close(fd.release()) != 0) throw sys::error(errno, "cannot close " + temp_path);
  if (::rename(temp_path.c_str(), path.c_str()) != 0) {
    throw sys::error(errno, "cannot rename " + temp_path + " to " + path.string(), kFixAdvice);
  }
  guard.keep = true;
}

void ExecStateFile::write(const ExecState& state) const {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  replaceFileAtomically(
      path_, execStateJson(state, std::chrono::duration_cast<std::chrono::seconds>(now).count()));
}

}  // namespace hotpod
