#include "proxy/proxy_connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "base/log.h"
#include "proxy/dev_proxy.h"
#include "proxy/hold_reason.h"
#include "proxy/live_reload.h"

namespace hotpod {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
// A request body is kept for a retry up to this size; beyond it, it is only streamed.
constexpr size_t kRetryKeep = 1 << 20;
// Stop reading one side while this much waits to be written to the other (back-pressure).
constexpr size_t kBacklog = 256 * 1024;
// A version that accepts and drops every request is not retried for ever.
constexpr int kMaxRetries = 20;
// Readable always; writable only while bytes wait (else every ACK would wake the loop).
constexpr uint32_t kRead = EPOLLIN | EPOLLRDHUP | EPOLLET;
constexpr uint32_t kReadWrite = kRead | EPOLLOUT;
constexpr uint32_t kHangup = EPOLLRDHUP | EPOLLHUP | EPOLLERR;
// A short read emptied the socket (epoll(7)): later bytes wake the loop again, so no recv for
// EAGAIN (2 of 6 syscalls a request). Not after a hang-up: its edge is spent, read to the EOF.
bool drained(ssize_t count, bool hangup) {
  return static_cast<size_t>(count) < kReadChunk && !hangup;
}

}  // namespace

ProxyConnection::~ProxyConnection() {
  if (client_) reactor_.remove(client_.get());
  if (upstream_) reactor_.remove(upstream_.get());
}

void ProxyConnection::start() {
  // No read here: epoll_ctl(ADD) reports bytes that came with the connection.
  reactor_.add(client_.get(), kRead, [this](uint32_t events) {
    onClient(events);
    proxy_.afterEvent();
  });
}

void ProxyConnection::onClient(uint32_t events) {
  if (state_ == State::Closed) return;
  if (events & kHangup) client_hangup_ = true;
  if (events & EPOLLOUT) flushClient();
  if (state_ == State::Closed) return;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) readClient();
}

bool ProxyConnection::clientPaused() const {
  // One request at a time: the next one waits in in_ until this answer is through.
  return (request_done_ && state_ != State::Tunnel && in_.size() >= kBacklog) ||
         (state_ == State::Held && request_.size() >= kRetryKeep) ||
         to_upstream_.size() >= kBacklog || state_ == State::Closing;
}

void ProxyConnection::readClient() {
  while (state_ != State::Closed && !client_eof_) {
    if (clientPaused()) {
      client_unread_ = true;
      return;
    }
    client_unread_ = false;
    char buffer[kReadChunk];
    const ssize_t count = ::recv(client_.get(), buffer, sizeof buffer, 0);
    if (count > 0) {
      in_.append(buffer, static_cast<size_t>(count));
      parseRequest();
      if (drained(count, client_hangup_)) return;
      continue;
    }
    if (count < 0 && errno == EINTR) continue;
    if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    client_eof_ = true;  // closed, or reset
    if (state_ == State::Tunnel) {
      if (upstream_ && to_upstream_.empty()) ::shutdown(upstream_.get(), SHUT_WR);
      if (count < 0) close();
      return;
    }
    // Nothing asked, or the client gave up on its question: nothing more to do.
    if (state_ == State::Head || state_ == State::Held || state_ == State::Subscriber ||
        count < 0) {
      close();
    }
  }
}

void ProxyConnection::parseRequest() {
  while (state_ != State::Closed && !in_.empty()) {
    if (state_ == State::Tunnel) {
      sendToUpstream(in_);
      in_.clear();
      return;
    }
    if (state_ == State::Subscriber) return in_.clear();
    if (request_done_) return;  // the next request waits for this answer
    const auto step = request_codec_.feed(in_);
    if (step.failed) {
      answerAndClose(badGatewayAnswer("not an HTTP/1 request: " + request_codec_.error()),
                     "bad request", proxy_.servingVersion());
      return;
    }
    const std::string_view part(in_.data(), step.consumed);
    if (retryable_) request_.append(part);
    if (state_ == State::Exchanging) {
      sendToUpstream(part);
      if (retryable_ && request_.size() > kRetryKeep) {
        retryable_ = false;  // too big to keep: streamed only
        request_.clear();
      }
    }
    in_.erase(0, step.consumed);
    if (step.complete) request_done_ = true;
    if (state_ == State::Head && request_codec_.headersDone()) {
      arrived_ = Clock::now();
      response_codec_.expectNoBody(request_codec_.method() == "HEAD");
      state_ = State::Held;
      if (request_codec_.url().starts_with(kOwnPathPrefix)) {
        proxy_.serveOwn(*this, request_codec_.url());
        return;
      }
      proxy_.dispatch(*this);
    }
    if (step.consumed == 0 && !step.complete) return;
  }
}

