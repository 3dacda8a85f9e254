// proc/spawn.h with real children: what they inherit (fds 0-2, default signal dispositions, an
// empty mask), how a program is found in PATH, and which step a failure names.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <sstream>
#include <string>

#include "proc/spawn.h"
#include "support/temp_dir.h"

using namespace hotpod;
using namespace hotpod::testing;

namespace {

// Runs `script` under /bin/sh and returns what it printed into `out` once it has exited.
std::string runShell(const TempDir& dir, const std::string& script, const ChildSetup& setup = {}) {
  const auto out = dir.path() / "out.txt";
  const SpawnResult spawned = spawnChild(
      {"/bin/sh", "-c", "exec > " + out.string() + "; " + script}, {"PATH=/usr/bin:/bin"}, setup);
  REQUIRE(spawned.step == SpawnStep::None);
  int status = 0;
  REQUIRE(::waitpid(spawned.pid, &status, 0) == spawned.pid);
  return readText(out);
}

// The kernel's struct sigaction (x86-64 and arm64 alike).
struct KernelSigaction {
  void (*handler)(int);
  unsigned long flags;
  void* restorer;
  uint64_t mask;
};

// Sets PATH for one test and puts it back.
struct ScopedPath {
  std::string old = ::getenv("PATH") != nullptr ? ::getenv("PATH") : "";
  explicit ScopedPath(const std::string& path) { ::setenv("PATH", path.c_str(), 1); }
  ~ScopedPath() { ::setenv("PATH", old.c_str(), 1); }
};

// In a forked copy of this test process, where close_range fails with `error` (a seccomp filter,
// as an older container runtime's profile does) and fds 3-152 are open but for a gap at 60: what
// a spawned shell has open, or the step that failed.
std::string fdsWithCloseRangeFailing(const TempDir& dir, int error) {
  const auto out = dir.path() / "fds.txt";
  const pid_t tester = ::fork();
  REQUIRE(tester >= 0);
  if (tester == 0) {
    for (int i = 0; i < 150; ++i) ::open("/dev/null", O_RDONLY);
    ::close(60);
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_close_range, 0, 1),
        BPF_STMT(BPF_RET | BPF_K,
                 SECCOMP_RET_ERRNO | (static_cast<unsigned>(error) & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
    sock_fprog program{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
      ::_exit(10);
    }
    const SpawnResult spawned =
        spawnChild({"/bin/sh", "-c", "exec > " + out.string() + "; ls /proc/$$/fd"},
                   {"PATH=/usr/bin:/bin"}, {});
    int status = 0;
    if (spawned.step == SpawnStep::None) ::waitpid(spawned.pid, &status, 0);
    ::_exit(static_cast<int>(spawned.step));
  }
  int status = 0;
  REQUIRE(::waitpid(tester, &status, 0) == tester);
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) != 0) return "failed at step " + std::to_string(WEXITSTATUS(status));
  return readText(out);
}

}  // namespace

TEST_CASE("without close_range (ENOSYS, or EPERM from a seccomp profile) fds above 2 still close") {
  TempDir dir;
  CHECK(fdsWithCloseRangeFailing(dir, ENOSYS) == "0\n1\n2\n");
  CHECK(fdsWithCloseRangeFailing(dir, EPERM) == "0\n1\n2\n");
}

TEST_CASE("a child gets fds 0-2 only, every signal's default disposition and an empty mask") {
  TempDir dir;
  const int leaked = ::open("/dev/null", O_RDONLY);  // not close-on-exec
  REQUIRE(leaked > 2);
  struct sigaction ignore = {};
  struct sigaction old_usr1 = {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGUSR1, &ignore, &old_usr1);
  // glibc's own signal 32, ignored as glibc's posix_spawn leaves it in the programs it starts
  // (hotpod among them); through the kernel's call, since glibc's sigaction() refuses it.
  KernelSigaction kernel_ignore = {SIG_IGN, 0, nullptr, 0};
  KernelSigaction old_32 = {};
  REQUIRE(::syscall(SYS_rt_sigaction, 32, &kernel_ignore, &old_32, sizeof old_32.mask) == 0);
  sigset_t blocked, old_mask;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGUSR2);
  ::pthread_sigmask(SIG_BLOCK, &blocked, &old_mask);

  const std::string seen = runShell(
      dir,
      "ls /proc/$$/fd | tr '\\n' ' '; grep -E '^Sig(Ign|Blk):' /proc/$$/status | tr -s '\\t' ' '");

  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGUSR1, &old_usr1, nullptr);
  ::syscall(SYS_rt_sigaction, 32, &old_32, nullptr, sizeof old_32.mask);
  ::close(leaked);
  INFO("the child saw: " << seen);
  CHECK(seen.starts_with("0 1 2 SigBlk"));
  CHECK(seen.find("SigBlk: 0000000000000000") != std::string::npos);
  CHECK(seen.find("SigIgn: 0000000000000000") != std::string::npos);
}

