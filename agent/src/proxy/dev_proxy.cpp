#include "proxy/dev_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "base/json_text.h"
#include "base/log.h"
#include "proxy/live_reload.h"
#include "proxy/probe_schedule.h"
#include "proxy/proxy_connection.h"

namespace hotpod {
namespace {

int connectLoopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 ||
      errno == EINPROGRESS) {
    return fd;
  }
  const int error = errno;
  ::close(fd);
  errno = error;
  return -1;
}

// Binds HOST:PORT without the resolver (a static binary has no NSS): IP literals and localhost.
UniqueFd listenOn(const ListenAddress& where) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const std::string host = where.host == "localhost" ? "127.0.0.1" : where.host;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(where.port));
    length = sizeof *v4;
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(where.port));
    length = sizeof *v6;
  } else {
    throw std::system_error(EINVAL, std::generic_category(),
                            "proxy.listen " + formatListenAddress(where) +
                                ": the host must be an IP address or localhost");
  }
  UniqueFd fd(::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  const int one = 1;
  if (!fd || ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      ::bind(fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0 ||
      ::listen(fd.get(), SOMAXCONN) != 0) {
    throw std::system_error(errno, std::generic_category(),
                            "proxy.listen " + formatListenAddress(where));
  }
  return fd;
}

}  // namespace

int pickFreePort() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (!fd || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::system_error(errno, std::generic_category(), "picking a port for the app");
  }
  return ntohs(address.sin_port);
}

void substitutePort(std::vector<std::string>& words, int port) {
  const std::string value = std::to_string(port);
  for (auto& word : words) {
    for (size_t at = word.find("{port}"); at != std::string::npos;
         at = word.find("{port}", at + value.size())) {
      word.replace(at, 6, value);
    }
  }
}

DevProxy::DevProxy(Reactor& reactor, const ProxyConfig& config, ProxyObserver observer)
    : reactor_(reactor),
      address_(parseListenAddress(config.listen).value_or(ListenAddress{})),
      hold_timeout_(config.hold_timeout),
      observer_(std::move(observer)),
      inject_(config.inject),
      listener_(listenOn(address_)),
      probe_timer_(reactor, [this] { probe(); }),
      hold_timer_(reactor, [this] { expireHeld(); }),
      drain_timer_(reactor, [this] { finishDrain(); }) {
  reactor_.add(listener_.get(), EPOLLIN, [this](uint32_t) { accept(); });
}

DevProxy::~DevProxy() {
  if (probe_fd_) reactor_.remove(probe_fd_.get());
  reactor_.remove(listener_.get());
}

void DevProxy::accept() {
  while (true) {
    const int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        log::warn("proxy_accept", std::string("proxy: accept failed: ") + std::strerror(errno));
      }
      return;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto connection = std::make_unique<ProxyConnection>(*this, reactor_, UniqueFd(fd));
    ProxyConnection& added = *connection;
    connections_.emplace(&added, std::move(connection));
    added.start();
  }
}

void DevProxy::dispatch(ProxyConnection& connection) {
  if (ready_) {
    held_.erase(&connection);
    connection.release();
    return;
  }
  if (!reason_.waiting) {
    connection.holdExpired();  // nothing is coming: say why at once
    return;
  }
  connection.noteHeld();
  log::debug("proxy_held", "proxy: holding a request: " + reason_.message,
             {{"reason", std::string(toString(reason_.kind))}});
  held_.emplace(&connection, connection.arrived() + hold_timeout_);
  armHoldTimer();
}

void DevProxy::unhold(ProxyConnection& connection) {
  held_.erase(&connection);
}

void DevProxy::closed(ProxyConnection& connection) {
  held_.erase(&connection);
  subscribers_.erase(&connection);
  // Destroyed after the handler that closed it has returned.
  reactor_.post([this, key = &connection] { connections_.erase(key); });
}

void DevProxy::armHoldTimer() {
  if (held_.empty()) return hold_timer_.disarm();
  auto earliest = Clock::time_point::max();
  for (const auto& [connection, deadline] : held_) earliest = std::min(earliest, deadline);
  hold_timer_.armAt(earliest);
}

void DevProxy::expireHeld() {
  const auto now = Clock::now();
  std::vector<ProxyConnection*> due;
  for (const auto& [connection, deadline] : held_) {
    if (deadline <= now) due.push_back(connection);
  }
  for (ProxyConnection* connection : due) {
    held_.erase(connection);
    connection->holdExpired();
  }
  armHoldTimer();
}

void DevProxy::serveFrom(int port, std::string version) {
  ++generation_;
  port_ = port;
  version_ = std::move(version);
  ready_ = false;
  probing_since_ = Clock::now();
  probe();
}

void DevProxy::readyOn(int port, std::string version) {
  if (port != port_) {
    ++generation_;
    port_ = port;
  }
  version_ = std::move(version);
  probe_timer_.disarm();
  if (probe_fd_) {
    reactor_.remove(probe_fd_.get());
    probe_fd_.reset();
  }
  becomeReady();
}

void DevProxy::hold(HoldReason why) {
  if (why.kind == HoldReason::Kind::Stopping) {
    drain_then_ = nullptr;
    drain_timer_.disarm();
  }
  reason_ = std::move(why);
  ready_ = false;
  port_ = 0;
  version_.clear();
  ++generation_;
  probe_timer_.disarm();
  if (probe_fd_) {
    reactor_.remove(probe_fd_.get());
    probe_fd_.reset();
  }
  // Held requests that nothing will answer are told so now.
  if (!reason_.waiting) {
    for (auto* connection : [this] {
           std::vector<ProxyConnection*> all;
           for (const auto& entry : held_) all.push_back(entry.first);
           return all;
         }()) {
      held_.erase(connection);
      connection->holdExpired();
    }
    armHoldTimer();
  }
}

