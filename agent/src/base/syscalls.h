#pragma once
// The seam between hotpod and the kernel for the calls whose failures matter (ENOSPC, EMFILE,
// EINTR, EPERM, ENOSYS). Production code calls sys::ops().X; tests swap an entry for a fake that
// returns an error (see tests/support/syscall_fault.h), like fmt's posix-mock-test.
#include <signal.h>
#include <sys/epoll.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <system_error>

namespace hotpod::sys {

struct Ops {
  int (*inotify_init1)(int flags);
  int (*inotify_add_watch)(int fd, const char* path, uint32_t mask);
  int (*inotify_rm_watch)(int fd, int wd);
  ssize_t (*read)(int fd, void* buf, size_t count);
  int (*epoll_wait)(int epfd, struct epoll_event* events, int maxevents, int timeout);
  int (*pidfd_open)(pid_t pid, unsigned int flags);
  int (*pidfd_send_signal)(int pidfd, int sig, siginfo_t* info, unsigned int flags);
  int (*kill)(pid_t pid, int sig);
};

// The table in use; tests replace entries and restore them afterwards.
Ops& ops();
// The real kernel calls.
const Ops& realOps();

// A std::system_error for errno whose message says what failed and what to do about it.
std::system_error error(int err, const std::string& what, const std::string& advice = {});

}  // namespace hotpod::sys
