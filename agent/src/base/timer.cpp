#include "base/timer.h"

#include <sys/timerfd.h>

#include <cerrno>

#include "base/syscalls.h"

namespace hotpod {

Timer::Timer(Reactor& reactor, std::function<void()> on_fire)
    : reactor_(reactor),
      fd_(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK)),
      on_fire_(std::move(on_fire)) {
  if (!fd_) throw sys::error(errno, "timerfd_create", "raise the open-files limit (ulimit -n)");
  reactor_.add(fd_.get(), EPOLLIN, [this](uint32_t) {
    uint64_t expirations;
    if (::read(fd_.get(), &expirations, sizeof expirations) <= 0) return;  // disarmed meanwhile
    armed_ = false;
    on_fire_();
  });
}

Timer::~Timer() {
  reactor_.remove(fd_.get());
}

void Timer::armAt(Clock::time_point when) {
  // steady_clock is CLOCK_MONOTONIC on Linux, so its epoch is the timerfd's.
  const auto since_epoch =
      std::chrono::duration_cast<std::chrono::nanoseconds>(when.time_since_epoch());
  itimerspec spec{};
  spec.it_value.tv_sec = since_epoch.count() / 1'000'000'000;
  spec.it_value.tv_nsec = since_epoch.count() % 1'000'000'000;
  if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;
  ::timerfd_settime(fd_.get(), TFD_TIMER_ABSTIME, &spec, nullptr);
  armed_ = true;
}

void Timer::armAfter(std::chrono::nanoseconds delay) {
  if (delay.count() <= 0) delay = std::chrono::nanoseconds(1);
  armAt(Clock::now() + delay);
}

void Timer::disarm() {
  itimerspec spec{};
  ::timerfd_settime(fd_.get(), 0, &spec, nullptr);
  armed_ = false;
}

}  // namespace hotpod
