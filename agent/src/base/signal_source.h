#pragma once
// Delivers signals to the reactor through a signalfd, so no handler runs in signal context.
// The signals are blocked in the calling thread; call before starting other threads so they
// inherit the mask.
#include <functional>
#include <map>
#include <vector>

#include "base/reactor.h"
#include "base/unique_fd.h"

namespace hotpod {

class SignalSource {
 public:
  SignalSource(Reactor& reactor, const std::vector<int>& signals);
  ~SignalSource();
  SignalSource(const SignalSource&) = delete;
  SignalSource& operator=(const SignalSource&) = delete;

  void on(int signal, std::function<void()> handler) { handlers_[signal] = std::move(handler); }
  // For every signal of the set that has no handler of its own.
  void otherwise(std::function<void(int)> handler) { otherwise_ = std::move(handler); }

 private:
  Reactor& reactor_;
  UniqueFd fd_;
  std::map<int, std::function<void()>> handlers_;
  std::function<void(int)> otherwise_;
};

}  // namespace hotpod
