#include "base/syscalls.h"

#include <signal.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

// glibc 2.36's <sys/pidfd.h> lacks extern "C" guards.
extern "C" {
#include <sys/pidfd.h>
}

namespace hotpod::sys {
namespace {

// Through syscall(2) so that a kernel without pidfds gives ENOSYS rather than a link error.
int pidfdOpen(pid_t pid, unsigned int flags) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, flags));
}
int pidfdSendSignal(int pidfd, int sig, siginfo_t* info, unsigned int flags) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags));
}

const Ops kRealOps{
    ::inotify_init1, ::inotify_add_watch, ::inotify_rm_watch, ::read,
    ::epoll_wait,    pidfdOpen,           pidfdSendSignal,    ::kill,
};

}  // namespace

const Ops& realOps() {
  return kRealOps;
}

Ops& ops() {
  static Ops current = kRealOps;
  return current;
}

std::system_error error(int err, const std::string& what, const std::string& advice) {
  std::string message = what;
  if (!advice.empty()) message += " (" + advice + ")";
  return std::system_error(err, std::generic_category(), message);
}

}  // namespace hotpod::sys
