// The stale-group sweep kills a recorded group only while its leader is the recorded process:
// a younger group that reused the id belongs to someone else.
#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <vector>

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
