#include "base/signal_source.h"

#include <signal.h>
#include <sys/signalfd.h>

#include <cerrno>

#include "base/syscalls.h"

namespace hotpod {

SignalSource::SignalSource(Reactor& reactor, const std::vector<int>& signals) : reactor_(reactor) {
  sigset_t mask;
  sigemptyset(&mask);
  for (int signal : signals) sigaddset(&mask, signal);
  if (::pthread_sigmask(SIG_BLOCK, &mask, nullptr) != 0) {
    throw sys::error(errno, "pthread_sigmask");
  }
  fd_.reset(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd_) throw sys::error(errno, "signalfd", "raise the open-files limit (ulimit -n)");
  reactor_.add(fd_.get(), EPOLLIN, [this](uint32_t) {
    signalfd_siginfo info;
    while (sys::ops().read(fd_.get(), &info, sizeof info) == sizeof info) {
      const int signal = static_cast<int>(info.ssi_signo);
      auto found = handlers_.find(signal);
      if (found != handlers_.end()) {
        found->second();
      } else if (otherwise_) {
        otherwise_(signal);
      }
    }
  });
}

SignalSource::~SignalSource() {
  reactor_.remove(fd_.get());
}

}  // namespace hotpod