void ProxyConnection::release() {
  if (state_ != State::Held) return;
  if (was_held_ && proxy_.observer().held) {
    proxy_.observer().held(Clock::now() - arrived_, proxy_.version());
  }
  was_held_ = false;
  state_ = State::Exchanging;
  response_started_ = false;
  if (upstream_ && upstream_generation_ == proxy_.generation() && upstream_connected_) {
    upstream_reused_ = true;
  } else {
    closeUpstream();
    upstream_reused_ = false;
    upstream_version_ = proxy_.version();
    const int fd = proxy_.connectUpstream();
    if (fd < 0) return retryOrFail("connect");
    upstream_.reset(fd);
    upstream_generation_ = proxy_.generation();
    // Sent at once (on loopback the handshake is over when connect() says EINPROGRESS).
    reactor_.add(fd, kRead, [this](uint32_t events) {
      onUpstream(events);
      proxy_.afterEvent();
    });
  }
  response_codec_.allowInjection(proxy_.injecting() && request_codec_.method() == "GET",
                                 kInjectMaxBytes);
  to_upstream_ = request_;  // held requests are whole (the client pauses at kRetryKeep)
  flushUpstream();
}

void ProxyConnection::holdExpired() {
  if (state_ != State::Held) return;
  const auto waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - arrived_).count();
  answerAndClose(holdAnswer(proxy_.reason(), request_codec_.accept(), waited),
                 toString(proxy_.reason().kind), proxy_.servingVersion());
}

void ProxyConnection::onUpstream(uint32_t events) {
  if (state_ == State::Closed || !upstream_) return;
  if (!upstream_connected_ && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(upstream_.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) return retryOrFail("connect");
    upstream_connected_ = true;
  }
  if (events & kHangup) upstream_hangup_ = true;
  if (events & EPOLLOUT) flushUpstream();
  if (state_ == State::Closed || !upstream_) return;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) readUpstream();
}

void ProxyConnection::readUpstream() {
  while (upstream_ && state_ != State::Closed) {
    if (to_client_.size() >= kBacklog) {
      upstream_unread_ = true;
      return;
    }
    upstream_unread_ = false;
    char buffer[kReadChunk];
    const ssize_t count = ::recv(upstream_.get(), buffer, sizeof buffer, 0);
    if (count > 0) {
      onResponseBytes(buffer, static_cast<size_t>(count));
      if (drained(count, upstream_hangup_)) return;
      continue;
    }
    if (count < 0 && errno == EINTR) continue;
    if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    upstreamEnded(count < 0);
    return;
  }
}

void ProxyConnection::onResponseBytes(const char* data, size_t size) {
  if (state_ == State::Tunnel) return sendToClient({data, size});
  if (state_ != State::Exchanging) {  // an idle connection the app talks on: not HTTP/1.1
    closeUpstream();
    return;
  }
  response_started_ = true;
  request_.clear();  // answered: no retry any more
  retryable_ = false;
  const auto step = response_codec_.feed({data, size});
  if (step.interim) {  // 100 Continue: on at once (the client may wait for it), then the rest
    response_head_.append(data, step.consumed);
    sendToClient(std::exchange(response_head_, {}));
    if (step.consumed < size) onResponseBytes(data + step.consumed, size - step.consumed);
    return;
  }
  if (!step.failed && (!response_codec_.headersDone() || response_codec_.injectable())) {
    // Kept raw until the head decides between pass-through and injection, and while a page
    // to inject into is kept: if it grows over the limit, what came so far goes on unchanged.
    response_head_.append(data, size);
    if (!step.complete) return;
  } else {
    if (response_codec_.blockedByPolicy()) {
      proxy_.noteBlockedByPolicy(response_codec_.policyProblem());
    }
    if (response_codec_.tooLarge()) proxy_.noteTooLarge();
    sendToClient(response_head_);
    std::string().swap(response_head_);
    sendToClient({data, size});
  }
  if (state_ == State::Closed) return;
  if (step.failed) {
    if (proxy_.observer().failed) proxy_.observer().failed("bad response", upstream_version_);
    state_ = State::Closing;
    closeUpstream();
    flushClient();
    return;
  }
  if (!step.complete) return;
  deliverInjected();
  if (response_codec_.upgrade()) {
    state_ = State::Tunnel;
    if (!in_.empty()) parseRequest();  // what the client sent after its upgrade request
    if (client_eof_ && upstream_) ::shutdown(upstream_.get(), SHUT_WR);
    return;
  }
  finishExchange(response_codec_.keepAlive());
}

void ProxyConnection::upstreamEnded(bool reset) {
  if (state_ == State::Tunnel) {
    closeUpstream();
    state_ = State::Closing;
    flushClient();
    return;
  }
  if (state_ != State::Exchanging) {  // the app closed an idle connection: fine
    closeUpstream();
    return;
  }
  if (!response_started_) return retryOrFail(reset ? "reset" : "closed");
  const auto step = response_codec_.finish();
  if (step.complete && !reset) {
    deliverInjected();
    return finishExchange(false);
  }
  // Cut off mid-answer: the client sees the connection end (it cannot be retried unseen).
  if (proxy_.observer().failed) proxy_.observer().failed("cut off", upstream_version_);
  closeUpstream();
  state_ = State::Closing;
  flushClient();
}

