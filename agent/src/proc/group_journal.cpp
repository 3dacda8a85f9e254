#include "proc/group_journal.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "base/files.h"
#include "base/log.h"
#include "base/text.h"
#include "proc/proc_table.h"

namespace hotpod {
namespace fs = std::filesystem;

namespace {

// Processes of `group` that started no earlier than its leader did (a reused group id would
// belong to younger processes' leader, not to older strangers).
std::vector<ProcessInfo> membersOf(pid_t group, uint64_t leader_start) {
  std::vector<ProcessInfo> members;
  for (auto& process : ProcTable().list(ProcTable::Detail::StatOnly)) {
    if (process.pgid == group && process.start_time >= leader_start) {
      members.push_back(std::move(process));
    }
  }
  return members;
}

}  // namespace

uint64_t processStartTime(pid_t pid) {
  const auto process = ProcTable().readStat(pid);
  return process ? process->start_time : 0;
}

fs::path GroupJournal::fileFor(const fs::path& root) {
  // Hashed: stable across runs, short enough for a file name.
  std::ostringstream name;
  name << std::hex << stableHash(root.string()) << ".groups";
  return runtimeDirectory() / ("hotpod-" + std::to_string(::getuid())) / name.str();
}

GroupJournal::GroupJournal(fs::path file)
    : file_(std::move(file)), owner_start_(processStartTime(::getpid())) {}

GroupJournal::~GroupJournal() {
  std::error_code ignored;
  fs::remove(file_, ignored);
  fs::remove(file_.parent_path(), ignored);  // only if empty: another hotpod may use it
}

size_t GroupJournal::stopStaleGroups() {
  std::ifstream file(file_);
  pid_t owner = 0;
  uint64_t owner_start = 0;
  if (!(file >> owner >> owner_start)) return 0;
  if (owner != ::getpid() && processStartTime(owner) == owner_start) {
    log::warn("another_hotpod",
              "another hotpod (pid " + std::to_string(owner) +
                  ") runs for this root; its "
                  "builds and app are left alone, but both will rebuild on every change");
    return 0;
  }
  std::vector<ProcessInfo> killed;
  size_t groups = 0;
  pid_t group = 0;
  uint64_t leader_start = 0;
  while (file >> group >> leader_start) {
    const auto members = membersOf(group, leader_start);
    if (members.empty()) continue;
    ::killpg(group, SIGKILL);
    ++groups;
    killed.insert(killed.end(), members.begin(), members.end());
    log::warn("stale_group_killed",
              "stopped process group " + std::to_string(group) + " (" +
                  std::to_string(members.size()) + " process(es)) left by a hotpod that was killed",
              {{"group", int64_t{group}}, {"processes", static_cast<int64_t>(members.size())}});
  }
  // SIGKILL is asynchronous: wait (briefly) until those processes are really gone (their
  // ports released); a later process with a reused PID does not count.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  const ProcTable proc;
  for (const auto& process : killed) {
    while (std::chrono::steady_clock::now() < deadline) {
      const auto now = proc.readStat(process.pid);
      if (!now || !now->sameProcess(process) || now->state == 'Z') break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  return groups;
}

void GroupJournal::added(pid_t group) {
  groups_[group] = processStartTime(group);
  save();
}

void GroupJournal::removed(pid_t group) {
  if (groups_.erase(group) > 0) save();
}

void GroupJournal::save() const {
  std::error_code error;
  fs::create_directories(file_.parent_path(), error);
  std::ostringstream text;
  text << ::getpid() << ' ' << owner_start_ << '\n';
  for (const auto& [group, start] : groups_) text << group << ' ' << start << '\n';
  try {
    replaceFileAtomically(file_, text.str(), 0600);
  } catch (const std::system_error& failure) {
    error = failure.code();
  }
  if (error) {
    log::debug("journal_failed",
               "cannot record process groups in " + file_.string() + ": " + error.message());
  }
}

}  // namespace hotpod
