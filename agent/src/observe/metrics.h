#pragma once
// hotpod's Prometheus metrics: one prometheus-cpp registry (thread-safe; the loop updates it,
// HTTP threads serialize it) plus the standard process_* metrics read at scrape time.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/build_result.h"

namespace hotpod {

class Metrics {
 public:
  // `service`: one service's metrics (of a `services:` config), each series labelled with it.
  explicit Metrics(const std::string& version, const std::string& service = {});
  // hotpod's own Metrics serialize each service's per-service series (builds, restarts, app_up
  // …) instead of their own; `service` must outlive this.
  void include(const Metrics& service);

  // For metrics kept beside these (the dev proxy's, observe/proxy_metrics).
  prometheus::Registry& registry() { return *registry_; }
  // The labels of every series here: {service: NAME} for a service's, else none.
  const std::map<std::string, std::string>& labels() const { return labels_; }
  // The text exposition format (what GET /metrics answers).
  std::string serialize() const;

  void fileEvent(std::string_view kind) {
    file_events_.Add({{"kind", std::string(kind)}}).Increment();
  }
  void buildFinished(BuildResult result, double seconds, double finished_unix);
  void restart(std::string_view reason) {
    restarts_.Add({{"reason", std::string(reason)}}).Increment();
  }
  // hotpod agent: a restart that did not happen or was not confirmed (not_found, permission,
  // unconfirmed, error).
  void restartFailure(std::string_view reason) {
    restart_failures_.Add({{"reason", std::string(reason)}}).Increment();
  }
  void reloadCompleted(double seconds) { reload_duration_.Observe(seconds); }
  void rollback() { rollbacks_.Increment(); }
  void appUp(bool up) { app_up_.Set(up ? 1 : 0); }
  void watch(std::string_view backend, size_t files, size_t directories, size_t overflows,
             double poll_interval_seconds);
  void pollScan(double seconds) { poll_scan_duration_.Observe(seconds); }
  void webhookDelivery(bool delivered) {
    webhooks_.Add({{"result", delivered ? "delivered" : "failed"}}).Increment();
  }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::map<std::string, std::string> labels_;
  std::vector<const Metrics*> services_;
  prometheus::Family<prometheus::Counter>& file_events_;
  prometheus::Family<prometheus::Counter>& builds_;
  prometheus::Histogram& build_duration_;
  prometheus::Family<prometheus::Counter>& restarts_;
  prometheus::Family<prometheus::Counter>& restart_failures_;
  prometheus::Histogram& reload_duration_;
  prometheus::Counter& rollbacks_;
  prometheus::Gauge& app_up_;
  prometheus::Gauge& watched_files_;
  prometheus::Gauge& watched_directories_;
  prometheus::Family<prometheus::Gauge>& backend_info_;
  std::string backend_;
  prometheus::Histogram& poll_scan_duration_;
  prometheus::Gauge& poll_interval_;
  prometheus::Counter& overflows_;
  double overflows_seen_ = 0;
  prometheus::Gauge& last_success_;
  prometheus::Family<prometheus::Counter>& webhooks_;
};

}  // namespace hotpod
