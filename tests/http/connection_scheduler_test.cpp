// The waiting room in front of the HTTP workers, driven through real sockets.
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/connection_scheduler.h"

using namespace hotpod;
using namespace std::chrono_literals;

namespace {

struct Served {
  std::string head;
  int served_before = 0;
};

// Records what the workers were given; non-probe requests can be held until released.
struct Recorder {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<Served> requests;
  bool hold_others = false;
  bool keep_alive = false;
  // Failures on a worker thread, reported on the test's thread: a failing REQUIRE on a worker
  // throws where nothing catches it and ends the whole test binary.
  std::vector<std::string> worker_failures;

  // The scheduler (declared after its recorder) has joined its workers by now.
  ~Recorder() {
    for (const auto& failure : worker_failures) FAIL_CHECK(failure);
  }

  bool serve(int fd, size_t head_bytes, int served) {
    std::string head(head_bytes, '\0');
    const ssize_t got = ::recv(fd, head.data(), head_bytes, MSG_WAITALL);
    std::unique_lock lock(mutex);
    if (got != static_cast<ssize_t>(head_bytes)) {
      worker_failures.push_back("the worker read " + std::to_string(got) + " of " +
                                std::to_string(head_bytes) + " head bytes");
      changed.notify_all();
      return false;
    }
    requests.push_back({head, served});
    changed.notify_all();
    if (!isProbeRequest(head)) changed.wait(lock, [&] { return !hold_others; });
    [[maybe_unused]] auto sent = ::send(fd, "done", 4, MSG_NOSIGNAL);
    return keep_alive;
  }

  bool waitForCount(size_t count) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 10s, [&] { return requests.size() >= count; });
  }
};

struct SocketPair {
  int client = -1;
  int server = -1;
  SocketPair() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    client = fds[0];
    server = fds[1];
  }
  ~SocketPair() { ::close(client); }
  void send(const std::string& bytes) const {
    REQUIRE(::send(client, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(bytes.size()));
  }
  // What the server sent, until it closed the connection (10 s bound: only against hangs).
  std::string readUntilClosed() const {
    std::string all;
    char buffer[256];
    while (true) {
      pollfd entry{client, POLLIN, 0};
      if (::poll(&entry, 1, 10000) != 1) return all + "<timeout>";
      const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) return all;
      all.append(buffer, static_cast<size_t>(n));
    }
  }
};

ConnectionScheduler makeScheduler(Recorder& recorder, SchedulerLimits limits = {}) {
  return ConnectionScheduler(limits, [&recorder](int fd, size_t head, int served) {
    return recorder.serve(fd, head, served);
  });
}

}  // namespace

