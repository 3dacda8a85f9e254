#pragma once
// One client connection through the dev proxy: requests are framed (HttpCodec) and passed to
// the app one at a time over a connection of its own; responses are passed back byte for byte
// as they arrive (chunked bodies and server-sent events are never buffered whole). A request is
// kept until its answer begins, so one the app dropped (it was stopping, or had closed an idle
// connection) is held and sent again instead of failing. An upgrade (101) becomes a plain
// two-way tunnel.
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#include "base/reactor.h"
#include "base/unique_fd.h"
#include "proxy/http_codec.h"

namespace hotpod {

class DevProxy;

class ProxyConnection {
 public:
  using Clock = std::chrono::steady_clock;

  ProxyConnection(DevProxy& proxy, Reactor& reactor, UniqueFd client)
      : proxy_(proxy), reactor_(reactor), client_(std::move(client)) {}
  ~ProxyConnection();
  ProxyConnection(const ProxyConnection&) = delete;
  ProxyConnection& operator=(const ProxyConnection&) = delete;

  void start();
  // DevProxy: a version is ready; send the held request to it.
  void release();
  // DevProxy: the hold is over without a ready version (or none is coming): answer 503.
  void holdExpired();
  // DevProxy: the request waits for a version (counted as held once it goes on).
  void noteHeld() { was_held_ = true; }
  // DevProxy: answers a /__hotpod/ request itself and closes; or keeps the connection as an
  // event stream (`head` first, then push()).
  void answerOwn(const std::string& response) {
    state_ = State::Closing;
    sendToClient(response);
  }
  void subscribe(const std::string& head) {
    state_ = State::Subscriber;
    sendToClient(head);
  }
  void push(std::string_view event) {
    if (state_ == State::Subscriber) sendToClient(event);
  }
  Clock::time_point arrived() const { return arrived_; }
  // A request is with the app and its answer is not through (event streams and tunnels, which
  // never end by themselves, do not count): what a stop-first restart lets finish first.
  bool answering() const { return state_ == State::Exchanging && !response_codec_.eventStream(); }

 private:
  enum class State { Head, Held, Exchanging, Tunnel, Subscriber, Closing, Closed };

  void onClient(uint32_t events);
  void onUpstream(uint32_t events);
  void readClient();
  void parseRequest();
  void readUpstream();
  void onResponseBytes(const char* data, size_t size);
  void deliverInjected();
  void upstreamEnded(bool reset);
  void retryOrFail(const char* what);
  void finishExchange(bool upstream_keeps_alive);
  void sendToClient(std::string_view data) {
    to_client_.append(data);
    flushClient();
  }
  void sendToUpstream(std::string_view data) {
    to_upstream_.append(data);
    flushUpstream();
  }
  void flushClient();
  void flushUpstream();
  // `version`: the label of the version the failure is counted against (ProxyObserver).
  void answerAndClose(const std::string& response, std::string_view failure,
                      std::string_view version);
  void closeUpstream();
  void watchWrites(int fd, bool& watching, bool want);
  void close();
  bool clientPaused() const;

  DevProxy& proxy_;
  Reactor& reactor_;
  UniqueFd client_;
  UniqueFd upstream_;
  uint64_t upstream_generation_ = 0;
  std::string upstream_version_;  // the label of the version upstream_ leads to
  bool upstream_connected_ = false;
  bool upstream_reused_ = false;
  State state_ = State::Head;
  HttpCodec request_codec_{HttpCodec::Kind::Request};
  HttpCodec response_codec_{HttpCodec::Kind::Response};
  std::string in_;         // read from the client, not yet framed
  std::string request_;    // the current request as far as read, kept for a retry
  bool retryable_ = true;  // request_ holds all of it
  bool request_done_ = false;
  bool response_started_ = false;
  std::string to_upstream_;
  std::string to_client_;
  std::string response_head_;  // response bytes until its headers are known
  bool client_eof_ = false;
  bool client_unread_ = false;  // stopped reading before EAGAIN (edge-triggered)
  bool upstream_unread_ = false;
  bool client_hangup_ = false;  // epoll reported the peer's end (or an error): read to EOF
  bool upstream_hangup_ = false;
  bool client_wants_write_ = false;
  bool upstream_wants_write_ = false;
  bool was_held_ = false;
  int retries_ = 0;  // sends of the current request that the app dropped unanswered
  Clock::time_point arrived_{};
};

}  // namespace hotpod
