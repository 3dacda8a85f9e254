// The stale-group sweep kills a recorded group only while its leader is the recorded process:
// a younger group that reused the id belongs to someone else.
#include <doctest/doctest.h>

#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "base/reactor.h"
#include "base/syscalls.h"
#include "base/timer.h"
#include "base/unique_fd.h"
#include "proc/group_journal.h"
#include "support/fake_proc.h"
#include "support/syscall_fault.h"
#include "support/temp_dir.h"

// FakeProcess{.pid = …} leaves the other fields at their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using namespace hotpod;
using namespace hotpod::testing;

namespace {

std::vector<pid_t> g_killed;  // what the fake kill was asked to signal

int recordKill(pid_t pid, int) {
  g_killed.push_back(pid);
  return 0;
}

// A journal left by a SIGKILLed hotpod (pid 99, not running) that recorded group 500, whose
// leader started at clock tick 1000.
size_t sweep(FakeProc& proc) {
  TempDir dir;
  const auto file = dir.write("root.groups", "99 77\n500 1000\n");
  g_killed.clear();
  SyscallFault fake_kill(&sys::Ops::kill, &recordKill);
  GroupJournal journal(file, proc.root());
  return journal.stopStaleGroups();
}

}  // namespace

TEST_CASE("a group whose leader is the recorded process is stopped") {
  FakeProc proc;
  proc.add({.pid = 500, .comm = "app", .state = 'Z', .start_time = 1000});
  proc.add({.pid = 501, .comm = "worker", .pgid = 500, .state = 'Z', .start_time = 1001});
  CHECK(sweep(proc) == 1);
  CHECK(g_killed == std::vector<pid_t>{-500});
}

TEST_CASE("a younger group that reused the id is left alone") {
  FakeProc proc;
  proc.add({.pid = 500, .comm = "stranger", .start_time = 5000});
  proc.add({.pid = 501, .comm = "its-child", .pgid = 500, .start_time = 5001});
  CHECK(sweep(proc) == 0);
  CHECK(g_killed.empty());
}

TEST_CASE("members of a group whose leader is gone are not taken for the recorded group") {
  FakeProc proc;
  proc.add({.pid = 501, .comm = "maybe-a-stranger", .pgid = 500, .start_time = 5001});
  CHECK(sweep(proc) == 0);
  CHECK(g_killed.empty());
}

TEST_CASE("a journal in a directory another user could have planted is not read") {
  FakeProc proc;
  proc.add({.pid = 500, .comm = "victim", .state = 'Z', .start_time = 1000});
  TempDir dir;
  dir.write("elsewhere/root.groups", "99 77\n500 1000\n");
  std::filesystem::create_symlink(dir.path() / "elsewhere", dir.path() / "hotpod-0");
  g_killed.clear();
  SyscallFault fake_kill(&sys::Ops::kill, &recordKill);
  GroupJournal journal(dir.path() / "hotpod-0" / "root.groups", proc.root());
  CHECK(journal.stopStaleGroups() == 0);
  CHECK(g_killed.empty());
}

TEST_CASE("each hotpod keeps its own journal, and a killed one's is swept beside a live one") {
  // Two hotpods ran on one root: 98 still runs, 99 was SIGKILLed. Each wrote its own journal,
  // so 99's app (group 500) is still on record although 98 kept writing its own.
  FakeProc proc;
  proc.add({.pid = 98, .comm = "hotpod", .start_time = 70});
  proc.add({.pid = 500, .comm = "app-of-99", .state = 'Z', .start_time = 1000});
  proc.add({.pid = 600, .comm = "app-of-98", .start_time = 1100});
  TempDir dir;
  dir.write("hotpod-0/root.98.groups", "98 70\n600 1100\n");
  const auto dead = dir.write("hotpod-0/root.99.groups", "99 77\n500 1000\n");
  dir.write("hotpod-0/other.99.groups", "99 77\n700 1200\n");  // another root's
  std::filesystem::permissions(dir.path() / "hotpod-0", std::filesystem::perms::owner_all);
  g_killed.clear();
  SyscallFault fake_kill(&sys::Ops::kill, &recordKill);
  GroupJournal journal(dir.path() / "hotpod-0" / "root.12345.groups", proc.root());
  CHECK(journal.stopStaleGroups() == 1);
  CHECK(g_killed == std::vector<pid_t>{-500});
  CHECK_FALSE(std::filesystem::exists(dead));
  CHECK(std::filesystem::exists(dir.path() / "hotpod-0" / "root.98.groups"));
  CHECK(std::filesystem::exists(dir.path() / "hotpod-0" / "other.99.groups"));
}

TEST_CASE("the journal's name holds the root's hash and this hotpod's pid") {
  const auto name = GroupJournal::fileFor("/src").filename().string();
  CHECK(name.ends_with("." + std::to_string(::getpid()) + ".groups"));
  CHECK(GroupJournal::fileFor("/src") == GroupJournal::fileFor("/src"));
  CHECK(GroupJournal::fileFor("/src") != GroupJournal::fileFor("/srv"));
}

