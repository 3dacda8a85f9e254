#include "proxy/readiness_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "proxy/probe_schedule.h"

namespace hotpod {
namespace {
constexpr std::chrono::milliseconds kAttemptTimeout{1000};
}  // namespace

std::string healthPath(const std::string& url) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

ReadinessProbe::ReadinessProbe(Reactor& reactor, int port, std::string health_path,
                               Duration timeout, Done done)
    : reactor_(reactor),
      port_(port),
      path_(std::move(health_path)),
      started_(Clock::now()),
      deadline_(started_ + timeout),
      done_(std::move(done)),
      timer_(reactor, [this] { onTimer(); }) {
  attempt();
}

ReadinessProbe::~ReadinessProbe() {
  closeSocket();
}

void ReadinessProbe::closeSocket() {
  if (!fd_) return;
  reactor_.remove(fd_.get());
  fd_.reset();
  connected_ = false;
}

void ReadinessProbe::attempt() {
  if (finished_) return;
  closeSocket();
  fd_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd_) return failedAttempt(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port_));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 &&
      errno != EINPROGRESS) {
    return failedAttempt(std::string("connect: ") + std::strerror(errno));
  }
  codec_.next();
  out_ = path_.empty() ? std::string()
                       : "GET " + path_ + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
                             "\r\nUser-Agent: hotpod-proxy\r\nConnection: close\r\n\r\n";
  reactor_.add(fd_.get(), EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
               [this](uint32_t events) { onEvent(events); });
  attempt_started_ = Clock::now();
  timer_.armAt(std::min(attempt_started_ + kAttemptTimeout, deadline_));
}

void ReadinessProbe::onEvent(uint32_t events) {
  if (!fd_ || finished_) return;
  if (!connected_) {
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) return failedAttempt(std::string("connect: ") + std::strerror(error));
    if (!(events & EPOLLOUT)) return;
    connected_ = true;
    if (path_.empty()) return finish(true, "accepts connections");
  }
  while (!out_.empty()) {
    const ssize_t sent = ::send(fd_.get(), out_.data(), out_.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EAGAIN) return;
    if (sent < 0) return failedAttempt(std::string("send: ") + std::strerror(errno));
    out_.erase(0, static_cast<size_t>(sent));
  }
  char buffer[4096];
  while (true) {
    const ssize_t count = ::recv(fd_.get(), buffer, sizeof buffer, 0);
    if (count < 0 && errno == EAGAIN) return;
    if (count <= 0) return failedAttempt("the connection closed before an answer");
    codec_.feed({buffer, static_cast<size_t>(count)});
    if (codec_.headersDone()) {
      const int status = codec_.status();
      if (status >= 200 && status < 300)
        return finish(true, "GET " + path_ + " answered " + std::to_string(status));
      return failedAttempt("GET " + path_ + " answered " + std::to_string(status));
    }
  }
}

void ReadinessProbe::onTimer() {
  if (finished_) return;
  if (fd_) {
    closeSocket();
    // An attempt cut short by the deadline says nothing new: the last one that ended (the
    // health URL's 503, say) is the reason, unless none did.
    if (Clock::now() - attempt_started_ >= kAttemptTimeout || last_ == kNoAttempt) {
      last_ = "no answer within " + std::to_string(kAttemptTimeout.count()) + " ms";
    }
  }
  if (Clock::now() >= deadline_) return finish(false, last_);
  attempt();
}

void ReadinessProbe::failedAttempt(std::string why) {
  closeSocket();
  last_ = std::move(why);
  if (Clock::now() >= deadline_) return finish(false, last_);
  const auto now = Clock::now();
  timer_.armAt(std::min(now + probeRetryDelay(now - started_), deadline_));
}

void ReadinessProbe::finish(bool ready, const std::string& detail) {
  finished_ = true;
  closeSocket();
  timer_.disarm();
  if (auto done = std::move(done_)) done(ready, detail);
}

}  // namespace hotpod