void ProxyConnection::retryOrFail(const char* what) {
  const bool safe =
      std::string_view(what) == "connect" || request_codec_.idempotent() || upstream_reused_;
  closeUpstream();
  if (retryable_ && safe && ++retries_ <= kMaxRetries) {
    // Held again: sent once a version accepts connections (the same one, restarted, or the next).
    proxy_.upstreamFailed(upstream_generation_);
    state_ = State::Held;
    proxy_.dispatch(*this);
    return;
  }
  answerAndClose(badGatewayAnswer(std::string("the app ") + what +
                                  " the connection before "
                                  "answering, and the request cannot be sent again"),
                 "dropped", upstream_version_);
}

void ProxyConnection::deliverInjected() {
  std::string().swap(response_head_);
  if (!response_codec_.injectable()) return;
  std::string blocked;
  sendToClient(injectedResponse(response_codec_, blocked));
  if (!blocked.empty()) proxy_.noteBlockedByPolicy(blocked);
}

void ProxyConnection::finishExchange(bool upstream_keeps_alive) {
  if (proxy_.observer().proxied) proxy_.observer().proxied(upstream_version_);
  if (!upstream_keeps_alive) closeUpstream();
  if (!request_codec_.keepAlive() || !upstream_keeps_alive || client_eof_ || !request_done_) {
    state_ = State::Closing;
    flushClient();
    return;
  }
  state_ = State::Head;
  request_codec_.next();
  response_codec_.next();
  request_.clear();
  retryable_ = true;
  retries_ = 0;
  request_done_ = false;
  response_started_ = false;
  parseRequest();
  if (client_unread_) readClient();
}

void ProxyConnection::flushClient() {
  while (!to_client_.empty() && client_) {
    const ssize_t count = ::send(client_.get(), to_client_.data(), to_client_.size(), MSG_NOSIGNAL);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return close();  // went away
    // Less than all: the socket is full, as EAGAIN would say (epoll(7)); wait for room.
    const size_t sent = count < 0 ? 0 : static_cast<size_t>(count);
    const bool full = sent < to_client_.size();
    to_client_.erase(0, sent);
    if (full) return watchWrites(client_.get(), client_wants_write_, true);
  }
  if (client_) watchWrites(client_.get(), client_wants_write_, false);
  if (state_ == State::Closing) return close();
  if (upstream_unread_) readUpstream();
}

void ProxyConnection::flushUpstream() {
  while (!to_upstream_.empty() && upstream_) {
    // Also while connecting: a socket still in the handshake says EAGAIN, a refused one fails.
    const ssize_t count =
        ::send(upstream_.get(), to_upstream_.data(), to_upstream_.size(), MSG_NOSIGNAL);
    if (count < 0 && errno == EINTR) continue;
    const bool again = count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    if (count < 0 && !again) {
      return upstream_connected_ ? upstreamEnded(true) : retryOrFail("connect");
    }
    if (!again) upstream_connected_ = true;  // it took bytes
    const size_t sent = again ? 0 : static_cast<size_t>(count);
    const bool full = sent < to_upstream_.size();
    to_upstream_.erase(0, sent);
    if (full) return watchWrites(upstream_.get(), upstream_wants_write_, true);
  }
  if (upstream_ && upstream_connected_) watchWrites(upstream_.get(), upstream_wants_write_, false);
  if (to_upstream_.empty() && client_unread_ && state_ != State::Closed) readClient();
}

void ProxyConnection::watchWrites(int fd, bool& watching, bool want) {
  if (watching == want) return;
  watching = want;
  reactor_.modify(fd, want ? kReadWrite : kRead);
}

void ProxyConnection::answerAndClose(const std::string& response, std::string_view failure,
                                     std::string_view version) {
  if (proxy_.observer().failed) proxy_.observer().failed(failure, version);
  proxy_.unhold(*this);
  closeUpstream();
  state_ = State::Closing;
  sendToClient(response);
}

void ProxyConnection::closeUpstream() {
  if (!upstream_) return;
  reactor_.remove(upstream_.get());
  upstream_.reset();
  upstream_connected_ = false;
  upstream_unread_ = false;
  upstream_hangup_ = false;
  upstream_wants_write_ = false;
  to_upstream_.clear();
}

void ProxyConnection::close() {
  if (state_ == State::Closed) return;
  state_ = State::Closed;
  closeUpstream();
  reactor_.remove(client_.get());
  client_.reset();
  proxy_.closed(*this);
}

}  // namespace hotpod