TEST_CASE("a journal written in another PID namespace is not this one's, for the same root") {
  // Pod containers that share /tmp and mount the source at the same path: a journal of the
  // other pod names pids of its own namespace, which here are other processes (the agent's own
  // build was SIGKILLed by such a sweep when two pod tests ran at once).
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::string name;
    if (::unshare(CLONE_NEWPID) == 0) {
      const pid_t inner = ::fork();  // the first child of the new namespace is in it
      if (inner == 0) {
        name = GroupJournal::fileFor("/srv").filename().string();
        name = name.substr(0, name.find('.'));
        [[maybe_unused]] auto written = ::write(pipe_fds[1], name.data(), name.size());
        ::_exit(0);
      }
      ::waitpid(inner, nullptr, 0);
    }
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  char buffer[64] = {};
  const ssize_t length = ::read(pipe_fds[0], buffer, sizeof buffer);
  ::close(pipe_fds[0]);
  ::waitpid(child, nullptr, 0);
  if (length <= 0) {
    MESSAGE("SKIPPED: cannot make a PID namespace here (unshare needs root or user namespaces)");
    return;
  }
  const auto ours = GroupJournal::fileFor("/srv").filename().string();
  CHECK(std::string(buffer, static_cast<size_t>(length)) != ours.substr(0, ours.find('.')));
}

TEST_CASE("the journal holds exactly the groups that run after one ends") {
  // Rewritten in place: the shorter text after an exit must not leave the ended group behind.
  FakeProc proc;
  proc.add({.pid = ::getpid(), .comm = "hotpod", .start_time = 50});
  proc.add({.pid = 500, .comm = "build", .start_time = 1000});
  proc.add({.pid = 600, .comm = "app", .start_time = 1100});
  TempDir dir;
  const auto file = dir.path() / "hotpod-0" / "root.groups";
  GroupJournal journal(file, proc.root());
  journal.added(500);
  journal.added(600);
  journal.removed(500);
  std::ifstream text(file);
  std::vector<uint64_t> numbers;
  for (uint64_t number = 0; text >> number;) numbers.push_back(number);
  CHECK(text.eof());
  CHECK(numbers == std::vector<uint64_t>{static_cast<uint64_t>(::getpid()), 50, 600, 1100});
}

namespace {

// A child for the test below, in a process group of its own if `own_group`.
pid_t spawnSleep(bool own_group) {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  if (own_group) {
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
  }
  char sleep_path[] = "/bin/sleep";
  char seconds[] = "60";
  char* argv[] = {sleep_path, seconds, nullptr};
  pid_t pid = -1;
  REQUIRE(::posix_spawn(&pid, sleep_path, nullptr, &attr, argv, environ) == 0);
  posix_spawnattr_destroy(&attr);
  return pid;
}

}  // namespace

// Real processes: "other" plays another hotpod of this root, SIGKILLed; "app" is its app, in a
// group of its own. The fallback sweep is an hour away, so only an event (the end of "other", or
// its journal appearing) can make this hotpod stop "app" in time; and "other" is still a zombie
// when it does (its parent, this test, reaps it only at the end).
struct OtherHotpod {
  TempDir dir;
  std::filesystem::path journals = dir.path() / "hotpod-0";
  pid_t other = spawnSleep(false);
  pid_t app = spawnSleep(true);

  OtherHotpod() {
    std::filesystem::create_directory(journals);
    std::filesystem::permissions(journals, std::filesystem::perms::owner_all);
  }
  ~OtherHotpod() {
    ::kill(other, SIGKILL);
    ::waitpid(other, nullptr, 0);
    if (app > 0) {
      ::kill(app, SIGKILL);
      ::waitpid(app, nullptr, 0);
    }
  }
  void writeJournal() const {
    std::ofstream(journals / ("root." + std::to_string(other) + ".groups"))
        << other << ' ' << processStartTime(other) << '\n'
        << app << ' ' << processStartTime(app) << '\n';
  }
  std::filesystem::path ours() const {
    return journals / ("root." + std::to_string(::getpid()) + ".groups");
  }
  // Runs the reactor until the app has ended (or 10 s); true if it was killed by SIGKILL.
  bool appKilledBy(Reactor& reactor) {
    UniqueFd app_exit(sys::ops().pidfd_open(app, 0));
    REQUIRE(app_exit);
    reactor.add(app_exit.get(), EPOLLIN, [&](uint32_t) { reactor.stop(); });
    Timer guard(reactor, [&] { reactor.stop(); });
    guard.armAfter(std::chrono::seconds(10));
    reactor.run();
    reactor.remove(app_exit.get());
    ::kill(app, SIGKILL);  // a no-op unless the sweep did not happen
    int status = 0;
    REQUIRE(::waitpid(std::exchange(app, -1), &status, 0) > 0);
    return guard.armed() && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }
};

TEST_CASE("a hotpod beside this one is killed: its app is stopped when it ends, not on a timer") {
  OtherHotpod beside;
  beside.writeJournal();
  Reactor reactor;
  GroupJournal journal(beside.ours());
  journal.watchOthers(reactor, std::chrono::hours(1));
  ::kill(beside.other, SIGKILL);
  CHECK(beside.appKilledBy(reactor));
}

TEST_CASE("a hotpod that starts after this one is watched too") {
  OtherHotpod later;
  Reactor reactor;
  GroupJournal journal(later.ours());
  journal.watchOthers(reactor, std::chrono::hours(1));
  ::kill(later.other, SIGKILL);  // gone by the time its journal is seen: stale at once
  later.writeJournal();
  CHECK(later.appKilledBy(reactor));
}

namespace {

int noPidfds(pid_t, unsigned int) {
  errno = ENOSYS;
  return -1;
}

}  // namespace

TEST_CASE("without pidfds, a hotpod killed beside this one is found by the timer instead") {
  OtherHotpod beside;
  beside.writeJournal();
  Reactor reactor;
  GroupJournal journal(beside.ours());
  {
    SyscallFault old_kernel(&sys::Ops::pidfd_open, &noPidfds);
    journal.watchOthers(reactor, std::chrono::milliseconds(20));
  }
  ::kill(beside.other, SIGKILL);
  CHECK(beside.appKilledBy(reactor));
}
