#include "observe/webhooks.h"

#include <algorithm>

#include "base/log.h"
#include "observe/http_client.h"

namespace hotpod {

WebhookSender::WebhookSender(std::vector<Webhook> hooks, ResultHandler on_result)
    : hooks_(std::move(hooks)), on_result_(std::move(on_result)) {
  if (configured()) thread_ = std::thread([this] { run(); });
}

WebhookSender::~WebhookSender() {
  {
    std::lock_guard lock(mutex_);
    quit_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookSender::send(const std::string& event, std::string json) {
  if (!configured()) return;
  size_t dropped = 0;
  {
    std::lock_guard lock(mutex_);
    for (size_t index = 0; index < hooks_.size(); ++index) {
      const auto& events = hooks_[index].events;
      if (!events.empty() && std::find(events.begin(), events.end(), event) == events.end()) {
        continue;
      }
      queue_.push_back({index, event, json});
      if (queue_.size() > kMaxQueued) {
        queue_.pop_front();
        ++dropped;
      }
    }
  }
  if (dropped > 0) {
    log::warn("webhook_dropped",
              "webhook queue full (" + std::to_string(kMaxQueued) +
                  " undelivered): dropped the oldest event; is the receiver up?");
  }
  wake_.notify_all();
}

void WebhookSender::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return quit_ || !queue_.empty(); });
    if (quit_) return;
    Delivery delivery = std::move(queue_.front());
    queue_.pop_front();
    const Webhook& hook = hooks_[delivery.hook];
    int attempts = 0;
    HttpAnswer answer;
    auto delay = kFirstRetryDelay;
    while (true) {
      ++attempts;
      lock.unlock();
      answer = httpPostJson(hook.url, delivery.json, hook.timeout);
      lock.lock();
      if (answer.ok() || attempts > hook.retries || quit_) break;
      // Wait before the next attempt, but leave at once when hotpod stops.
      if (wake_.wait_for(lock, delay, [&] { return quit_; })) break;
      delay *= 2;
    }
    lock.unlock();
    on_result_(hook, delivery.event, answer.ok(), attempts, answer.describe());
    lock.lock();
  }
}

}  // namespace hotpod