TEST_CASE("probe requests are recognised by method, path and the absence of a body") {
  CHECK(isProbeRequest("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  CHECK(isProbeRequest("GET /readyz?verbose=1 HTTP/1.1\r\n\r\n"));
  CHECK_FALSE(isProbeRequest("GET /healthzz HTTP/1.1\r\n\r\n"));
  CHECK_FALSE(isProbeRequest("POST /healthz HTTP/1.1\r\n\r\n"));
  CHECK_FALSE(isProbeRequest("GET /metrics HTTP/1.1\r\n\r\n"));
  CHECK_FALSE(isProbeRequest("GET /healthz HTTP/1.1\r\nContent-Length: 5\r\n\r\n"));
  CHECK_FALSE(isProbeRequest("GET /readyz HTTP/1.1\r\nTRANSFER-ENCODING: chunked\r\n\r\n"));
}

TEST_CASE("a head that arrives in pieces is served once, whole, and nothing after it") {
  Recorder recorder;
  auto scheduler = makeScheduler(recorder);
  SocketPair pair;
  scheduler.admit(pair.server);
  pair.send("GET /v1/status HTTP/1.1\r\n");
  pair.send("Host: x\r\n");
  pair.send("\r\nPOST /next");
  REQUIRE(recorder.waitForCount(1));
  CHECK(recorder.requests[0].head == "GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(pair.readUntilClosed() == "done");
}

TEST_CASE("probes are answered while every other worker is held by a slow request") {
  Recorder recorder;
  recorder.hold_others = true;
  SchedulerLimits limits;
  limits.workers = 1;
  limits.probe_workers = 1;
  auto scheduler = makeScheduler(recorder, limits);
  SocketPair busy;
  SocketPair queued;
  SocketPair probe;
  scheduler.admit(busy.server);
  scheduler.admit(queued.server);
  scheduler.admit(probe.server);
  busy.send("GET /metrics HTTP/1.1\r\n\r\n");
  REQUIRE(recorder.waitForCount(1));
  queued.send("GET /v1/status HTTP/1.1\r\n\r\n");
  probe.send("GET /healthz HTTP/1.1\r\n\r\n");
  CHECK(probe.readUntilClosed() == "done");
  {
    std::lock_guard lock(recorder.mutex);
    REQUIRE(recorder.requests.size() == 2);  // the metrics request, then the probe
    CHECK(recorder.requests[1].head.starts_with("GET /healthz"));
    recorder.hold_others = false;
  }
  recorder.changed.notify_all();
  CHECK(busy.readUntilClosed() == "done");
  CHECK(queued.readUntilClosed() == "done");
}

TEST_CASE("a head larger than the limit is closed without being served") {
  Recorder recorder;
  SchedulerLimits limits;
  limits.max_head_bytes = 1024;
  auto scheduler = makeScheduler(recorder, limits);
  SocketPair pair;
  scheduler.admit(pair.server);
  pair.send("GET / HTTP/1.1\r\nX-Filler: " + std::string(2000, 'a'));
  CHECK(pair.readUntilClosed().empty());
  std::lock_guard lock(recorder.mutex);
  CHECK(recorder.requests.empty());
}

TEST_CASE("a head that never ends and an idle connection are closed at their deadlines") {
  Recorder recorder;
  SchedulerLimits limits;
  limits.head_timeout = 200ms;
  limits.idle_timeout = 300ms;
  auto scheduler = makeScheduler(recorder, limits);
  SocketPair slow;
  SocketPair idle;
  scheduler.admit(slow.server);
  scheduler.admit(idle.server);
  slow.send("GET / HTTP/1.1\r\nX-Slow: ");
  CHECK(slow.readUntilClosed().empty());
  CHECK(idle.readUntilClosed().empty());
  std::lock_guard lock(recorder.mutex);
  CHECK(recorder.requests.empty());
}

TEST_CASE("a head cut short by the client's shutdown is closed at once, not at its deadline") {
  Recorder recorder;
  SchedulerLimits limits;
  limits.head_timeout = std::chrono::hours(1);  // only the shutdown can close it in time
  auto scheduler = makeScheduler(recorder, limits);
  SocketPair pair;
  scheduler.admit(pair.server);
  pair.send("GET /v1/status HTTP/1.1\r\nHost:");
  ::shutdown(pair.client, SHUT_WR);
  CHECK(pair.readUntilClosed().empty());
}

TEST_CASE("a kept-alive connection comes back for its next request") {
  Recorder recorder;
  recorder.keep_alive = true;
  auto scheduler = makeScheduler(recorder);
  SocketPair pair;
  scheduler.admit(pair.server);
  pair.send("GET /readyz HTTP/1.1\r\n\r\n");
  REQUIRE(recorder.waitForCount(1));
  pair.send("GET /v1/status HTTP/1.1\r\n\r\n");
  REQUIRE(recorder.waitForCount(2));
  std::lock_guard lock(recorder.mutex);
  CHECK(recorder.requests[0].served_before == 0);
  CHECK(recorder.requests[1].served_before == 1);
  CHECK(recorder.requests[1].head == "GET /v1/status HTTP/1.1\r\n\r\n");
}

TEST_CASE("more connections than the waiting room holds: the oldest waiting one goes") {
  Recorder recorder;
  SchedulerLimits limits;
  limits.max_waiting = 2;
  auto scheduler = makeScheduler(recorder, limits);
  SocketPair oldest;
  SocketPair middle;
  SocketPair newest;
  scheduler.admit(oldest.server);
  scheduler.admit(middle.server);
  scheduler.admit(newest.server);
  CHECK(oldest.readUntilClosed().empty());
  newest.send("GET /healthz HTTP/1.1\r\n\r\n");
  CHECK(newest.readUntilClosed() == "done");
}

TEST_CASE("an idle scheduler holds no workers: they start for requests and end when idle") {
  Recorder recorder;
  SchedulerLimits limits;
  limits.worker_linger = 50ms;
  auto scheduler = makeScheduler(recorder, limits);
  CHECK(scheduler.threadCount() == 1);  // the waiting room only
  SocketPair probe;
  SocketPair other;
  scheduler.admit(probe.server);
  scheduler.admit(other.server);
  probe.send("GET /healthz HTTP/1.1\r\n\r\n");
  other.send("GET /metrics HTTP/1.1\r\n\r\n");
  CHECK(probe.readUntilClosed() == "done");
  CHECK(other.readUntilClosed() == "done");
  CHECK(scheduler.threadCount() >= 2);
  CHECK(scheduler.threadCount() <= 3);  // one worker per queue was enough
  // Each worker ends worker_linger after its last request (bounded wait, not a timing claim).
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (scheduler.threadCount() > 1 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::yield();
  }
  CHECK(scheduler.threadCount() == 1);
  // And come back for the next request.
  SocketPair again;
  scheduler.admit(again.server);
  again.send("GET /v1/status HTTP/1.1\r\n\r\n");
  CHECK(again.readUntilClosed() == "done");
}
