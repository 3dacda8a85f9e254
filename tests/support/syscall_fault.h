#pragma once
// Swaps one entry of the syscall seam (core/syscalls.h) for the lifetime of a scope, like fmt's
// posix-mock-test, so error paths that cannot be provoked for real are still exercised.
#include "base/syscalls.h"

namespace hotpod::testing {

template <typename Fn>
class SyscallFault {
 public:
  SyscallFault(Fn sys::Ops::*entry, Fn fake) : entry_(entry), saved_(sys::ops().*entry) {
    sys::ops().*entry_ = fake;
  }
  ~SyscallFault() { sys::ops().*entry_ = saved_; }
  SyscallFault(const SyscallFault&) = delete;
  SyscallFault& operator=(const SyscallFault&) = delete;

 private:
  Fn sys::Ops::*entry_;
  Fn saved_;
};

}  // namespace hotpod::testing
