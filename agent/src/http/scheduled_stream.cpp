#include "http/scheduled_stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hotpod {
namespace {

using Clock = std::chrono::steady_clock;

// Waits until fd is ready for `events`, at most `timeout`; retries on EINTR.
bool waitFor(int fd, short events, Clock::duration timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() < 0) return false;
    pollfd entry{fd, events, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
    if (ready > 0) return true;
    if (ready == 0 || errno != EINTR) return false;
  }
}

void describe(const sockaddr_storage& address, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    port = ntohs(v4.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    port = ntohs(v6.sin6_port);
  }
  ip = text;
}

}  // namespace

ScheduledStream::ScheduledStream(int fd, size_t head_bytes,
                                 std::chrono::milliseconds request_timeout)
    : fd_(fd), read_deadline_(Clock::now() + request_timeout) {
  // The scheduler saw the whole head in the socket: read exactly it, nothing of what follows.
  head_.resize(head_bytes);
  size_t got = 0;
  while (got < head_bytes) {
    const ssize_t n = ::recv(fd_, head_.data() + got, head_bytes - got, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  head_.resize(got);
}

bool ScheduledStream::is_readable() const {
  return head_read_ < head_.size() || waitFor(fd_, POLLIN, read_deadline_ - Clock::now());
}

bool ScheduledStream::is_writable() const {
  return waitFor(fd_, POLLOUT, kWriteTimeout);
}

ssize_t ScheduledStream::read(char* ptr, size_t size) {
  if (head_read_ < head_.size()) {
    const size_t n = std::min(size, head_.size() - head_read_);
    std::memcpy(ptr, head_.data() + head_read_, n);
    head_read_ += n;
    return static_cast<ssize_t>(n);
  }
  if (!waitFor(fd_, POLLIN, read_deadline_ - Clock::now())) return -1;
  ssize_t n;
  do {
    n = ::recv(fd_, ptr, size, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  return n;
}

ssize_t ScheduledStream::write(const char* ptr, size_t size) {
  if (!waitFor(fd_, POLLOUT, kWriteTimeout)) return -1;
  ssize_t n;
  do {
    n = ::send(fd_, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  return n;
}

void ScheduledStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    describe(address, ip, port);
  }
}

void ScheduledStream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    describe(address, ip, port);
  }
}

}  // namespace hotpod
