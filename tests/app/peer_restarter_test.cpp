// hotpod agent's signalling through a pidfd, with the kernel's answers injected at the syscall
// seam: EPERM names the fix, a PID that changed hands is never signalled, and a failed restart
// reaches the loop's counters with its reason.
#include "app/peer_restarter.h"

#include <doctest/doctest.h>
#include <sys/eventfd.h>

#include <cerrno>

#include "base/reactor.h"
#include "base/timer.h"
#include "support/fake_proc.h"
#include "support/syscall_fault.h"

// FakeProcess{.pid = …} leaves the other fields at their defaults on purpose; GCC 12 warns
// about designated initializers that do so.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using namespace hotpod;
using hotpod::testing::FakeProc;
using hotpod::testing::FakeProcess;
using hotpod::testing::SyscallFault;

namespace {

constexpr pid_t kAgent = 40;
constexpr pid_t kExec = 7;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void addPod(FakeProc& proc, uid_t app_uid) {
  proc.add({.pid = 1, .ppid = 0, .comm = "pause", .argv = {"/pause"}});
  proc.add({.pid = kExec,
            .ppid = 0,
            .comm = "hotpod-exec",
            .argv = {"hotpod", "exec", "--", "/src/bin/app"},
            .uid = app_uid});
  proc.add({.pid = 12, .ppid = kExec, .comm = "app", .argv = {"/src/bin/app"}, .uid = app_uid});
  proc.add({.pid = kAgent, .ppid = 0, .comm = "hotpod", .argv = {"hotpod", "agent"}});
  proc.setSelf(kAgent);
}

// The fake tree's PIDs do not exist: a pidfd is stood in for by an eventfd (pollable, never
// readable, so the "process" never exits).
int g_pidfd_opens = 0;
int fakePidfdOpen(pid_t, unsigned int) {
  ++g_pidfd_opens;
  return ::eventfd(0, EFD_CLOEXEC);
}

int g_signals_sent = 0;
int g_last_signal = 0;
int refusePermission(int, int signal, siginfo_t*, unsigned int) {
  ++g_signals_sent;
  g_last_signal = signal;
  errno = EPERM;
  return -1;
}
int acceptSignal(int, int signal, siginfo_t*, unsigned int) {
  ++g_signals_sent;
  g_last_signal = signal;
  return 0;
}

Reactor* g_reactor = nullptr;
int acceptAndStop(int fd, int signal, siginfo_t* info, unsigned int flags) {
  g_reactor->stop();
  return acceptSignal(fd, signal, info, flags);
}

int exitedBeforeOpen(pid_t, unsigned int) {
  errno = ESRCH;
  return -1;
}

// Between the scan and pidfd_open, hotpod exec ended and its PID went to a new process.
FakeProc* g_reused_proc = nullptr;
int openAfterReuse(pid_t pid, unsigned int flags) {
  g_reused_proc->add({.pid = pid,
                      .ppid = 0,
                      .comm = "hotpod-exec",
                      .argv = {"hotpod", "exec", "--", "/other"},
                      .start_time = 99999});
  return fakePidfdOpen(pid, flags);
}

TargetConfig execTarget() {
  return TargetConfig{};  // exec mode, the marker: the defaults
}

}  // namespace

TEST_CASE("EPERM names the fix: the same UID for both containers, or CAP_KILL for the agent") {
  FakeProc proc;
  addPod(proc, 65534);
  const PeerFinder finder(execTarget(), ProcTable(proc.root()));
  const auto target = finder.find().target;
  REQUIRE(target);
  SyscallFault open(&sys::Ops::pidfd_open, &fakePidfdOpen);
  SyscallFault send(&sys::Ops::pidfd_send_signal, &refusePermission);
  std::string_view failure;
  const std::string problem =
      signalThroughPidfd(finder, *target, SIGUSR2, "hotpod exec", false, &failure);
  CHECK(failure == kFailurePermission);
  CHECK(contains(problem, "not allowed to send SIGUSR2 to hotpod exec (pid 7, uid 65534) as uid " +
                              std::to_string(::geteuid()) + " (EPERM)"));
  CHECK(contains(problem, "run both containers as the same UID"));
  CHECK(contains(problem, "or give the agent CAP_KILL"));
}

