#include "observe/proxy_metrics.h"

namespace hotpod {
namespace {
// Seconds a request waited for a ready version: from none (a switch in between) to the 30 s
// default of proxy.hold_timeout and beyond.
const prometheus::Histogram::BucketBoundaries kHoldBuckets = {
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}  // namespace

ProxyMetrics::ProxyMetrics(prometheus::Registry& registry,
                           const std::map<std::string, std::string>& labels)
    : requests_(prometheus::BuildCounter()
                    .Name("hotpod_proxy_requests_total")
                    .Help("Requests the dev proxy passed to the app and answered completely.")
                    .Labels(labels)
                    .Register(registry)),
      proxied_(requests_.Add({})),
      held_(prometheus::BuildCounter()
                .Name("hotpod_proxy_held_requests_total")
                .Help("Requests the dev proxy held until a version of the app was ready.")
                .Labels(labels)
                .Register(registry)
                .Add({})),
      failed_(prometheus::BuildCounter()
                  .Name("hotpod_proxy_failed_requests_total")
                  .Help("Requests the dev proxy could not pass through, by reason (building, "
                        "build_failed, crashed, … after holding; dropped; cut off; bad request).")
                  .Labels(labels)
                  .Register(registry)),
      hold_duration_(prometheus::BuildHistogram()
                         .Name("hotpod_proxy_hold_seconds")
                         .Help("How long held requests waited for a ready version.")
                         .Labels(labels)
                         .Register(registry)
                         .Add({}, kHoldBuckets)) {}

}  // namespace hotpod
