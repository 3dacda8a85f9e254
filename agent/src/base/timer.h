#pragma once
// A timerfd on the reactor: one-shot, re-armable, monotonic clock.
#include <chrono>
#include <functional>

#include "base/reactor.h"
#include "base/unique_fd.h"

namespace hotpod {

class Timer {
 public:
  using Clock = std::chrono::steady_clock;

  Timer(Reactor& reactor, std::function<void()> on_fire);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  void armAfter(std::chrono::nanoseconds delay);
  void armAt(Clock::time_point when);
  void disarm();
  bool armed() const { return armed_; }

 private:
  Reactor& reactor_;
  UniqueFd fd_;
  std::function<void()> on_fire_;
  bool armed_ = false;
};

}  // namespace hotpod
