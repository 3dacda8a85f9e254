#pragma once
// The dev proxy (proxy:): hotpod listens on the app's public address and forwards each
// connection to the version of the app that is ready, on its private port. While none is ready
// (building, restarting, crashed) requests are held — bounded by proxy.hold_timeout — and then
// answered with a 503 that says why; a request the app dropped before answering is held and sent
// again. Everything runs on the loop's reactor (one epoll, non-blocking sockets, edge-triggered):
// no thread per connection, and the loop tells the proxy about builds and restarts directly.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/reactor.h"
#include "base/timer.h"
#include "base/unique_fd.h"
#include "model/config.h"
#include "model/listen_address.h"
#include "proxy/hold_reason.h"

namespace hotpod {

class ProxyConnection;

// What happens to requests, for metrics and logs; each callback is optional. `version` is the
// label serveFrom/readyOn gave the version concerned: the one a held request was finally sent
// to, the one that answered, the one that failed a request or, for a 503 after holding, the
// one in service (empty when none was).
struct ProxyObserver {
  std::function<void(std::chrono::nanoseconds waited, std::string_view version)> held;
  std::function<void(std::string_view version)> proxied;  // a response passed through completely
  std::function<void(std::string_view why, std::string_view version)> failed;  // 503, 502, cut off
  std::function<void(int port)> ready;  // a version on `port` accepts connections
};

class DevProxy {
 public:
  using Clock = std::chrono::steady_clock;

  // Listens on config.listen at once (throws std::system_error naming the address).
  DevProxy(Reactor& reactor, const ProxyConfig& config, ProxyObserver observer = {});
  ~DevProxy();
  DevProxy(const DevProxy&) = delete;
  DevProxy& operator=(const DevProxy&) = delete;

  const ListenAddress& address() const { return address_; }
  void setObserver(ProxyObserver observer) { observer_ = std::move(observer); }

  // A version listens (or soon will) on 127.0.0.1:port: connect to it until it accepts, then
  // send it every held request and all new ones. `version` labels it for the observer.
  void serveFrom(int port, std::string version = {});
  // A version was started on `port`: serveFrom, unless it takes the requests there already (an
  // overlap candidate is switched to before its start is reported as the app's).
  void serveStarted(int port, std::string version = {}) {
    if (!(ready() && upstreamPort() == port)) serveFrom(port, std::move(version));
  }
  // The version on `port` is ready by other means (app.health_url answered): switch now.
  void readyOn(int port, std::string version = {});
  // No version may take requests: new ones are held for this reason.
  void hold(HoldReason why);
  // A stop-first restart: hold new requests for `why`, let the answers under way finish (at
  // most kDrainLimit; event streams and tunnels do not wait), then call `then` — stop the old
  // version — at once if nothing is under way. A later call replaces a pending `then`; a hold
  // for hotpod's own stop drops it.
  void holdThen(HoldReason why, std::function<void()> then);
  static constexpr Duration kDrainLimit{2000};
  // Why requests are held, while they are (a build started, failed …): readiness is unchanged.
  void explain(HoldReason why);

  // The browser (proxy.inject): a build failed — pages show an overlay with its output, over the
  // last good version, until a new version is ready (then they reload without it).
  void announceFailure(const std::string& message, const std::string& output);

  bool ready() const { return ready_; }
  int upstreamPort() const { return port_; }
  // The label of the version requests go to (empty when none is ready).
  std::string_view servingVersion() const { return ready_ ? version_ : std::string_view(); }
  // Why requests are held (or would be): meaningful while !ready().
  const HoldReason& holdReason() const { return reason_; }
  size_t heldCount() const { return held_.size(); }
  size_t connectionCount() const { return connections_.size(); }

 private:
  friend class ProxyConnection;
  // For connections: hand the request to the ready version, or hold it.
  void dispatch(ProxyConnection& connection);
  // A non-blocking connect to the ready version; -1 (errno set) when it failed at once.
  int connectUpstream() const;
  uint64_t generation() const { return generation_; }
  const std::string& version() const { return version_; }  // of port_, ready or not
  // The version of `generation` refused or dropped a request: probe it again before sending
  // more (the loop learns of a crash a moment later).
  void upstreamFailed(uint64_t generation);
  void unhold(ProxyConnection& connection);
  void closed(ProxyConnection& connection);
  // After each event of a connection: a restart waiting for answers may go on now.
  void afterEvent() {
    if (drain_then_) finishDrainIfIdle();
  }
  size_t answeringCount() const;
  void finishDrainIfIdle();
  void finishDrain();
  const ProxyObserver& observer() const { return observer_; }
  const HoldReason& reason() const { return reason_; }
  Duration holdTimeout() const { return hold_timeout_; }
  bool injecting() const { return inject_; }
  // A request for /__hotpod/…: the script, or the event stream (the connection subscribes).
  void serveOwn(ProxyConnection& connection, std::string_view path);
  void broadcast(const std::string& event);
  void noteBlockedByPolicy(const std::string& why);  // logged once
  void noteTooLarge();                               // logged once

  void accept();
  void probe();
  void onProbeResult(bool accepted);
  void becomeReady();
  void expireHeld();
  void armHoldTimer();

  Reactor& reactor_;
  ListenAddress address_;
  Duration hold_timeout_;
  ProxyObserver observer_;
  bool inject_ = true;
  bool told_policy_ = false;
  bool told_too_large_ = false;
  uint64_t announced_generation_ = 0;   // the version browsers were last told to reload for
  std::optional<std::string> failure_;  // the "failed" event's data while the last build failed
  std::unordered_set<ProxyConnection*> subscribers_;
  UniqueFd listener_;
  UniqueFd probe_fd_;
  Timer probe_timer_;
  Clock::time_point probing_since_{};  // of the version on port_, until it accepts
  Timer hold_timer_;
  std::function<void()> drain_then_;  // holdThen's, while answers are under way
  Timer drain_timer_;
  Clock::time_point drain_began_{};  // the first holdThen of the pending restart
  bool ready_ = false;
  int port_ = 0;             // the private port of the version requests go to
  std::string version_;      // its label (serveFrom, readyOn)
  uint64_t generation_ = 0;  // one per serveFrom: connections to older ones are not reused
  HoldReason reason_{HoldReason::Kind::Starting, "the app has not started yet", {}, true};
  std::unordered_map<ProxyConnection*, std::unique_ptr<ProxyConnection>> connections_;
  std::unordered_map<ProxyConnection*, Clock::time_point> held_;  // → hold deadline
};

// A free TCP port on 127.0.0.1 for the app (bound, read and closed).
int pickFreePort();
// Replaces every "{port}" in the words of a command (run.cmd, hotpod exec's CMD).
void substitutePort(std::vector<std::string>& words, int port);

}  // namespace hotpod
