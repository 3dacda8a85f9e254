// The reactor's liveness measure: busy while a turn runs, zero while it waits (no heartbeat).
#include "base/reactor.h"

#include <doctest/doctest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

using namespace hotpod;
using namespace std::chrono_literals;

namespace {

// A one-way gate between the test's thread and the loop's.
struct Gate {
  std::mutex mutex;
  std::condition_variable changed;
  bool open = false;
  void release() {
    std::lock_guard lock(mutex);
    open = true;
    changed.notify_all();
  }
  bool wait() {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 10s, [&] { return open; });
  }
};

}  // namespace

TEST_CASE("reactor: a turn that does not return is busy; a loop that waits is not") {
  Reactor reactor;
  std::thread loop([&] { reactor.run(); });
  Gate entered;
  Gate leave;
  reactor.post([&] {
    entered.release();
    leave.wait();  // a stuck handler, until the test lets it go
  });
  REQUIRE(entered.wait());
  const auto first = reactor.busyFor();
  CHECK(first > 0ns);
  CHECK(reactor.busyFor() >= first);  // it grows while the turn lasts
  leave.release();
  // Back in epoll_wait: zero, however long it then waits (bounded only against a hang).
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (reactor.busyFor() > 0ns && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::yield();
  }
  CHECK(reactor.busyFor() == 0ns);
  reactor.post([&] { reactor.stop(); });
  loop.join();
}

TEST_CASE("reactor: the hook runs after every turn, on the loop thread") {
  Reactor reactor;
  int turns = 0;
  bool on_loop = true;
  const auto loop_thread = std::this_thread::get_id();
  reactor.beforeWaiting([&] {
    ++turns;
    on_loop = on_loop && std::this_thread::get_id() == loop_thread;
  });
  reactor.post([&] { reactor.post([&] { reactor.stop(); }); });
  reactor.run();
  CHECK(turns == 1);  // the second turn stopped the loop: no hook after it
  CHECK(on_loop);
}
