#include "proc/process_group.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "base/log.h"
#include "base/signals.h"
#include "base/syscalls.h"
#include "proc/group_journal.h"
#include "proc/proc_table.h"
#include "proc/spawn.h"

namespace hotpod {
namespace {

constexpr std::chrono::milliseconds kRecheckInterval{50};
// A child that prints without pause must not starve the loop: read this much per turn.
constexpr size_t kChunksPerTurn = 16;

std::string spawnAdvice(int err, const std::string& program) {
  switch (err) {
    case ENOENT:
      return "no such program '" + program + "': check the command, the working directory " +
             "and PATH (did the build write it where the command expects?)";
    case EACCES:
      return "'" + program + "' is not executable: chmod +x it, or fix the command";
    case ENOEXEC:
      return "'" + program + "' is not a binary the kernel can run";
    default:
      return "check the command";
  }
}

// A build that renames a new binary over the running one (go build does) leaves the old
// version's process as the last holder of the old file, so its exit frees the file before
// anyone can see the exit: on ext4 mounted with `discard` that waits for the disk (1.7 ms for
// the Gin example's 10 MB), and the next version starts only after. Held here instead, the
// file is freed once the next version has started, on a thread of its own.
UniqueFd holdReplacedExecutable(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/exe";
  UniqueFd executable(::open(path.c_str(), O_PATH | O_CLOEXEC));
  struct stat info {};
  if (!executable || ::fstat(executable.get(), &info) != 0 || info.st_nlink > 0) return {};
  return executable;
}

}  // namespace

bool ExitInfo::exited() const {
  return WIFEXITED(wait_status);
}
int ExitInfo::signal() const {
  return WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0;
}
int ExitInfo::code() const {
  return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + signal();
}
std::string ExitInfo::describe() const {
  if (exited()) return "exit code " + std::to_string(code());
  return "killed by " + signalName(signal());
}

ProcessGroup::ProcessGroup(Reactor& reactor, Reaper& reaper, LineHandler on_line,
                           GoneHandler on_gone)
    : reactor_(reactor),
      reaper_(reaper),
      on_line_(std::move(on_line)),
      on_gone_(std::move(on_gone)),
      kill_timer_(reactor,
                  [this] {
                    if (!active()) return;
                    log::warn("kill",
                              "process group " + std::to_string(pid_) +
                                  " still running after its grace period; sending SIGKILL",
                              {{"pid", int64_t{pid_}}});
                    ::killpg(pid_, SIGKILL);
                    signalOrphans(adoptedOrphans(), SIGKILL);
                  }),
      recheck_timer_(reactor, [this] { checkGone(); }) {
  reaper_listener_ = reaper_.addListener([this] { checkGone(); });
}

ProcessGroup::~ProcessGroup() {
  reaper_.removeListener(reaper_listener_);
  if (active()) {
    ::killpg(pid_, SIGKILL);
    reaper_.forget(pid_);
  }
  if (pidfd_) reactor_.remove(pidfd_.get());
  closeOutput();
}

void ProcessGroup::start(const SpawnSpec& spec) {
  if (active()) throw std::logic_error("ProcessGroup::start while a process is active");
  UniqueFd read_end, write_end, empty_input;
  if (!spec.inherit_stdio) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
      throw sys::error(errno, "pipe2", "raise the open-files limit (ulimit -n)");
    }
    read_end.reset(pipe_fds[0]);
    write_end.reset(pipe_fds[1]);
    ::fcntl(read_end.get(), F_SETFL, O_NONBLOCK);  // only our end; the child writes blocking
    // stdin reads end-of-file at once, like /dev/null, which a bare root file system (a chroot,
    // some FROM scratch set-ups) may not have: an empty pipe whose write end is already closed.
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
      throw sys::error(errno, "pipe2", "raise the open-files limit (ulimit -n)");
    }
    empty_input.reset(pipe_fds[0]);
    ::close(pipe_fds[1]);
  }

  ChildSetup setup;
  if (!spec.inherit_stdio) {
    setup.stdin_fd = empty_input.get();
    setup.stdout_fd = setup.stderr_fd = write_end.get();
  }
  // The child gets exactly 0, 1 and 2: not everything hotpod and its libraries open is
  // close-on-exec (httplib's accepted sockets, curl's, an HTTP thread's ifstream), and an
  // inherited event-stream socket would keep a client connected after hotpod closed it.
  setup.new_session = spec.new_session;
  setup.cwd = spec.cwd.string();
  const SpawnResult spawned = spawnChild(spec.argv, spec.env, setup);
  if (spawned.step == SpawnStep::Chdir) {
    throw sys::error(spawned.error,
                     "cannot start " + spec.argv[0] + ": cannot change to its working directory " +
                         spec.cwd.string(),
                     "was it moved or deleted? hotpod builds and runs in the watched root");
  }
  if (spawned.step != SpawnStep::None) {
    throw sys::error(spawned.error, "cannot start " + spec.argv[0],
                     spawned.step == SpawnStep::Exec ? spawnAdvice(spawned.error, spec.argv[0])
                                                     : "check the limits on processes and files");
  }
  const pid_t pid = spawned.pid;

  pid_ = pid;
  exec_at_ = spawned.exec_at;
  leader_status_.reset();
  stopping_ = false;
  claims_orphans_ = false;
  signalled_orphans_.clear();
  // One read of the new leader's start time for both, when either needs it: the orphans it may
  // leave, the journal (hotpod exec keeps none).
  auto* journal = reaper_.groupJournal();
  const auto leader = spec.claim_orphans || journal ? ProcTable().readStat(pid) : std::nullopt;
  if (spec.claim_orphans && leader) {
    claims_orphans_ = true;
    started_at_ticks_ = leader->start_time;
  }
  if (journal) journal->added(pid, leader ? leader->start_time : 0);
  reaper_.expect(pid, [this](int status) { onLeaderExit(status); });
  if (read_end) {
    output_ = std::move(read_end);
    reactor_.add(output_.get(), EPOLLIN, [this](uint32_t) { drainOutput(kChunksPerTurn); });
  }
  pidfd_.reset(sys::ops().pidfd_open(pid, 0));
  if (pidfd_) {
    reactor_.add(pidfd_.get(), EPOLLIN, [this](uint32_t) { reaper_.reapAll(); });
  }  // else: an old kernel; SIGCHLD alone tells us
}