TEST_CASE("a child leads a process group of its own, or a session") {
  TempDir dir;
  const std::string script = "echo $$ $(cut -d' ' -f5,6 /proc/$$/stat)";  // pid, pgrp, session
  for (const bool new_session : {false, true}) {
    ChildSetup setup;
    setup.new_session = new_session;
    std::istringstream seen(runShell(dir, script, setup));
    pid_t pid = 0, group = 0, session = 0;
    REQUIRE(static_cast<bool>(seen >> pid >> group >> session));
    CHECK(group == pid);
    CHECK((session == pid) == new_session);
  }
}

TEST_CASE("a program is looked up in hotpod's PATH, past a directory where it is not executable") {
  TempDir dir;
  dir.write("noexec/hotpod-spawn-probe", "#!/bin/sh\nexit 0\n");
  const auto runnable = dir.write("exec/hotpod-spawn-probe", "#!/bin/sh\nexit 7\n");
  ::chmod(runnable.c_str(), 0755);
  {
    ScopedPath path((dir.path() / "noexec").string() + ":" + (dir.path() / "exec").string());
    const SpawnResult spawned = spawnChild({"hotpod-spawn-probe"}, {}, {});
    REQUIRE(spawned.step == SpawnStep::None);
    int status = 0;
    REQUIRE(::waitpid(spawned.pid, &status, 0) == spawned.pid);
    CHECK(WEXITSTATUS(status) == 7);  // the second directory's
  }
  {
    ScopedPath path((dir.path() / "noexec").string());
    const SpawnResult denied = spawnChild({"hotpod-spawn-probe"}, {}, {});
    CHECK(denied.step == SpawnStep::Exec);
    CHECK(denied.error == EACCES);  // found, but not executable: not "no such program"
  }
  const SpawnResult missing = spawnChild({(dir.path() / "nowhere").string()}, {}, {});
  CHECK(missing.step == SpawnStep::Exec);
  CHECK(missing.error == ENOENT);
  CHECK(missing.pid == -1);
}

TEST_CASE("a missing working directory is reported as such, not as a missing program") {
  TempDir dir;
  ChildSetup setup;
  setup.cwd = (dir.path() / "gone").string();
  const SpawnResult spawned = spawnChild({"/bin/sh", "-c", "true"}, {}, setup);
  CHECK(spawned.step == SpawnStep::Chdir);
  CHECK(spawned.error == ENOENT);
  CHECK(::waitpid(-1, nullptr, WNOHANG) <= 0);  // the failed child was reaped already
}

TEST_CASE("the time of the child's execve is known: after the call began, before the program ran") {
  // steady_clock is CLOCK_MONOTONIC (libstdc++), the clock python's time.monotonic_ns() reads.
  TempDir dir;
  const auto before = std::chrono::steady_clock::now();
  const std::string script = "import time; print(time.monotonic_ns())";
  const auto out = dir.path() / "ran.txt";
  const SpawnResult spawned =
      spawnChild({"/bin/sh", "-c", "exec python3 -c '" + script + "' > " + out.string()},
                 {"PATH=/usr/bin:/bin"}, {});
  const auto returned = std::chrono::steady_clock::now();
  REQUIRE(spawned.step == SpawnStep::None);
  int status = 0;
  REQUIRE(::waitpid(spawned.pid, &status, 0) == spawned.pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  const auto ran =
      std::chrono::steady_clock::time_point(std::chrono::nanoseconds(std::stoll(readText(out))));
  CHECK(before <= spawned.exec_at);
  CHECK(spawned.exec_at <= returned);  // the parent resumes once the execve has begun
  CHECK(spawned.exec_at < ran);
}
