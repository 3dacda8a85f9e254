#include "observe/proxy_metrics.h"

#include <charconv>

namespace hotpod {
namespace {
// Seconds a request waited for a ready version: from none (a switch in between) to the 30 s
// default of proxy.hold_timeout and beyond.
const prometheus::Histogram::BucketBoundaries kHoldBuckets = {
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

std::optional<uint64_t> buildNumber(std::string_view version) {
  uint64_t number = 0;
  const auto [end, error] =
      std::from_chars(version.data(), version.data() + version.size(), number);
  if (error != std::errc() || end != version.data() + version.size()) return std::nullopt;
  return number;
}

}  // namespace

ProxyMetrics::ProxyMetrics(prometheus::Registry& registry,
                           const std::map<std::string, std::string>& labels)
    : requests_(prometheus::BuildCounter()
                    .Name("hotpod_proxy_requests_total")
                    .Help("Requests the dev proxy passed to the app and answered completely, by "
                          "version (the build the app runs).")
                    .Labels(labels)
                    .Register(registry)),
      held_(prometheus::BuildCounter()
                .Name("hotpod_proxy_held_requests_total")
                .Help("Requests the dev proxy held until a version of the app was ready, by the "
                      "version they were sent to.")
                .Labels(labels)
                .Register(registry)),
      failed_(prometheus::BuildCounter()
                  .Name("hotpod_proxy_failed_requests_total")
                  .Help("Requests the dev proxy could not pass through, by reason (building, "
                        "build_failed, crashed, … after holding; dropped; cut off; bad request) "
                        "and version (none when no version was in service).")
                  .Labels(labels)
                  .Register(registry)),
      hold_duration_(prometheus::BuildHistogram()
                         .Name("hotpod_proxy_hold_seconds")
                         .Help("How long held requests waited for a ready version, by the "
                               "version they were sent to.")
                         .Labels(labels)
                         .Register(registry)) {}

void ProxyMetrics::proxied(std::string_view version) {
  Series* s = series(version);
  if (s && s->proxied) s->proxied->Increment();
}

void ProxyMetrics::held(double seconds, std::string_view version) {
  Series* s = series(version);
  if (!s) return;
  if (!s->held) {  // a version that was never waited for has no hold series (e.g. none)
    const prometheus::Labels labels{{"version", s->version}};
    s->held = &held_.Add(labels);
    s->hold = &hold_duration_.Add(labels, kHoldBuckets);
  }
  s->held->Increment();
  s->hold->Observe(seconds);
}

void ProxyMetrics::failed(std::string_view reason, std::string_view version) {
  Series* s = series(version);
  if (!s) return;
  auto found = s->failed.find(reason);
  if (found == s->failed.end()) {
    prometheus::Counter& counter =
        failed_.Add({{"reason", std::string(reason)}, {"version", s->version}});
    found = s->failed.emplace(std::string(reason), &counter).first;
  }
  found->second->Increment();
}

ProxyMetrics::Series* ProxyMetrics::series(std::string_view version) {
  if (version.empty()) version = kNoVersion;
  const std::optional<uint64_t> number = buildNumber(version);
  Series* found = nullptr;
  if (number) {
    if (auto it = builds_.find(*number); it != builds_.end()) return &it->second;
    if (oldest_dropped_ && *number <= *oldest_dropped_) return nullptr;
    if (builds_.size() >= kVersionsKept && *number < builds_.begin()->first) return nullptr;
    found = &builds_[*number];
  } else {
    if (auto it = others_.find(version); it != others_.end()) return &it->second;
    found = &others_[std::string(version)];
  }
  found->version = std::string(version);
  const prometheus::Labels labels{{"version", found->version}};
  if (version != kNoVersion) found->proxied = &requests_.Add(labels);  // none answers nothing
  if (number) {
    while (builds_.size() > kVersionsKept) {
      oldest_dropped_ = builds_.begin()->first;
      drop(builds_.begin()->second);
      builds_.erase(builds_.begin());
    }
  }
  return found;
}

void ProxyMetrics::drop(Series& series) {
  if (series.proxied) requests_.Remove(series.proxied);
  if (series.held) held_.Remove(series.held);
  if (series.hold) hold_duration_.Remove(series.hold);
  for (const auto& [reason, counter] : series.failed) failed_.Remove(counter);
}

}  // namespace hotpod