void ProcessGroup::terminate(int signal, std::chrono::milliseconds grace) {
  if (!active()) return;
  if (!replaced_executable_ && !leader_status_) replaced_executable_ = holdReplacedExecutable(pid_);
  stopping_ = true;
  stop_signal_ = signal;
  ::killpg(pid_, signal);
  if (signal != SIGKILL) ::killpg(pid_, SIGCONT);  // a stopped process cannot act on it
  signalOrphans(adoptedOrphans(), signal);
  if (signal != SIGKILL && !kill_timer_.armed()) kill_timer_.armAfter(grace);
}

bool ProcessGroup::signalLeader(int signal) {
  if (!active() || leader_status_) return false;
  if (pidfd_) return sys::ops().pidfd_send_signal(pidfd_.get(), signal, nullptr, 0) == 0;
  return sys::ops().kill(pid_, signal) == 0;
}

bool ProcessGroup::signalGroup(int signal) {
  if (!active()) return false;
  return ::killpg(pid_, signal) == 0;
}

void ProcessGroup::onLeaderExit(int wait_status) {
  leader_status_ = wait_status;
  if (pidfd_) {
    reactor_.remove(pidfd_.get());
    pidfd_.reset();
  }
  checkGone();
}

bool ProcessGroup::groupHasMembers() const {
  return ::killpg(pid_, 0) == 0 || errno == EPERM;
}

