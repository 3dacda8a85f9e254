#include "base/reactor.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "base/log.h"
#include "base/syscalls.h"

namespace hotpod {
namespace {

// epoll's 64-bit cookie carries the fd and a generation, so that an event for an fd that was
// removed (and maybe reused) during the same batch is not delivered to the new owner.
uint64_t cookie(int fd, uint32_t generation) {
  return (static_cast<uint64_t>(generation) << 32) | static_cast<uint32_t>(fd);
}

int64_t monotonicNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::chrono::nanoseconds Reactor::busyFor() const {
  const int64_t since = busy_since_ns_.load(std::memory_order_acquire);
  if (since == 0) return std::chrono::nanoseconds(0);
  return std::chrono::nanoseconds(std::max<int64_t>(0, monotonicNanos() - since));
}

Reactor::Reactor() : epoll_(::epoll_create1(EPOLL_CLOEXEC)), busy_since_ns_(monotonicNanos()) {
  if (!epoll_) throw sys::error(errno, "epoll_create1", "raise the open-files limit (ulimit -n)");
  wake_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_) throw sys::error(errno, "eventfd", "raise the open-files limit (ulimit -n)");
  add(wake_.get(), EPOLLIN, [this](uint32_t) {
    uint64_t count;
    while (::read(wake_.get(), &count, sizeof count) > 0) {
    }
    drainPosted();
  });
}

Reactor::~Reactor() = default;

void Reactor::add(int fd, uint32_t events, Handler handler) {
  const uint32_t generation = next_generation_++;
  epoll_event event{};
  event.events = events;
  event.data.u64 = cookie(fd, generation);
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
    throw sys::error(errno, "epoll_ctl(ADD) for fd " + std::to_string(fd));
  }
  handlers_[fd] = {generation, std::make_shared<Handler>(log::keepService(std::move(handler)))};
}

void Reactor::modify(int fd, uint32_t events) {
  auto found = handlers_.find(fd);
  if (found == handlers_.end()) return;
  epoll_event event{};
  event.events = events;
  event.data.u64 = cookie(fd, found->second.generation);
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &event) != 0) {
    throw sys::error(errno, "epoll_ctl(MOD) for fd " + std::to_string(fd));
  }
}

void Reactor::remove(int fd) {
  if (handlers_.erase(fd) == 0) return;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

void Reactor::post(std::function<void()> task) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(log::keepService(std::move(task)));
  }
  const uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(wake_.get(), &one, sizeof one);
}

void Reactor::drainPosted() {
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard lock(posted_mutex_);
    tasks.swap(posted_);
  }
  for (auto& task : tasks) task();
}

void Reactor::run() {
  running_ = true;
  epoll_event events[64];
  while (running_) {
    busy_since_ns_.store(0, std::memory_order_release);
    const int ready = sys::ops().epoll_wait(epoll_.get(), events, 64, -1);
    busy_since_ns_.store(monotonicNanos(), std::memory_order_release);
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw sys::error(errno, "epoll_wait");
    }
    for (int i = 0; i < ready && running_; ++i) {
      const int fd = static_cast<int>(events[i].data.u64 & 0xffffffffu);
      const auto generation = static_cast<uint32_t>(events[i].data.u64 >> 32);
      auto found = handlers_.find(fd);
      if (found == handlers_.end() || found->second.generation != generation) continue;
      auto handler = found->second.handler;  // keeps it alive if it removes itself
      (*handler)(events[i].events);
    }
    if (before_waiting_ && running_) before_waiting_();
  }
}

}  // namespace hotpod
