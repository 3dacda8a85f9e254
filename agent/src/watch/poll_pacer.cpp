#include "watch/poll_pacer.h"

#include <time.h>

#include <algorithm>

#include "core/duration.h"
#include "core/log.h"

namespace hotpod {
namespace {

long long nowNs(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return static_cast<long long>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

void PollPacer::beginScan() {
  cpu_start_ns_ = nowNs(CLOCK_THREAD_CPUTIME_ID);
  wall_start_ns_ = nowNs(CLOCK_MONOTONIC);
}

void PollPacer::endScan() {
  last_cpu_ = Ms((nowNs(CLOCK_THREAD_CPUTIME_ID) - cpu_start_ns_) / 1'000'000);
  last_wall_ = Ms((nowNs(CLOCK_MONOTONIC) - wall_start_ns_) / 1'000'000);
  const auto needed = Ms(static_cast<long long>(static_cast<double>(last_cpu_.count()) / budget_));
  const Ms next = std::max(configured_, needed);
  // Report the first pace and any change of more than a fifth, not every jitter.
  const bool changed = next > effective_ * 6 / 5 || next < effective_ * 4 / 5;
  effective_ = next;
  if (!reported_ || changed) {
    reported_ = true;
    log::info("poll_interval",
              what_ + " every " + formatDuration(effective_) + " (one scan takes " +
                  formatDuration(last_cpu_) + " of CPU; budget " +
                  std::to_string(static_cast<int>(budget_ * 100 + 0.5)) +
                  "% of a core): a change is seen within " + formatDuration(effective_),
              {{"interval_ms", static_cast<int64_t>(effective_.count())},
               {"configured_ms", static_cast<int64_t>(configured_.count())},
               {"scan_cpu_ms", static_cast<int64_t>(last_cpu_.count())},
               {"scan_wall_ms", static_cast<int64_t>(last_wall_.count())}});
  }
}

}  // namespace hotpod
