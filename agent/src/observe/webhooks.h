#pragma once
// Delivers notify.webhooks off the reactor: a JSON POST per event and subscribed hook, with a
// timeout and bounded retries (0.5 s, 1 s, 2 s … apart). A bounded queue: when a receiver is
// down for long, the oldest undelivered events are dropped (and said so), never the loop.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "model/config.h"

namespace hotpod {

class WebhookSender {
 public:
  static constexpr size_t kMaxQueued = 100;
  static constexpr std::chrono::milliseconds kFirstRetryDelay{500};
  // Called on the sender's thread after the last attempt of each delivery.
  using ResultHandler =
      std::function<void(const Webhook& hook, const std::string& event, bool delivered,
                         int attempts, const std::string& detail)>;

  WebhookSender(std::vector<Webhook> hooks, ResultHandler on_result);
  ~WebhookSender();  // waits for the delivery in progress (bounded by its timeout), drops the rest
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  bool configured() const { return !hooks_.empty(); }
  // `event` is one of build_succeeded, build_failed, restart, rollback; `json` the body.
  void send(const std::string& event, std::string json);

 private:
  struct Delivery {
    size_t hook;
    std::string event;
    std::string json;
  };
  void run();

  const std::vector<Webhook> hooks_;
  const ResultHandler on_result_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Delivery> queue_;
  bool quit_ = false;
  std::thread thread_;
};

}  // namespace hotpod
