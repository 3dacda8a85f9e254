#pragma once
// Keeps slow and idle HTTP clients away from the worker threads, so that probes answer while
// hundreds of clients (or a slowloris) hold connections open.
//
// Accepted connections wait in one epoll thread until a whole request head has arrived (peeked,
// not read: the HTTP library parses it). Only then is the connection handed to a worker: to the
// probe workers for a bodiless GET /healthz or /readyz, to the other workers for everything else.
// A worker serves one request and gives a kept-alive connection back to the waiting room. Heads
// that take too long or grow too large, and connections idle for too long, are closed there, and
// the waiting room, the queues and the threads are all bounded.
//
// Nothing runs while nothing happens: the waiting room sleeps without a timeout while it is
// empty, and workers are started when a request needs one and end after `worker_linger` without
// work, so an idle server is one blocked thread here (plus the library's accept loop).
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/unique_fd.h"

namespace hotpod {

struct SchedulerLimits {
  size_t max_head_bytes = 16 * 1024;
  std::chrono::milliseconds head_timeout{5000};  // from the first byte to the end of the head
  std::chrono::milliseconds idle_timeout{5000};  // a connection with no request yet
  size_t max_waiting = 1024;  // connections in the waiting room (the oldest goes first)
  size_t max_queued = 1024;   // complete requests waiting for a worker (more are closed)
  int workers = 14;           // at most, for everything but probes
  int probe_workers = 2;      // at most, for probes
  std::chrono::milliseconds worker_linger{2000};  // an idle worker ends after this long
};

// Does this request head ask for a probe (GET /healthz or /readyz without a body)?
bool isProbeRequest(std::string_view head);

class ConnectionScheduler {
 public:
  // Serves the request whose head (head_bytes long) is waiting in the socket; returns whether
  // the connection stays open for another request. Called on a worker thread.
  using Serve = std::function<bool(int fd, size_t head_bytes, int requests_served)>;

  ConnectionScheduler(SchedulerLimits limits, Serve serve);
  ~ConnectionScheduler();  // stop()s
  ConnectionScheduler(const ConnectionScheduler&) = delete;
  ConnectionScheduler& operator=(const ConnectionScheduler&) = delete;

  // Takes ownership of an accepted socket. Any thread.
  void admit(int fd);
  // Closes every waiting connection and joins the threads once their requests are done.
  void stop();

  // Threads alive now: the waiting room's plus the workers serving or lingering.
  size_t threadCount() const;

 private:
  struct Waiting {
    UniqueFd fd;
    std::chrono::steady_clock::time_point deadline;
    uint64_t admitted = 0;  // order of arrival in the waiting room
    bool started = false;   // some bytes of the head have arrived
    int served = 0;
  };
  struct Ready {
    int fd;
    size_t head_bytes;
    int served;
  };
  struct Queue {
    std::deque<Ready> items;
    std::condition_variable wake;
    int limit = 0;    // workers at most
    int workers = 0;  // alive
    int idle = 0;     // waiting for an item
  };
  struct Worker {
    std::thread thread;
    bool finished = false;  // its loop has returned: join it
  };

  void waitLoop();
  void onReadable(int fd, uint32_t events);
  void expire(std::chrono::steady_clock::time_point now);
  void evictOldest();
  void enqueue(Queue& queue, Ready ready);
  void workLoop(Queue& queue, std::list<Worker>::iterator self);
  bool spawnWorkerLocked(Queue& queue);  // false: no thread could be started
  void wakeWaiter();
  void drainAdmissions();

  SchedulerLimits limits_;
  Serve serve_;
  UniqueFd epoll_;
  UniqueFd wakeup_;  // eventfd: new admissions, or stop
  std::thread waiter_;

  mutable std::mutex mutex_;  // guards the queues, workers_, admissions_ and stopping_
  std::list<Worker> workers_;
  Queue probes_;
  Queue others_;
  std::vector<std::pair<int, int>> admissions_;  // fd, requests already served on it
  bool stopping_ = false;

  // Owned by the waiter thread only.
  std::unordered_map<int, Waiting> waiting_;
  std::string peek_buffer_;
  uint64_t admissions_count_ = 0;
};

}  // namespace hotpod
