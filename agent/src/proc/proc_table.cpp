#include "proc/proc_table.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <sstream>

namespace hotpod {
namespace {

// The whole of a small /proc file; nullopt when it cannot be opened (the process has gone).
std::optional<std::string> slurp(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buffer[4096];
  while (true) {
    const ssize_t count = ::read(fd, buffer, sizeof buffer);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;
    text.append(buffer, static_cast<size_t>(count));
  }
  ::close(fd);
  return text;
}

std::optional<pid_t> parsePid(std::string_view text) {
  pid_t pid = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), pid);
  if (error != std::errc() || end != text.data() + text.size() || pid <= 0) return std::nullopt;
  return pid;
}

std::vector<std::string> splitNul(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\0', start);
    if (end == std::string::npos) end = text.size();
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::vector<pid_t> numericEntries(const std::filesystem::path& dir) {
  std::vector<pid_t> pids;
  DIR* stream = ::opendir(dir.c_str());
  if (stream == nullptr) return pids;
  while (const dirent* entry = ::readdir(stream)) {
    if (auto pid = parsePid(entry->d_name)) pids.push_back(*pid);
  }
  ::closedir(stream);
  std::sort(pids.begin(), pids.end());
  return pids;
}

}  // namespace

std::string ProcessInfo::cmdline() const {
  std::string text;
  for (const auto& arg : argv) text += (text.empty() ? "" : " ") + arg;
  return text;
}

std::string ProcessInfo::describe() const {
  constexpr size_t kShown = 80;
  std::string line = cmdline();
  if (line.size() > kShown) line = line.substr(0, kShown) + "…";
  return std::to_string(pid) + " " + comm + " '" + line + "'";
}

std::optional<ProcessInfo> ProcTable::readStat(pid_t pid) const {
  const auto stat = slurp(root_ / std::to_string(pid) / "stat");
  if (!stat) return std::nullopt;
  // "PID (COMM) STATE PPID PGRP …": the name may hold spaces and ')', so split after the last.
  const auto open = stat->find('(');
  const auto close = stat->rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  ProcessInfo info;
  info.pid = pid;
  info.comm = stat->substr(open + 1, close - open - 1);
  std::istringstream fields(stat->substr(close + 1));
  std::string field;
  // Fields 3 (state) to 22 (starttime) of proc(5), counting the pid as 1 and comm as 2.
  for (int index = 3; index <= 22 && (fields >> field); ++index) {
    if (index == 3) info.state = field.empty() ? '?' : field[0];
    if (index == 4) info.ppid = parsePid(field).value_or(0);
    if (index == 5) info.pgid = parsePid(field).value_or(0);
    if (index == 22) info.start_time = std::strtoull(field.c_str(), nullptr, 10);
  }
  return info;
}

std::optional<ProcessInfo> ProcTable::read(pid_t pid) const {
  auto info = readStat(pid);
  if (!info) return std::nullopt;
  const auto dir = root_ / std::to_string(pid);
  if (auto comm = slurp(dir / "comm"); comm && !comm->empty()) {
    if (comm->back() == '\n') comm->pop_back();
    info->comm = *comm;
  }
  if (auto cmdline = slurp(dir / "cmdline")) info->argv = splitNul(*cmdline);
  char target[4096];
  const ssize_t length = ::readlink((dir / "exe").c_str(), target, sizeof target - 1);
  if (length > 0) {
    std::string exe(target, static_cast<size_t>(length));
    constexpr std::string_view kDeleted = " (deleted)";
    if (exe.ends_with(kDeleted)) exe.resize(exe.size() - kDeleted.size());
    info->exe = std::filesystem::path(exe).filename().string();
  }
  return info;
}

std::vector<ProcessInfo> ProcTable::list(Detail detail) const {
  std::vector<ProcessInfo> processes;
  for (pid_t pid : numericEntries(root_)) {
    auto info = detail == Detail::StatOnly ? readStat(pid) : read(pid);
    if (info) processes.push_back(std::move(*info));
  }
  return processes;
}

std::vector<ProcessInfo> ProcTable::childrenOf(pid_t pid, Detail detail) const {
  // Each thread's "children" file lists the children it forked: cheap, where the kernel has it
  // (CONFIG_PROC_CHILDREN). Otherwise every process's parent is looked at.
  const auto tasks = root_ / std::to_string(pid) / "task";
  std::vector<ProcessInfo> children;
  bool have_lists = false;
  for (pid_t tid : numericEntries(tasks)) {
    const auto list = slurp(tasks / std::to_string(tid) / "children");
    if (!list) continue;
    have_lists = true;
    std::istringstream words(*list);
    std::string word;
    while (words >> word) {
      const auto child = parsePid(word);
      if (!child) continue;
      auto info = detail == Detail::Full ? read(*child) : readStat(*child);
      if (info && info->ppid == pid) children.push_back(std::move(*info));
    }
  }
  if (have_lists) return children;
  for (auto& info : list(detail)) {
    if (info.ppid == pid) children.push_back(std::move(info));
  }
  return children;
}

pid_t ProcTable::self() const {
  char target[32];
  const ssize_t length = ::readlink((root_ / "self").c_str(), target, sizeof target - 1);
  if (length <= 0) return ::getpid();
  return parsePid(std::string_view(target, static_cast<size_t>(length))).value_or(::getpid());
}

namespace {

// The value after "KEY:" in a status file, as its text.
std::optional<std::string> statusField(const std::string& status, std::string_view key) {
  std::istringstream lines(status);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ':') {
      return line.substr(key.size() + 1);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<uid_t> ProcTable::uidOf(pid_t pid) const {
  const auto status = slurp(root_ / std::to_string(pid) / "status");
  const auto field = status ? statusField(*status, "Uid") : std::nullopt;
  if (!field) return std::nullopt;
  std::istringstream ids(*field);
  unsigned long real = 0;
  if (ids >> real) return static_cast<uid_t>(real);
  return std::nullopt;
}

std::optional<uint64_t> ProcTable::signalSets(pid_t pid,
                                              std::initializer_list<const char*> keys) const {
  const auto status = slurp(root_ / std::to_string(pid) / "status");
  if (!status) return std::nullopt;
  uint64_t all = 0;
  for (const char* key : keys) {
    const auto field = statusField(*status, key);
    if (!field) return std::nullopt;
    uint64_t mask = 0;
    std::istringstream hex(*field);
    if (!(hex >> std::hex >> mask)) return std::nullopt;
    all |= mask;
  }
  return all;
}

std::optional<bool> ProcTable::handlesSignal(pid_t pid, int signal) const {
  if (signal < 1 || signal > 64) return std::nullopt;
  const auto sets = signalSets(pid, {"SigBlk", "SigCgt"});
  if (!sets) return std::nullopt;
  return (*sets & (uint64_t{1} << (signal - 1))) != 0;
}

}  // namespace hotpod
