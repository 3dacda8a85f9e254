#include "proc/spawn.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <mutex>

#include "proc/proc_table.h"

namespace hotpod {
namespace {

constexpr size_t kStackSize = 64 * 1024;

// What the child needs, prepared by the parent: the child may only make system calls (no
// allocation, no lock: another thread of hotpod may hold malloc's when it is cloned).
struct ChildWork {
  const ChildSetup* setup;
  char* const* programs;  // the paths to try, in PATH's order; null-terminated like argv
  char* const* argv;
  char* const* envp;
  uint64_t reset_signals;  // bit n-1: signal n has a disposition other than SIG_DFL
  // Written by the child before _exit(127), read by the parent once clone returns: the parent
  // is suspended until then (CLONE_VFORK), and the memory is shared (CLONE_VM).
  SpawnStep failed_step = SpawnStep::None;
  int error = 0;
  timespec exec_at{};  // CLOCK_MONOTONIC just before the (last) execve
};

// The child's code runs on the kept stack but with the parent thread's TLS: AddressSanitizer's
// no-return bookkeeping would read that thread's stack bounds and report a bogus stack.
#define HOTPOD_CHILD_CODE __attribute__((no_sanitize_address))

[[noreturn]] HOTPOD_CHILD_CODE void childFailed(ChildWork& work, SpawnStep step, int error) {
  work.failed_step = step;
  work.error = error;
  ::_exit(127);
}

// dup2 to itself would keep close-on-exec; the flag is cleared instead.
HOTPOD_CHILD_CODE bool moveTo(int fd, int target) {
  if (fd < 0) return true;
  if (fd == target) return ::fcntl(fd, F_SETFD, 0) == 0;
  return ::dup2(fd, target) == target;
}

// Without close_range (Linux < 5.9, or a seccomp profile that refuses it): every fd above 2
// listed in /proc/self/fd, read with getdents64 into this stack frame.
HOTPOD_CHILD_CODE int closeFromThreeByListing() {
  const int dir = ::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return errno;
  for (bool closed_any = true; closed_any;) {
    closed_any = false;
    alignas(8) char buffer[1024];
    if (::lseek(dir, 0, SEEK_SET) < 0) return errno;
    for (;;) {
      const long n = ::syscall(SYS_getdents64, dir, buffer, sizeof buffer);
      if (n < 0) return errno;
      if (n == 0) break;
      for (long at = 0; at < n;) {
        const unsigned short length = *reinterpret_cast<unsigned short*>(buffer + at + 16);
        const char* name = buffer + at + 19;
        at += length;
        int fd = 0;  // not atoi: only system calls and plain code here
        for (const char* digit = name; *digit >= '0' && *digit <= '9'; ++digit) {
          fd = fd * 10 + (*digit - '0');
        }
        if (name[0] != '.' && fd > 2 && fd != dir && ::close(fd) == 0) closed_any = true;
      }
    }
  }
  ::close(dir);
  return 0;
}

HOTPOD_CHILD_CODE int childMain(void* raw) {
  ChildWork& work = *static_cast<ChildWork*>(raw);
  const ChildSetup& setup = *work.setup;
  if (setup.new_session ? ::setsid() < 0 : ::setpgid(0, 0) != 0) {
    childFailed(work, SpawnStep::Session, errno);
  }
  if (!moveTo(setup.stdin_fd, 0) || !moveTo(setup.stdout_fd, 1) || !moveTo(setup.stderr_fd, 2)) {
    childFailed(work, SpawnStep::Stdio, errno);
  }
  // Any failure, not only ENOSYS: seccomp profiles that predate close_range answer EPERM.
  if (::close_range(3, ~0U, 0) != 0) {
    if (const int error = closeFromThreeByListing(); error != 0) {
      childFailed(work, SpawnStep::CloseFds, error);
    }
  }
  if (!setup.cwd.empty() && ::chdir(setup.cwd.c_str()) != 0) {
    childFailed(work, SpawnStep::Chdir, errno);
  }
  // Default dispositions first, then the empty mask: a handler of hotpod's must never run here.
  // The kernel's call, not sigaction(): glibc refuses its own signals (32, 33), and an ignored
  // one survives execve (a parent that spawned hotpod with posix_spawn leaves both ignored).
  struct {
    void* handler;  // SIG_DFL: all zero
    unsigned long flags;
    void* restorer;
    uint64_t mask;
  } default_action{};
  for (int signal = 1; signal <= 64; ++signal) {
    if ((work.reset_signals >> (signal - 1)) & 1) {
      ::syscall(SYS_rt_sigaction, signal, &default_action, nullptr, sizeof default_action.mask);
    }
  }
  sigset_t none;
  sigemptyset(&none);
  if (::sigprocmask(SIG_SETMASK, &none, nullptr) != 0) {
    childFailed(work, SpawnStep::Signals, errno);
  }
  // execvp's rules: a directory where the program is not executable is remembered (EACCES)
  // and the search goes on; a missing one is skipped; any other error ends it.
  int error = ENOENT;
  bool denied = false;
  for (char* const* program = work.programs; *program != nullptr; ++program) {
    ::clock_gettime(CLOCK_MONOTONIC, &work.exec_at);
    ::execve(*program, work.argv, work.envp);
    error = errno;
    if (error == EACCES) {
      denied = true;
    } else if (error != ENOENT && error != ENOTDIR && error != ESTALE && error != ENODEV &&
               error != ETIMEDOUT) {
      childFailed(work, SpawnStep::Exec, error);
    }
  }
  childFailed(work, SpawnStep::Exec, denied ? EACCES : error);
}

// Mapped once, with a guard page below it, and reused: one child is on it at a time.
char* childStackTop() {
  static char* const top = [] {
    const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    void* base = ::mmap(nullptr, kStackSize + page, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (base == MAP_FAILED) return static_cast<char*>(nullptr);
    ::mprotect(base, page, PROT_NONE);
    return static_cast<char*>(base) + page + kStackSize;
  }();
  return top;
}

std::vector<std::string> programCandidates(const std::string& program) {
  if (program.empty() || program.find('/') != std::string::npos) return {program};
  const char* path = std::getenv("PATH");
  const std::string dirs = path != nullptr ? path : "/bin:/usr/bin";
  std::vector<std::string> out;
  for (size_t begin = 0;;) {
    const size_t end = dirs.find(':', begin);
    const std::string dir = dirs.substr(begin, end == std::string::npos ? end : end - begin);
    out.push_back((dir.empty() ? "." : dir) + "/" + program);  // empty: the current directory
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  return out;
}

std::vector<char*> cStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

SpawnResult spawnChild(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                       const ChildSetup& setup) {
  static std::mutex one_child_on_the_stack;
  if (argv.empty()) return {-1, SpawnStep::Exec, ENOENT};
  const auto candidates = programCandidates(argv[0]);
  const auto c_programs = cStrings(candidates);
  const auto c_argv = cStrings(argv);
  const auto c_env = cStrings(env);
  // SIGKILL and SIGSTOP cannot be changed.
  const ProcTable proc;
  const uint64_t changed_signals =
      proc.signalSets(proc.self(), {"SigIgn", "SigCgt"}).value_or(~uint64_t{0}) &
      ~((uint64_t{1} << (SIGKILL - 1)) | (uint64_t{1} << (SIGSTOP - 1)));
  ChildWork work{&setup, c_programs.data(), c_argv.data(), c_env.data(), changed_signals};

  const std::lock_guard lock(one_child_on_the_stack);
  char* stack = childStackTop();
  if (stack == nullptr) return {-1, SpawnStep::Clone, ENOMEM};
  // Nothing may reach a handler of hotpod's in the child before it has reset the dispositions
  // (glibc's posix_spawn does the same): all blocked across the clone, the child unblocks.
  sigset_t all, before;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &before);
  const pid_t pid = ::clone(childMain, stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &work);
  const int clone_error = errno;
  ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
  if (pid < 0) return {-1, SpawnStep::Clone, clone_error};
  if (work.failed_step != SpawnStep::None) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return {-1, work.failed_step, work.error};
  }
  // Under qemu-user the child is a copy (see spawn.h): its clock reading never reaches here.
  const bool child_wrote = work.exec_at.tv_sec != 0 || work.exec_at.tv_nsec != 0;
  const auto exec_at =
      child_wrote
          ? std::chrono::steady_clock::time_point(std::chrono::seconds(work.exec_at.tv_sec) +
                                                  std::chrono::nanoseconds(work.exec_at.tv_nsec))
          : std::chrono::steady_clock::now();
  return {pid, SpawnStep::None, 0, exec_at};
}

}  // namespace hotpod