std::vector<pid_t> ProcessGroup::adoptedOrphans() const {
  std::vector<pid_t> orphans;
  // Without any child (the usual case once the app has exited and been reaped) there is no
  // orphan to find: the scan below reads a file per thread and a stat per child.
  if (!claims_orphans_ || !Reaper::anyChildren()) return orphans;
  const pid_t self = ::getpid();
  // hotpod's own children only (its threads' children lists), not every process: this runs
  // when the app is stopped and again when it has exited, on the way to its next start.
  for (const auto& process : ProcTable().childrenOf(self, ProcTable::Detail::StatOnly)) {
    // A zombie holds nothing and is reaped on this turn; processes hotpod spawned, and the
    // members of their groups (a build's), belong to their own owners.
    if (process.state == 'Z' || reaper_.owns(process.pid) || reaper_.owns(process.pgid) ||
        process.start_time < started_at_ticks_) {
      continue;
    }
    orphans.push_back(process.pid);
  }
  return orphans;
}

void ProcessGroup::signalOrphans(const std::vector<pid_t>& orphans, int signal, bool only_new) {
  // They are hotpod's children: until hotpod reaps them (on this thread), no PID is reused.
  for (const pid_t orphan : orphans) {
    if (!signalled_orphans_.insert(orphan).second && only_new) continue;
    log::debug("orphan_signalled", signalName(signal) + " to orphan " + std::to_string(orphan),
               {{"pid", int64_t{orphan}}});
    ::kill(orphan, signal);
    ::killpg(orphan, signal);  // if it leads a group (setsid), its workers too; else ESRCH
    if (signal != SIGKILL) ::kill(orphan, SIGCONT);
  }
}

void ProcessGroup::checkGone() {
  if (!active() || !leader_status_) return;
  if (groupHasMembers()) {
    // The leader is gone but members of its group live on (a daemon it forked, workers):
    // they could hold its port or files, so they go too.
    if (!stopping_) terminate(SIGTERM, std::chrono::milliseconds(2000));
    recheck_timer_.armAfter(kRecheckInterval);
    return;
  }
  if (const auto orphans = adoptedOrphans(); !orphans.empty()) {
    // The same for a daemon it left to hotpod in a session of its own (double fork, setsid);
    // orphaned only now (their parent just died), they get the signal the group got.
    if (!stopping_) {
      terminate(SIGTERM, std::chrono::milliseconds(2000));
    } else {
      signalOrphans(orphans, kill_timer_.armed() ? stop_signal_ : SIGKILL, true);
    }
    recheck_timer_.armAfter(kRecheckInterval);
    return;
  }
  drainOutput(SIZE_MAX);  // every writer is dead: what is left is finite
  lines_.finish(on_line_);
  closeOutput();
  kill_timer_.disarm();
  recheck_timer_.disarm();
  const ExitInfo info{*leader_status_};
  if (auto* journal = reaper_.groupJournal()) journal->removed(pid_);
  pid_ = -1;
  stopping_ = false;
  UniqueFd replaced_executable = std::move(replaced_executable_);
  on_gone_(info);  // may start the next process (and may destroy this group: no member after)
  closeOffThread(std::move(replaced_executable));
}

void ProcessGroup::drainOutput(size_t max_chunks) {
  if (!output_) return;
  char buffer[16 * 1024];
  for (size_t chunk = 0; chunk < max_chunks; ++chunk) {
    const ssize_t n = ::read(output_.get(), buffer, sizeof buffer);
    if (n > 0) {
      lines_.feed(std::string_view(buffer, static_cast<size_t>(n)), on_line_);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) {  // every writer closed it
      lines_.finish(on_line_);
      closeOutput();
    }
    return;
  }
}

void ProcessGroup::closeOutput() {
  if (!output_) return;
  reactor_.remove(output_.get());
  output_.reset();
}

}  // namespace hotpod
