#include "http/connection_scheduler.h"

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <system_error>

namespace hotpod {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kSweepInterval{100};

// The length of the head (through the blank line that ends it), or 0 if it has not all arrived.
// Bare-LF line ends are accepted too, as the HTTP library accepts them.
size_t headLength(std::string_view bytes) {
  for (size_t i = bytes.find('\n'); i != std::string_view::npos; i = bytes.find('\n', i + 1)) {
    if (i + 1 < bytes.size() && bytes[i + 1] == '\n') return i + 2;
    if (i + 2 < bytes.size() && bytes[i + 1] == '\r' && bytes[i + 2] == '\n') return i + 3;
  }
  return 0;
}

void closeConnection(int fd) {
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
}

}  // namespace

bool isProbeRequest(std::string_view head) {
  bool probe_path = false;
  for (std::string_view path : {"GET /healthz", "GET /readyz"}) {
    if (head.starts_with(path) && head.size() > path.size() &&
        (head[path.size()] == ' ' || head[path.size()] == '?')) {
      probe_path = true;
    }
  }
  if (!probe_path) return false;
  // A body would let a slow client hold a probe worker: such requests wait with the others.
  std::string lower(head);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("\ncontent-length:") == std::string::npos &&
         lower.find("\ntransfer-encoding:") == std::string::npos;
}

ConnectionScheduler::ConnectionScheduler(SchedulerLimits limits, Serve serve)
    : limits_(limits),
      serve_(std::move(serve)),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      wakeup_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!epoll_ || !wakeup_) {
    throw std::system_error(errno, std::generic_category(),
                            "HTTP server: epoll/eventfd; raise the open-files limit (ulimit -n)");
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = wakeup_.get();
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wakeup_.get(), &event);
  peek_buffer_.resize(limits_.max_head_bytes);
  probes_.limit = limits_.probe_workers;
  others_.limit = limits_.workers;
  waiter_ = std::thread([this] { waitLoop(); });
}

ConnectionScheduler::~ConnectionScheduler() {
  stop();
}

void ConnectionScheduler::admit(int fd) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      admissions_.emplace_back(fd, 0);
      fd = -1;
    }
  }
  if (fd >= 0) return closeConnection(fd);
  wakeWaiter();
}

void ConnectionScheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  probes_.wake.notify_all();
  others_.wake.notify_all();
  wakeWaiter();
  if (waiter_.joinable()) waiter_.join();
  std::list<Worker> workers;
  {
    std::lock_guard lock(mutex_);
    workers.swap(workers_);  // no worker starts once stopping_ is set
  }
  for (auto& worker : workers) {
    if (worker.thread.joinable()) worker.thread.join();
  }
}

size_t ConnectionScheduler::threadCount() const {
  std::lock_guard lock(mutex_);
  return (waiter_.joinable() ? 1u : 0u) + static_cast<size_t>(probes_.workers + others_.workers);
}

bool ConnectionScheduler::spawnWorkerLocked(Queue& queue) {
  // Workers that ended are joined here (they hold no lock any more), not by themselves.
  std::erase_if(workers_, [](Worker& worker) {
    if (!worker.finished) return false;
    worker.thread.join();
    return true;
  });
  const auto self = workers_.emplace(workers_.end());
  try {
    self->thread = std::thread([this, &queue, self] { workLoop(queue, self); });
  } catch (const std::system_error&) {  // EAGAIN: out of threads; the workers alive serve it
    workers_.erase(self);
    return false;
  }
  ++queue.workers;
  return true;
}

void ConnectionScheduler::wakeWaiter() {
  const uint64_t one = 1;
  [[maybe_unused]] auto ignored = ::write(wakeup_.get(), &one, sizeof one);
}

void ConnectionScheduler::waitLoop() {
  ::pthread_setname_np(::pthread_self(), "http-waiting");  // in /proc/PID/task/*/comm
  epoll_event events[64];
  auto next_sweep = Clock::now() + kSweepInterval;
  while (true) {
    // Deadlines need a sweep only while connections wait; an empty room sleeps until admit().
    const int timeout = waiting_.empty() ? -1 : static_cast<int>(kSweepInterval.count());
    const int count = ::epoll_wait(epoll_.get(), events, 64, timeout);
    for (int i = 0; i < count; ++i) {
      const int fd = events[i].data.fd;
      if (fd != wakeup_.get()) {
        onReadable(fd, events[i].events);
        continue;
      }
      uint64_t ignored;
      [[maybe_unused]] auto r = ::read(wakeup_.get(), &ignored, sizeof ignored);
      drainAdmissions();
      std::lock_guard lock(mutex_);
      if (stopping_) {
        waiting_.clear();  // closes them
        return;
      }
    }
    const auto now = Clock::now();
    if (now >= next_sweep) {
      expire(now);
      next_sweep = now + kSweepInterval;
    }
  }
}

