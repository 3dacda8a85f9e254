#include "process/group_journal.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "core/log.h"

namespace hotpod {
namespace fs = std::filesystem;

namespace {

GroupJournal* current_journal = nullptr;

struct ProcStat {
  pid_t group = 0;
  uint64_t start = 0;
};

std::optional<ProcStat> readStat(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(file)), {});
  const auto name_end = text.rfind(')');
  if (name_end == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(name_end + 2));
  std::string field;
  ProcStat stat;
  for (int index = 3; index <= 22 && (fields >> field); ++index) {
    if (index == 5) stat.group = static_cast<pid_t>(std::stol(field));
    if (index == 22) stat.start = std::stoull(field);
  }
  return stat;
}

// Processes of `group` that started no earlier than its leader did (a reused group id would
// belong to younger processes' leader, not to older strangers).
std::vector<pid_t> membersOf(pid_t group, uint64_t leader_start) {
  std::vector<pid_t> members;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto stat = readStat(static_cast<pid_t>(std::stol(name)));
    if (stat && stat->group == group && stat->start >= leader_start) {
      members.push_back(static_cast<pid_t>(std::stol(name)));
    }
  }
  return members;
}

}  // namespace

uint64_t processStartTime(pid_t pid) {
  const auto stat = readStat(pid);
  return stat ? stat->start : 0;
}

fs::path GroupJournal::fileFor(const fs::path& root) {
  const char* base = std::getenv("XDG_RUNTIME_DIR");
  if (!base || !*base) base = std::getenv("TMPDIR");
  if (!base || !*base) base = "/tmp";
  // FNV-1a of the root: stable across runs, short enough for a file name.
  uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : root.string()) hash = (hash ^ c) * 1099511628211ull;
  std::ostringstream name;
  name << std::hex << hash << ".groups";
  return fs::path(base) / ("hotpod-" + std::to_string(::getuid())) / name.str();
}

GroupJournal::~GroupJournal() {
  if (current_journal == this) current_journal = nullptr;
  std::error_code ignored;
  fs::remove(file_, ignored);
  fs::remove(file_.parent_path(), ignored);  // only if empty: another hotpod may use it
}

GroupJournal* GroupJournal::current() {
  return current_journal;
}

void GroupJournal::setCurrent(GroupJournal* journal) {
  current_journal = journal;
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
  std::vector<pid_t> stale;
  pid_t group = 0;
  uint64_t leader_start = 0;
  while (file >> group >> leader_start) {
    const auto members = membersOf(group, leader_start);
    if (members.empty()) continue;
    ::killpg(group, SIGKILL);
    stale.push_back(group);
    log::warn("stale_group_killed",
              "stopped process group " + std::to_string(group) + " (" +
                  std::to_string(members.size()) + " process(es)) left by a hotpod that was killed",
              {{"group", int64_t{group}}, {"processes", static_cast<int64_t>(members.size())}});
  }
  // SIGKILL is asynchronous: wait (briefly) until they are really gone, ports released.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (pid_t id : stale) {
    while (!membersOf(id, 0).empty() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  return stale.size();
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
  const fs::path temporary = file_.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << ::getpid() << ' ' << processStartTime(::getpid()) << '\n';
    for (const auto& [group, start] : groups_) out << group << ' ' << start << '\n';
  }
  fs::rename(temporary, file_, error);
  if (error) {
    log::debug("journal_failed",
               "cannot record process groups in " + file_.string() + ": " + error.message());
  }
}

}  // namespace hotpod
