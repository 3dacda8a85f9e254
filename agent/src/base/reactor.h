#pragma once
// The one epoll loop that owns every pipeline file descriptor. Only the thread that runs it
// touches pipeline state; other threads hand work to it with post().
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "base/unique_fd.h"

namespace hotpod {

class Reactor {
 public:
  using Handler = std::function<void(uint32_t events)>;

  Reactor();
  ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  // Registers fd (not owned) for epoll events (EPOLLIN …). Throws std::system_error.
  void add(int fd, uint32_t events, Handler handler);
  void remove(int fd);
  // Changes the events a registered fd is watched for (the handler stays).
  void modify(int fd, uint32_t events);

  // Runs until stop(); returns after the handler that called stop() finishes.
  void run();
  void stop() { running_ = false; }
  bool running() const { return running_; }

  // Runs on the loop thread at the end of every turn, before the loop waits again: for what
  // must follow whatever the turn's handlers did (one hook; nothing runs while the loop waits).
  void beforeWaiting(std::function<void()> hook) { before_waiting_ = std::move(hook); }

  // Thread-safe: runs task on the loop thread at its next turn.
  void post(std::function<void()> task);

  // How long the loop has been busy with one turn (what woke it, or the set-up before run()):
  // zero while it waits in epoll_wait, because a waiting loop is alive (whatever arrives, a
  // posted task included, wakes it). A liveness measure with no heartbeat: a loop that has
  // nothing to do wakes for nothing. Any thread.
  std::chrono::nanoseconds busyFor() const;

 private:
  struct Registration {
    uint32_t generation;
    std::shared_ptr<Handler> handler;
  };
  void drainPosted();

  UniqueFd epoll_;
  UniqueFd wake_;  // eventfd behind post()
  std::unordered_map<int, Registration> handlers_;
  std::function<void()> before_waiting_;
  uint32_t next_generation_ = 1;
  bool running_ = false;
  std::atomic<int64_t> busy_since_ns_;  // 0: waiting for events
  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
};

}  // namespace hotpod
