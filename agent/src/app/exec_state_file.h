#pragma once
// hotpod exec's state file (--state-file): one JSON object that a sidecar reads to find the
// supervisor, its child and how the last restart went. It is replaced atomically (temp file in
// the same directory, fsync, rename), so a reader never sees half a file.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotpod {

enum class ExecPhase { Starting, Running, Restarting, Backoff, Stopping, Stopped };
std::string_view toString(ExecPhase phase);  // "running", "backoff", …

struct ExecState {
  pid_t pid = 0;                         // hotpod exec itself
  std::optional<pid_t> child_pid;        // none between two children
  uint64_t restarts = 0;                 // starts after the first, for any reason
  std::optional<std::string> last_exit;  // "exit code 2", "killed by SIGKILL"
  std::optional<int> last_exit_code;     // 128 + signal when killed, like a shell
  ExecPhase phase = ExecPhase::Starting;
  std::vector<std::string> command;
  std::string restart_signal;  // "SIGUSR2": what to send for a restart
  // With --proxy-listen: "stop-first" or "overlap" (empty: no proxy, and neither field is
  // written), and the new version being started while the old one serves (overlap).
  std::string handover;
  std::optional<pid_t> candidate_pid;
};

// The file's content: one JSON object and a newline; `updated_at` in Unix seconds.
std::string execStateJson(const ExecState& state, int64_t updated_at);

// Reads a state file's content (the agent does, from another container): nullopt unless it is a
// JSON object whose fields have the types execStateJson writes. Missing fields keep their
// defaults, so a file from another hotpod version still yields its pid and restart signal.
std::optional<ExecState> parseExecState(std::string_view text);

class ExecStateFile {
 public:
  explicit ExecStateFile(std::filesystem::path path) : path_(std::move(path)) {}
  const std::filesystem::path& path() const { return path_; }
  // Writes the state with the current time. Throws std::system_error.
  void write(const ExecState& state) const;

 private:
  std::filesystem::path path_;
};

}  // namespace hotpod