size_t DevProxy::answeringCount() const {
  size_t answering = 0;
  for (const auto& [key, connection] : connections_) answering += connection->answering();
  return answering;
}

void DevProxy::holdThen(HoldReason why, std::function<void()> then) {
  hold(std::move(why));
  const size_t answering = answeringCount();
  if (answering == 0) return then();
  log::info("proxy_draining",
            "proxy: " + std::to_string(answering) +
                " answer(s) under way; the app restarts once they are through (at most " +
                std::to_string(kDrainLimit.count()) + " ms)",
            {{"answering", static_cast<int64_t>(answering)}});
  // A second restart while answers are under way replaces the first; the limit still counts
  // from the first (a run of restarts must not hold requests for ever).
  if (!drain_then_) {
    drain_began_ = Clock::now();
    drain_timer_.armAfter(kDrainLimit);
  }
  drain_then_ = std::move(then);
}

void DevProxy::finishDrainIfIdle() {
  if (answeringCount() == 0) finishDrain();
}

void DevProxy::finishDrain() {
  drain_timer_.disarm();
  auto then = std::exchange(drain_then_, nullptr);
  if (!then) return;
  if (const size_t answering = answeringCount(); answering > 0) {
    log::info(
        "proxy_drain_cut",
        "proxy: " + std::to_string(answering) + " answer(s) still under way after " +
            std::to_string(kDrainLimit.count()) + " ms; the app restarts anyway",
        {{"answering", static_cast<int64_t>(answering)},
         {"waited_ms", static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                Clock::now() - drain_began_)
                                                .count())}});
  }
  then();
}

void DevProxy::explain(HoldReason why) {
  if (ready_) return;
  const bool still_waiting = why.waiting;
  reason_ = std::move(why);
  if (!still_waiting && port_ == 0) hold(reason_);
}

void DevProxy::probe() {
  if (probe_fd_) {
    reactor_.remove(probe_fd_.get());
    probe_fd_.reset();
  }
  if (port_ == 0 || ready_) return;
  const int fd = connectLoopback(port_);
  if (fd < 0) return onProbeResult(false);
  probe_fd_.reset(fd);
  reactor_.add(fd, EPOLLOUT, [this](uint32_t) {
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(probe_fd_.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    reactor_.remove(probe_fd_.get());
    probe_fd_.reset();
    onProbeResult(error == 0);
  });
}

void DevProxy::onProbeResult(bool accepted) {
  if (accepted) return becomeReady();
  probe_timer_.armAfter(probeRetryDelay(Clock::now() - probing_since_));
}

void DevProxy::becomeReady() {
  ready_ = true;
  log::info("proxy_ready",
            "proxy: sending requests to 127.0.0.1:" + std::to_string(port_) +
                (held_.empty() ? "" : " (" + std::to_string(held_.size()) + " held)"),
            {{"port", int64_t{port_}}, {"held", static_cast<int64_t>(held_.size())}});
  if (observer_.ready) observer_.ready(port_);
  // Pages reload once a new version answers (not when its build starts), once per version.
  if (announced_generation_ != generation_) {
    announced_generation_ = generation_;
    failure_.reset();
    broadcast(serverSentEvent("reload", std::to_string(port_)));
  }
  std::vector<ProxyConnection*> waiting;
  for (const auto& entry : held_) waiting.push_back(entry.first);
  held_.clear();
  hold_timer_.disarm();
  for (ProxyConnection* connection : waiting) connection->release();
}

void DevProxy::serveOwn(ProxyConnection& connection, std::string_view path) {
  if (path != "/__hotpod/events") return connection.answerOwn(ownAnswer(path));
  subscribers_.insert(&connection);
  log::debug("proxy_subscribed", "proxy: a page listens for reloads",
             {{"pages", static_cast<int64_t>(subscribers_.size())}});
  connection.subscribe(eventStreamHead() +
                       (failure_ ? serverSentEvent("failed", *failure_) : std::string()));
}

void DevProxy::broadcast(const std::string& event) {
  const std::vector<ProxyConnection*> all(subscribers_.begin(), subscribers_.end());
  for (ProxyConnection* connection : all) connection->push(event);
}

void DevProxy::announceFailure(const std::string& message, const std::string& output) {
  failure_ = jsonText({{"message", message}, {"output", output}});
  broadcast(serverSentEvent("failed", *failure_));
}

void DevProxy::noteBlockedByPolicy(const std::string& why) {
  if (std::exchange(told_policy_, true)) return;
  log::info("proxy_no_inject",
            "proxy: an HTML page's Content-Security-Policy would block the live-reload script (" +
                why + "): it is left out of such pages (reload them by hand)",
            {{"why", why}});
}

void DevProxy::noteTooLarge() {
  if (std::exchange(told_too_large_, true)) return;
  log::info("proxy_inject_too_large",
            "proxy: an HTML page is longer than " + std::to_string(kInjectMaxBytes >> 20) +
                " MiB: it passes unchanged, without the live-reload script (reload by hand)",
            {{"limit_bytes", static_cast<int64_t>(kInjectMaxBytes)}});
}

int DevProxy::connectUpstream() const {
  return port_ > 0 ? connectLoopback(port_) : -1;
}

void DevProxy::upstreamFailed(uint64_t generation) {
  if (generation != generation_ || !ready_) return;
  ready_ = false;
  probing_since_ = Clock::now();
  probe();
}

}  // namespace hotpod
