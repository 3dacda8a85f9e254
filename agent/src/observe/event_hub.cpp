#include "observe/event_hub.h"

namespace hotpod {

uint64_t EventHub::publish(std::string type, std::string data) {
  uint64_t id;
  {
    std::lock_guard lock(mutex_);
    id = ++last_id_;
    events_.push_back({id, std::move(type), std::move(data)});
    while (events_.size() > history_) events_.pop_front();
  }
  changed_.notify_all();
  return id;
}

std::vector<LoopEvent> EventHub::waitAfter(uint64_t after_id, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return closed_ || last_id_ > after_id; });
  std::vector<LoopEvent> newer;
  if (closed_) return newer;
  for (const auto& event : events_) {
    if (event.id > after_id) newer.push_back(event);
  }
  return newer;
}

uint64_t EventHub::lastId() const {
  std::lock_guard lock(mutex_);
  return last_id_;
}

void EventHub::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  changed_.notify_all();
}

bool EventHub::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

bool EventHub::tryAddSubscriber() {
  std::lock_guard lock(mutex_);
  if (subscribers_ >= max_subscribers_) return false;
  ++subscribers_;
  return true;
}

void EventHub::removeSubscriber() {
  std::lock_guard lock(mutex_);
  if (subscribers_ > 0) --subscribers_;
}

}  // namespace hotpod
