#pragma once
// The dev proxy's metrics (proxy:), in hotpod's registry: requests passed through, held (and
// for how long), and failed (503 after holding, 502, cut off), by reason — each labelled with
// the version concerned: the number of the build the app runs, "unbuilt" for an app started
// without a build, "none" for a failure while no version was in service. Only the newest
// kVersionsKept build numbers keep their series: an older version's series are removed (its
// counts are gone from the exposition, and a straggler of it is not counted), so that a long
// session does not grow without bound.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotpod {

class ProxyMetrics {
 public:
  static constexpr size_t kVersionsKept = 3;
  static constexpr std::string_view kNoVersion = "none";

  // `labels`: those of every series (a service's: {service: NAME}).
  explicit ProxyMetrics(prometheus::Registry& registry,
                        const std::map<std::string, std::string>& labels = {});

  // An empty `version` means none.
  void proxied(std::string_view version);
  void held(double seconds, std::string_view version);
  void failed(std::string_view reason, std::string_view version);

 private:
  struct Series {
    std::string version;
    prometheus::Counter* proxied = nullptr;
    prometheus::Counter* held = nullptr;
    prometheus::Histogram* hold = nullptr;
    std::map<std::string, prometheus::Counter*, std::less<>> failed;  // by reason
  };
  // The series of `version`, created on first use; nullptr for a version dropped already.
  Series* series(std::string_view version);
  void drop(Series& series);

  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Counter>& held_;
  prometheus::Family<prometheus::Counter>& failed_;
  prometheus::Family<prometheus::Histogram>& hold_duration_;
  // Builds by number (the newest kVersionsKept), and the labels that are not build numbers.
  std::map<uint64_t, Series> builds_;
  std::map<std::string, Series, std::less<>> others_;
  std::optional<uint64_t> oldest_dropped_;  // builds up to this one are not counted again
};

}  // namespace hotpod
