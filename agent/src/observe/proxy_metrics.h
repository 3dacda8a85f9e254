#pragma once
// The dev proxy's metrics (proxy:), in hotpod's registry: requests passed through, held (and
// for how long), and failed (503 after holding, 502, cut off), by reason.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <string>
#include <string_view>

namespace hotpod {

class ProxyMetrics {
 public:
  // `labels`: those of every series (a service's: {service: NAME}).
  explicit ProxyMetrics(prometheus::Registry& registry,
                        const std::map<std::string, std::string>& labels = {});

  void proxied() { proxied_.Increment(); }
  void held(double seconds) {
    held_.Increment();
    hold_duration_.Observe(seconds);
  }
  void failed(std::string_view reason) {
    failed_.Add({{"reason", std::string(reason)}}).Increment();
  }

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Counter& proxied_;
  prometheus::Counter& held_;
  prometheus::Family<prometheus::Counter>& failed_;
  prometheus::Histogram& hold_duration_;
};

}  // namespace hotpod
