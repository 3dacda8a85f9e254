#include "observe/app_probe.h"

#include "observe/http_client.h"

namespace hotpod {

using Clock = std::chrono::steady_clock;

AppProbe::AppProbe(Reactor& reactor, AppConfig config, VerdictHandler on_verdict)
    : reactor_(reactor), config_(std::move(config)), on_verdict_(std::move(on_verdict)) {
  if (configured()) thread_ = std::thread([this] { run(); });
}

AppProbe::~AppProbe() {
  {
    std::lock_guard lock(mutex_);
    quit_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t AppProbe::watchStart() {
  uint64_t start;
  {
    std::lock_guard lock(mutex_);
    start = ++start_;
    paused_ = false;
  }
  wake_.notify_all();
  return start;
}

void AppProbe::pause() {
  {
    std::lock_guard lock(mutex_);
    ++start_;  // outdates the running session
    paused_ = true;
  }
  wake_.notify_all();
}

void AppProbe::run() {
  uint64_t session = 0;  // the start being probed
  Clock::time_point began;
  Clock::time_point next_probe;
  bool ready = false;    // this start answered 2xx at least once
  bool gave_up = false;  // NeverReady was reported
  bool last_ok = false;
  std::unique_lock lock(mutex_);
  while (!quit_) {
    if (start_ != session) {
      session = start_;
      began = next_probe = Clock::now();
      ready = gave_up = last_ok = false;
    }
    if (paused_) {
      wake_.wait(lock, [&] { return quit_ || start_ != session; });
      continue;
    }
    if (wake_.wait_until(lock, next_probe, [&] { return quit_ || start_ != session; })) continue;
    lock.unlock();
    const auto timeout = std::min<std::chrono::milliseconds>(config_.probe_interval,
                                                             std::chrono::milliseconds(2000));
    const HttpAnswer answer = httpGet(config_.health_url, timeout);
    const auto now = Clock::now();
    lock.lock();
    if (start_ != session) continue;  // a newer start: this answer is about the old process
    std::optional<ProbeVerdict> verdict;
    if (answer.ok()) {
      if (!ready)
        verdict = gave_up ? ProbeVerdict::Recovered : ProbeVerdict::Ready;
      else if (!last_ok)
        verdict = ProbeVerdict::Recovered;
      ready = true;
    } else if (!ready && !gave_up && now - began >= config_.ready_timeout) {
      gave_up = true;
      verdict = ProbeVerdict::NeverReady;
    } else if (ready && last_ok) {
      verdict = ProbeVerdict::Failing;
    }
    last_ok = answer.ok();
    next_probe = now + (ready || gave_up ? config_.probe_interval : kStartupInterval);
    if (verdict) {
      const std::string detail = answer.describe();
      reactor_.post([this, session, v = *verdict, detail] { on_verdict_(session, v, detail); });
    }
  }
}

}  // namespace hotpod
