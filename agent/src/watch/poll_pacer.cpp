#include "watch/poll_pacer.h"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "base/duration.h"
#include "base/log.h"

namespace hotpod {
namespace {

long long nowNs(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return static_cast<long long>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// "5%", "0.5%", "12.5%".
std::string percent(double share) {
  char text[32];
  std::snprintf(text, sizeof text, "%g%%", share * 100);
  return text;
}

}  // namespace

void PollPacer::beginScan() {
  cpu_start_ns_ = nowNs(CLOCK_THREAD_CPUTIME_ID);
  wall_start_ns_ = nowNs(CLOCK_MONOTONIC);
}

void PollPacer::endScan() {
  record(nowNs(CLOCK_THREAD_CPUTIME_ID) - cpu_start_ns_, nowNs(CLOCK_MONOTONIC) - wall_start_ns_);
}

void PollPacer::record(long long cpu_ns, long long wall_ns) {
  last_cpu_ = Ms(cpu_ns / 1'000'000);
  last_wall_ = Ms(wall_ns / 1'000'000);
  if (observer_) observer_(std::chrono::nanoseconds(wall_ns));
  const auto needed = Ms(static_cast<long long>(static_cast<double>(cpu_ns) / 1e6 / budget_));
  const Ms next = std::max(configured_, needed);
  // Report the first pace and any change of more than a fifth, not every jitter.
  const bool changed = next > effective_ * 6 / 5 || next < effective_ * 4 / 5;
  effective_ = next;
  log::debug("poll_scan", what_ + " took " + formatDuration(last_wall_),
             {{"scan_cpu_us", static_cast<int64_t>(cpu_ns / 1000)},
              {"scan_wall_us", static_cast<int64_t>(wall_ns / 1000)},
              {"interval_ms", static_cast<int64_t>(effective_.count())}});
  if (!reported_ || changed) {
    reported_ = true;
    log::info("poll_interval",
              what_ + " every " + formatDuration(effective_) + " (one scan takes " +
                  formatDuration(last_cpu_) + " of CPU; budget " + percent(budget_) +
                  " of a core): a change is seen within " + formatDuration(effective_),
              {{"interval_ms", static_cast<int64_t>(effective_.count())},
               {"configured_ms", static_cast<int64_t>(configured_.count())},
               {"scan_cpu_ms", static_cast<int64_t>(last_cpu_.count())},
               {"scan_wall_ms", static_cast<int64_t>(last_wall_.count())}});
  }
}

}  // namespace hotpod
