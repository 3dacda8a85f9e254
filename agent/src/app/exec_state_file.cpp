#include "app/exec_state_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "base/files.h"
#include "base/json_text.h"
#include "base/syscalls.h"
#include "base/unique_fd.h"

namespace hotpod {
namespace {

constexpr const char* kFixAdvice =
    "create the directory and make it writable, or choose another --state-file";

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
  if (!state.handover.empty()) {
    json["handover"] = state.handover;
    json["candidate_pid"] =
        state.candidate_pid ? nlohmann::ordered_json(*state.candidate_pid) : nullptr;
  }
  // A command line may hold bytes that are not UTF-8: replace them rather than fail.
  return jsonText(json) + "\n";
}

namespace {

template <typename Int>
bool readInteger(const nlohmann::json& value, Int& out) {
  if (!value.is_number_integer()) return false;
  if (value.is_number_unsigned()) {
    const auto number = value.get<uint64_t>();
    if (number > static_cast<uint64_t>(std::numeric_limits<Int>::max())) return false;
    out = static_cast<Int>(number);
    return true;
  }
  const auto number = value.get<int64_t>();
  if (number < static_cast<int64_t>(std::numeric_limits<Int>::min()) ||
      (number > 0 &&
       static_cast<uint64_t>(number) > static_cast<uint64_t>(std::numeric_limits<Int>::max()))) {
    return false;
  }
  out = static_cast<Int>(number);
  return true;
}

// Reads json[key] into out when present; false when present with the wrong type or range.
template <typename T>
bool readOptional(const nlohmann::json& json, const char* key, std::optional<T>& out) {
  const auto found = json.find(key);
  if (found == json.end() || found->is_null()) return true;
  T value{};
  if constexpr (std::is_same_v<T, std::string>) {
    if (!found->is_string()) return false;
    value = found->get<std::string>();
  } else if (!readInteger(*found, value)) {
    return false;
  }
  out = std::move(value);
  return true;
}

}  // namespace

std::optional<ExecState> parseExecState(std::string_view text) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) return std::nullopt;
  ExecState state;
  std::optional<pid_t> pid;
  std::optional<uint64_t> restarts;
  std::optional<std::string> phase;
  std::optional<std::string> signal;
  std::optional<std::string> handover;
  if (!readOptional(json, "pid", pid) || !readOptional(json, "child_pid", state.child_pid) ||
      !readOptional(json, "restarts", restarts) ||
      !readOptional(json, "last_exit", state.last_exit) ||
      !readOptional(json, "last_exit_code", state.last_exit_code) ||
      !readOptional(json, "state", phase) || !readOptional(json, "restart_signal", signal) ||
      !readOptional(json, "handover", handover) ||
      !readOptional(json, "candidate_pid", state.candidate_pid)) {
    return std::nullopt;
  }
  state.pid = pid.value_or(0);
  state.restarts = restarts.value_or(0);
  state.restart_signal = signal.value_or("");
  state.handover = handover.value_or("");
  if (phase) {
    bool known = false;
    for (auto candidate : {ExecPhase::Starting, ExecPhase::Running, ExecPhase::Restarting,
                           ExecPhase::Backoff, ExecPhase::Stopping, ExecPhase::Stopped}) {
      if (toString(candidate) == *phase) {
        state.phase = candidate;
        known = true;
      }
    }
    if (!known) return std::nullopt;
  }
  if (const auto command = json.find("command"); command != json.end()) {
    if (!command->is_array()) return std::nullopt;
    for (const auto& word : *command) {
      if (!word.is_string()) return std::nullopt;
      state.command.push_back(word.get<std::string>());
    }
  }
  return state;
}

void ExecStateFile::write(const ExecState& state) const {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  replaceFileAtomically(
      path_, execStateJson(state, std::chrono::duration_cast<std::chrono::seconds>(now).count()),
      0644, kFixAdvice);
}

}  // namespace hotpod