TEST_CASE("a PID that changed hands between the scan and the pidfd is never signalled") {
  FakeProc proc;
  addPod(proc, 0);
  const PeerFinder finder(execTarget(), ProcTable(proc.root()));
  const auto target = finder.find().target;
  REQUIRE(target);
  g_reused_proc = &proc;
  g_signals_sent = 0;
  SyscallFault open(&sys::Ops::pidfd_open, &openAfterReuse);
  SyscallFault send(&sys::Ops::pidfd_send_signal, &acceptSignal);
  std::string_view failure;
  const std::string problem =
      signalThroughPidfd(finder, *target, SIGUSR2, "hotpod exec", false, &failure);
  CHECK(g_signals_sent == 0);
  CHECK(failure == kFailureNotFound);
  CHECK(contains(problem, "exited before it could be signalled"));
  CHECK(contains(problem, "nothing was sent"));

  SyscallFault gone(&sys::Ops::pidfd_open, &exitedBeforeOpen);
  CHECK(contains(signalThroughPidfd(finder, *target, SIGUSR2, "hotpod exec", false, &failure),
                 "hotpod exec (pid 7) has exited"));
  CHECK(g_signals_sent == 0);
}

TEST_CASE("a restart refused with EPERM is reported as a failure, with its reason") {
  FakeProc proc;
  addPod(proc, 65534);
  Reactor reactor;
  std::vector<std::pair<std::string, std::string>> failures;
  std::vector<pid_t> started;
  SyscallFault open(&sys::Ops::pidfd_open, &fakePidfdOpen);
  SyscallFault send(&sys::Ops::pidfd_send_signal, &refusePermission);
  g_signals_sent = 0;
  PeerRestarter restarter(reactor, execTarget(),
                          PeerEvents{{[&](pid_t pid) { started.push_back(pid); }, {}, {}},
                                     [&](std::string_view reason, const std::string& why) {
                                       failures.emplace_back(reason, why);
                                     }},
                          ProcTable(proc.root()));
  restarter.restart("change");
  CHECK(g_signals_sent == 1);
  CHECK(g_last_signal == SIGUSR2);  // hotpod exec's default: its cmdline names no other
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].first == kFailurePermission);
  CHECK(contains(failures[0].second, "CAP_KILL"));
  // The app it found on the way is reported as running.
  CHECK(started == std::vector<pid_t>{12});
  CHECK(restarter.running());
  CHECK(restarter.pid() == 12);

  bool stopped = false;
  restarter.stop([&] { stopped = true; });
  CHECK(stopped);
  CHECK_FALSE(restarter.running());
  CHECK(restarter.pid() <= 0);
}

TEST_CASE("the restart signal is the one hotpod exec's cmdline names, unless target.signal says") {
  FakeProc proc;
  addPod(proc, 0);
  proc.add({.pid = kExec,
            .ppid = 0,
            .comm = "hotpod-exec",
            .argv = {"hotpod", "exec", "--restart-signal", "SIGRTMIN+1", "--", "/src/bin/app"}});
  Reactor reactor;
  SyscallFault open(&sys::Ops::pidfd_open, &fakePidfdOpen);
  SyscallFault send(&sys::Ops::pidfd_send_signal, &acceptSignal);
  {
    PeerRestarter restarter(reactor, execTarget(), PeerEvents{}, ProcTable(proc.root()));
    restarter.restart("change");
    CHECK(g_last_signal == SIGRTMIN + 1);
  }
  TargetConfig config = execTarget();
  config.signal = SIGWINCH;
  {
    PeerRestarter restarter(reactor, config, PeerEvents{}, ProcTable(proc.root()));
    restarter.restart("change");
    CHECK(g_last_signal == SIGWINCH);
  }
}

TEST_CASE("hotpod exec found before it handles its restart signal gets it once it does") {
  // Found by its command line while its comm is still "hotpod" and SIGUSR2 is neither blocked
  // nor caught: the signal's default action would end it (and its container).
  FakeProc proc;
  addPod(proc, 0);
  FakeProcess exec{.pid = kExec,
                   .ppid = 0,
                   .comm = "hotpod",
                   .argv = {"hotpod", "exec", "--", "/src/bin/app"},
                   .sig_blk = "0000000000000000",
                   .sig_cgt = "0000000000000000"};
  proc.add(exec);
  Reactor reactor;
  g_reactor = &reactor;
  Timer give_up(reactor, [&] { reactor.stop(); });
  give_up.armAfter(std::chrono::seconds(5));
  SyscallFault open(&sys::Ops::pidfd_open, &fakePidfdOpen);
  SyscallFault send(&sys::Ops::pidfd_send_signal, &acceptAndStop);
  g_signals_sent = 0;
  PeerRestarter restarter(reactor, execTarget(), PeerEvents{}, ProcTable(proc.root()));
  restarter.restart("change");
  CHECK(g_signals_sent == 0);
  exec.comm = "hotpod-exec";
  exec.sig_blk = "0000000000000800";  // SIGUSR2 (12) blocked: its signalfd reads it
  proc.add(exec);
  reactor.run();
  CHECK(g_signals_sent == 1);
  CHECK(g_last_signal == SIGUSR2);
}
