#pragma once
// Fan-out of loop events to any number of readers on other threads (the /v1/events streams).
// The loop publishes and never waits; a reader waits for what came after the last id it saw.
// A short history lets a reconnecting browser (Last-Event-ID) catch up.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace hotpod {

struct LoopEvent {
  uint64_t id = 0;
  std::string type;  // "state", "build_started", "build_finished", "reload", …
  std::string data;  // one JSON object
};

class EventHub {
 public:
  static constexpr size_t kDefaultMaxSubscribers = 8;

  explicit EventHub(size_t history = 256, size_t max_subscribers = kDefaultMaxSubscribers)
      : history_(history), max_subscribers_(max_subscribers) {}

  uint64_t publish(std::string type, std::string data);
  // The events after `after_id` (up to the history), waiting up to `timeout` for one to arrive.
  // Empty after a timeout or once closed.
  std::vector<LoopEvent> waitAfter(uint64_t after_id, std::chrono::milliseconds timeout);
  uint64_t lastId() const;
  // Wakes every waiting reader for good (shutdown).
  void close();
  bool closed() const;

  // Each stream holds an HTTP thread, so their number is bounded.
  bool tryAddSubscriber();
  void removeSubscriber();
  size_t maxSubscribers() const { return max_subscribers_; }

 private:
  const size_t history_;
  const size_t max_subscribers_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<LoopEvent> events_;
  uint64_t last_id_ = 0;
  size_t subscribers_ = 0;
  bool closed_ = false;
};

}  // namespace hotpod