void ConnectionScheduler::drainAdmissions() {
  std::vector<std::pair<int, int>> admitted;
  {
    std::lock_guard lock(mutex_);
    admitted.swap(admissions_);
  }
  const auto now = Clock::now();
  for (const auto& [fd, served] : admitted) {
    if (waiting_.size() >= limits_.max_waiting) evictOldest();
    Waiting& entry = waiting_[fd];
    entry.fd.reset(fd);
    entry.admitted = ++admissions_count_;
    entry.deadline = now + limits_.idle_timeout;
    entry.served = served;
    // Edge-triggered: a peeked but incomplete head stays unread, and must not wake us again
    // until more of it arrives. Data already there is reported at once.
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    event.data.fd = fd;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) waiting_.erase(fd);
  }
}

void ConnectionScheduler::onReadable(int fd, uint32_t events) {
  const auto found = waiting_.find(fd);
  if (found == waiting_.end()) return;
  Waiting& entry = found->second;
  const ssize_t got = ::recv(fd, peek_buffer_.data(), peek_buffer_.size(), MSG_PEEK | MSG_DONTWAIT);
  if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (got <= 0) {
    waiting_.erase(found);  // the client left (or the socket failed): closes it
    return;
  }
  if (!entry.started) {
    entry.started = true;
    entry.deadline = Clock::now() + limits_.head_timeout;
  }
  const std::string_view bytes(peek_buffer_.data(), static_cast<size_t>(got));
  const size_t head = headLength(bytes);
  if (head == 0) {
    // Too large, or the client has stopped sending (shutdown or gone): it can never complete.
    const bool ended = (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
    if (ended || bytes.size() >= limits_.max_head_bytes) waiting_.erase(found);
    return;
  }
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  const Ready ready{entry.fd.release(), head, entry.served};
  waiting_.erase(found);
  enqueue(isProbeRequest(bytes.substr(0, head)) ? probes_ : others_, ready);
}

void ConnectionScheduler::expire(Clock::time_point now) {
  std::erase_if(waiting_, [now](const auto& item) { return item.second.deadline <= now; });
}

void ConnectionScheduler::evictOldest() {
  const auto oldest = std::min_element(
      waiting_.begin(), waiting_.end(),
      [](const auto& a, const auto& b) { return a.second.admitted < b.second.admitted; });
  if (oldest != waiting_.end()) waiting_.erase(oldest);
}

void ConnectionScheduler::enqueue(Queue& queue, Ready ready) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && queue.items.size() < limits_.max_queued) {
      queue.items.push_back(ready);
      if (static_cast<size_t>(queue.idle) < queue.items.size() && queue.workers < queue.limit &&
          !spawnWorkerLocked(queue) && queue.workers == 0) {
        queue.items.pop_back();  // no worker at all could start: shed it
      } else {
        queue.wake.notify_one();
        return;
      }
    }
  }
  closeConnection(ready.fd);  // shed: the client may retry
}

void ConnectionScheduler::workLoop(Queue& queue, std::list<Worker>::iterator self) {
  ::pthread_setname_np(::pthread_self(), &queue == &probes_ ? "http-probe" : "http-worker");
  while (true) {
    Ready ready{};
    {
      std::unique_lock lock(mutex_);
      ++queue.idle;
      const bool woken = queue.wake.wait_for(lock, limits_.worker_linger,
                                             [&] { return stopping_ || !queue.items.empty(); });
      --queue.idle;
      if (stopping_) {
        for (const auto& item : queue.items) closeConnection(item.fd);
        queue.items.clear();
      }
      if (stopping_ || !woken) {  // stopping, or idle for worker_linger: this worker ends
        --queue.workers;
        self->finished = true;
        return;
      }
      ready = queue.items.front();
      queue.items.pop_front();
    }
    bool keep_open = false;
    try {
      keep_open = serve_(ready.fd, ready.head_bytes, ready.served);
    } catch (const std::exception&) {
    }
    if (!keep_open) {
      closeConnection(ready.fd);
      continue;
    }
    {
      std::lock_guard lock(mutex_);
      if (!stopping_) {
        admissions_.emplace_back(ready.fd, ready.served + 1);
        ready.fd = -1;
      }
    }
    if (ready.fd >= 0) {
      closeConnection(ready.fd);
    } else {
      wakeWaiter();
    }
  }
}

}  // namespace hotpod
