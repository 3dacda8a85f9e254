#include "proc/group_journal.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "base/duration.h"
#include "base/files.h"
#include "base/log.h"
#include "base/syscalls.h"
#include "base/text.h"
#include "proc/proc_table.h"

namespace hotpod {
namespace fs = std::filesystem;

namespace {

// The processes of `group`, if it is still the group hotpod recorded: its leader (pid = group id)
// must be the very process that was recorded, with the same start time. A group whose leader is
// gone or younger may be a stranger's that reused the id; it is left alone.
std::optional<std::vector<ProcessInfo>> membersOf(const ProcTable& proc, pid_t group,
                                                  uint64_t leader_start) {
  const auto leader = proc.readStat(group);
  if (!leader || leader->start_time != leader_start || leader->pgid != group) return std::nullopt;
  std::vector<ProcessInfo> members;
  for (auto& process : proc.list(ProcTable::Detail::StatOnly)) {
    if (process.pgid == group) members.push_back(std::move(process));
  }
  return members;
}

}  // namespace

uint64_t processStartTime(pid_t pid, const std::filesystem::path& proc_root) {
  const auto process = ProcTable(proc_root).readStat(pid);
  return process ? process->start_time : 0;
}

fs::path GroupJournal::fileFor(const fs::path& root) {
  // Hashed: stable across runs, short enough for a file name. The PID namespace is part of the
  // key: the pids in a journal mean something only there, and containers that share the
  // directory (one /tmp, the same root path such as /srv) must not sweep each other's groups.
  struct stat namespace_id {};
  ::stat("/proc/self/ns/pid", &namespace_id);
  const std::string key = root.string() + '\0' + std::to_string(namespace_id.st_dev) + ':' +
                          std::to_string(namespace_id.st_ino);
  std::ostringstream name;
  name << std::hex << stableHash(key) << std::dec << "." << ::getpid() << ".groups";
  return runtimeDirectory() / ("hotpod-" + std::to_string(::getuid())) / name.str();
}

GroupJournal::GroupJournal(fs::path file, fs::path proc_root)
    : file_(std::move(file)),
      proc_root_(std::move(proc_root)),
      owner_start_(processStartTime(::getpid(), proc_root_)) {}

GroupJournal::~GroupJournal() {
  stopWatching();
  if (fd_ >= 0) ::close(fd_);
  std::error_code ignored;
  fs::remove(file_, ignored);
  fs::remove(file_.parent_path(), ignored);  // only if empty: another hotpod may use it
}

// Every journal of this root: each hotpod writes its own (KEY.PID.groups), so that one that
// runs beside another and is then SIGKILLed still leaves a journal nobody overwrites. KEY.groups
// is what hotpods before that wrote.
std::vector<fs::path> GroupJournal::journalsOfThisRoot() const {
  const std::string name = file_.filename().string();
  const std::string key = name.substr(0, name.find('.'));
  std::vector<fs::path> journals;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(file_.parent_path(), error)) {
    const std::string other = entry.path().filename().string();
    if (other.starts_with(key + ".") && other.ends_with(".groups")) {
      journals.push_back(entry.path());
    }
  }
  std::sort(journals.begin(), journals.end());
  return journals;
}

void GroupJournal::watchOthers(Reactor& reactor, std::chrono::milliseconds fallback_period) {
  if (reactor_ != nullptr) return;  // watching already
  reactor_ = &reactor;
  fallback_period_ = fallback_period;
  save();  // this hotpod's own journal keeps the directory: the last one out removes it if empty
  if (fd_ < 0) return fallBackToTimer("this hotpod's own journal could not be written");
  if (UniqueFd probe(sys::ops().pidfd_open(::getpid(), 0)); !probe) {
    return fallBackToTimer(std::string("no pidfds: ") + std::strerror(errno));
  }
  directory_watch_.reset(sys::ops().inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!directory_watch_ ||
      sys::ops().inotify_add_watch(directory_watch_.get(), file_.parent_path().c_str(),
                                   IN_CREATE | IN_MOVED_TO | IN_ONLYDIR) < 0) {
    return fallBackToTimer(std::string("no inotify watch: ") + std::strerror(errno));
  }
  reactor.add(directory_watch_.get(), EPOLLIN, [this](uint32_t) { onDirectoryEvents(); });
  watchNewOwners();
}

void GroupJournal::onDirectoryEvents() {
  // Which file it was does not matter (nor an overflow): the directory is listed again. Only
  // its own end does: a cleaner of the runtime directory removed it.
  alignas(inotify_event) char buffer[4096];
  bool directory_gone = false;
  ssize_t length = 0;
  while ((length = sys::ops().read(directory_watch_.get(), buffer, sizeof buffer)) > 0) {
    for (ssize_t at = 0; at + static_cast<ssize_t>(sizeof(inotify_event)) <= length;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
      directory_gone |= (event->mask & (IN_IGNORED | IN_DELETE_SELF)) != 0;
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
  }
  if (directory_gone) return fallBackToTimer("the journals' directory was removed");
  watchNewOwners();
}

void GroupJournal::watchNewOwners() {
  bool sweep_now = false;
  for (const auto& journal : journalsOfThisRoot()) {
    // KEY.PID.groups; KEY.groups (older hotpods) names no owner and was swept at the start.
    const std::string name = journal.stem().string();
    const auto dot = name.find('.');
    if (dot == std::string::npos) continue;
    pid_t owner = 0;
    const char* first = name.data() + dot + 1;
    const char* last = name.data() + name.size();
    if (const auto [end, error] = std::from_chars(first, last, owner);
        error != std::errc() || end != last || owner <= 0) {
      continue;
    }
    if (owner == ::getpid() || owners_.contains(owner)) continue;
    // A new owner may already be gone, or its pid may name another process now (the start time
    // in its journal tells): the sweep finds such a journal stale at once.
    sweep_now = true;
    UniqueFd pidfd(sys::ops().pidfd_open(owner, 0));
    if (!pidfd && errno == ESRCH) continue;
    if (!pidfd) return fallBackToTimer(std::string("pidfd_open: ") + std::strerror(errno));
    reactor_->add(pidfd.get(), EPOLLIN, [this, owner](uint32_t) { onOwnerGone(owner); });
    owners_.emplace(owner, std::move(pidfd));
  }
  if (sweep_now) sweep(false);
}

void GroupJournal::onOwnerGone(pid_t owner) {
  if (const auto found = owners_.find(owner); found != owners_.end()) {
    reactor_->remove(found->second.get());
    owners_.erase(found);
  }
  sweep(false);
  watchNewOwners();  // a hotpod that started since with the same pid has the same journal name
}

void GroupJournal::stopWatching() {
  if (reactor_ == nullptr) return;
  if (directory_watch_) reactor_->remove(directory_watch_.get());
  directory_watch_.reset();
  for (const auto& [owner, pidfd] : owners_) reactor_->remove(pidfd.get());
  owners_.clear();
}

void GroupJournal::fallBackToTimer(const std::string& why) {
  stopWatching();
  log::debug("journal_sweep_timer", "looking for a hotpod killed beside this one every " +
                                        formatDuration(fallback_period_) + ": " + why);
  sweep_timer_ = std::make_unique<Timer>(*reactor_, [this] {
    sweep(false);
    sweep_timer_->armAfter(fallback_period_);
  });
  sweep_timer_->armAfter(fallback_period_);
}

size_t GroupJournal::sweep(bool at_start) {
  try {
    privateDirectory(file_.parent_path());  // a journal planted by another user is not read
  } catch (const std::system_error& failure) {
    if (at_start) log::warn("journal_refused", failure.what());
    return 0;
  }
  const ProcTable proc(proc_root_);
  std::vector<ProcessInfo> killed;
  size_t groups = 0;
  for (const auto& journal : journalsOfThisRoot()) {
    if (stopGroupsOf(journal, proc, killed, groups, at_start)) {
      std::error_code ignored;
      if (journal != file_) fs::remove(journal, ignored);  // its groups are gone now
    }
  }
  // SIGKILL is asynchronous: before anything starts, wait (briefly) until those processes are
  // really gone (their ports released); a later process with a reused PID does not count.
  if (!at_start) return groups;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (const auto& process : killed) {
    while (std::chrono::steady_clock::now() < deadline) {
      const auto now = proc.readStat(process.pid);
      if (!now || !now->sameProcess(process) || now->state == 'Z') break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  return groups;
}

bool GroupJournal::stopGroupsOf(const fs::path& journal, const ProcTable& proc,
                                std::vector<ProcessInfo>& killed, size_t& groups,
                                bool at_start) const {
  std::ifstream file(journal);
  pid_t owner = 0;
  uint64_t owner_start = 0;
  if (!(file >> owner >> owner_start)) return false;
  if (owner == ::getpid() && owner_start == owner_start_) return false;  // this hotpod's own
  // A zombie owner is gone: a pidfd says so before the owner's parent has reaped it.
  if (const auto now = proc.readStat(owner);
      now && now->start_time == owner_start && now->state != 'Z') {
    if (!at_start) return false;
    log::warn("another_hotpod",
              "another hotpod (pid " + std::to_string(owner) +
                  ") runs for this root; its builds and app are left alone (if it is killed, "
                  "the next hotpod for this root stops them), but both will rebuild on every "
                  "change");
    return false;
  }
  pid_t group = 0;
  uint64_t leader_start = 0;
  while (file >> group >> leader_start) {
    const auto found = membersOf(proc, group, leader_start);
    if (!found) {
      log::debug("stale_group_gone", "process group " + std::to_string(group) +
                                         " from a previous hotpod is gone (or its id was reused)");
      continue;
    }
    const auto& members = *found;
    sys::ops().kill(-group, SIGKILL);
    ++groups;
    killed.insert(killed.end(), members.begin(), members.end());
    log::warn("stale_group_killed",
              "stopped process group " + std::to_string(group) + " (" +
                  std::to_string(members.size()) + " process(es)) left by a hotpod that was killed",
              {{"group", int64_t{group}},
               {"processes", static_cast<int64_t>(members.size())},
               {"hotpod_pid", int64_t{owner}}});
  }
  return true;
}

void GroupJournal::added(pid_t group) {
  added(group, processStartTime(group, proc_root_));
}

void GroupJournal::added(pid_t group, uint64_t start_time) {
  groups_[group] = start_time;
  save();
}

void GroupJournal::removed(pid_t group) {
  if (groups_.erase(group) > 0) save();
}

void GroupJournal::save() const {
  std::ostringstream out;
  out << ::getpid() << ' ' << owner_start_ << '\n';
  for (const auto& [group, start] : groups_) out << group << ' ' << start << '\n';
  std::string text = out.str();
  // Read after a SIGKILL of this hotpod, never after a crash of the machine (its processes are
  // gone then): no fsync. One pwrite from offset 0 is never seen half done by the next hotpod;
  // the spaces that pad a shorter text over a longer one are whitespace to the reader.
  length_ = std::max(length_, text.size());
  text.resize(length_, ' ');
  try {
    if (fd_ < 0) {
      privateDirectory(file_.parent_path());
      fd_ = ::open(file_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "open");
    }
    if (::pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
      throw std::system_error(errno, std::generic_category(), "pwrite");
    }
  } catch (const std::system_error& failure) {
    log::debug("journal_failed",
               "cannot record process groups in " + file_.string() + ": " + failure.what());
  }
}

}  // namespace hotpod
