#include "observe/metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <prometheus/collectable.h>
#include <prometheus/text_serializer.h>
#include <fstream>
#include <set>

#include "proc/proc_table.h"

namespace hotpod {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

// Seconds, from a few milliseconds (an incremental C++ build, a small scan) to minutes.
const Histogram::BucketBoundaries kDurationBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                      1,     2.5,  5,     10,   30,  60,   120};

prometheus::MetricFamily gaugeFamily(std::string name, std::string help, double value,
                                     prometheus::MetricType type = prometheus::MetricType::Gauge) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(metric);
  return family;
}

// The process_* metrics every Prometheus client library exports, read from /proc at scrape.
std::vector<prometheus::MetricFamily> processMetrics() {
  std::vector<prometheus::MetricFamily> families;
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  std::ifstream statm("/proc/self/statm");
  double virtual_pages = 0, resident_pages = 0;
  if (statm >> virtual_pages >> resident_pages) {
    families.push_back(gaugeFamily("process_resident_memory_bytes",
                                   "Resident memory size in bytes.", resident_pages * page));
    families.push_back(gaugeFamily("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                                   virtual_pages * page));
  }
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) == 0) {
    const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    families.push_back(gaugeFamily("process_cpu_seconds_total",
                                   "Total user and system CPU time spent in seconds.", cpu,
                                   prometheus::MetricType::Counter));
  }
  if (DIR* fds = ::opendir("/proc/self/fd")) {
    double open = 0;
    while (const dirent* entry = ::readdir(fds)) {
      if (entry->d_name[0] != '.') ++open;
    }
    ::closedir(fds);
    families.push_back(gaugeFamily("process_open_fds", "Number of open file descriptors.",
                                   open - 1));  // minus the one reading the directory
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    families.push_back(gaugeFamily("process_max_fds", "Maximum number of open file descriptors.",
                                   static_cast<double>(limit.rlim_cur)));
  }
  // Constant for the process's life: read once, from its start time in ticks after boot.
  static const double started_at = [] {
    std::ifstream uptime_file("/proc/uptime");
    double uptime = 0;
    const auto self = ProcTable().read(::getpid());
    if (!self || !(uptime_file >> uptime)) return 0.0;
    const double since_boot =
        static_cast<double>(self->start_time) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    return static_cast<double>(::time(nullptr)) - uptime + since_boot;
  }();
  if (started_at > 0) {
    families.push_back(gaugeFamily("process_start_time_seconds",
                                   "Start time of the process since unix epoch in seconds.",
                                   started_at));
  }
  return families;
}

// What a service's own Metrics report (with a `service` label); the rest (watching, webhooks,
// the version) belongs to the one hotpod and stays in the top-level registry.
bool isPerService(const std::string& family) {
  static const std::set<std::string> kPerService = {
      "hotpod_builds_total",
      "hotpod_build_duration_seconds",
      "hotpod_restarts_total",
      "hotpod_restart_failures_total",
      "hotpod_reload_duration_seconds",
      "hotpod_rollbacks_total",
      "hotpod_app_up",
      "hotpod_last_successful_build_timestamp_seconds"};
  return kPerService.contains(family) || family.starts_with("hotpod_proxy_");
}

}  // namespace

Metrics::Metrics(const std::string& version, const std::string& service)
    : registry_(std::make_shared<prometheus::Registry>()),
      labels_(service.empty() ? std::map<std::string, std::string>{}
                              : std::map<std::string, std::string>{{"service", service}}),
      file_events_(BuildCounter()
                       .Name("hotpod_file_events_total")
                       .Help("Relevant file changes seen, by kind.")
                       .Labels(labels_)
                       .Register(*registry_)),
      builds_(BuildCounter()
                  .Name("hotpod_builds_total")
                  .Help("Builds finished, by result.")
                  .Labels(labels_)
                  .Register(*registry_)),
      build_duration_(BuildHistogram()
                          .Name("hotpod_build_duration_seconds")
                          .Help("How long builds took (every result but cancelled).")
                          .Labels(labels_)
                          .Register(*registry_)
                          .Add({}, kDurationBuckets)),
      restarts_(BuildCounter()
                    .Name("hotpod_restarts_total")
                    .Help("App (re)starts, by reason.")
                    .Labels(labels_)
                    .Register(*registry_)),
      restart_failures_(BuildCounter()
                            .Name("hotpod_restart_failures_total")
                            .Help("App restarts that failed, by reason (hotpod agent: the target "
                                  "was not found, EPERM, no new app in time).")
                            .Labels(labels_)
                            .Register(*registry_)),
      reload_duration_(BuildHistogram()
                           .Name("hotpod_reload_duration_seconds")
                           .Help("From a change being detected to the new app being ready.")
                           .Labels(labels_)
                           .Register(*registry_)
                           .Add({}, kDurationBuckets)),
      rollbacks_(BuildCounter()
                     .Name("hotpod_rollbacks_total")
                     .Help("Times a new version never got ready and the last good one came back.")
                     .Labels(labels_)
                     .Register(*registry_)
                     .Add({})),
      app_up_(BuildGauge()
                  .Name("hotpod_app_up")
                  .Help("1 while the app runs, else 0.")
                  .Labels(labels_)
                  .Register(*registry_)
                  .Add({})),
      watched_files_(BuildGauge()
                         .Name("hotpod_watched_files")
                         .Help("Files known below the watched root (excluded directories aside).")
                         .Labels(labels_)
                         .Register(*registry_)
                         .Add({})),
      watched_directories_(BuildGauge()
                               .Name("hotpod_watched_directories")
                               .Help("Directories watched or polled.")
                               .Labels(labels_)
                               .Register(*registry_)
                               .Add({})),
      backend_info_(BuildGauge()
                        .Name("hotpod_watch_backend_info")
                        .Help("The watch backend in use (value 1).")
                        .Labels(labels_)
                        .Register(*registry_)),
      poll_scan_duration_(BuildHistogram()
                              .Name("hotpod_poll_scan_duration_seconds")
                              .Help("Wall time of one polling scan of the tree.")
                              .Labels(labels_)
                              .Register(*registry_)
                              .Add({}, kDurationBuckets)),
      poll_interval_(BuildGauge()
                         .Name("hotpod_poll_interval_seconds")
                         .Help("Effective polling interval (0: nothing is polled); it stretches "
                               "to keep scans within watch.poll_budget.")
                         .Labels(labels_)
                         .Register(*registry_)
                         .Add({})),
      overflows_(BuildCounter()
                     .Name("hotpod_inotify_overflows_total")
                     .Help("inotify queue overflows (each one rescans and diffs the tree).")
                     .Labels(labels_)
                     .Register(*registry_)
                     .Add({})),
      last_success_(BuildGauge()
                        .Name("hotpod_last_successful_build_timestamp_seconds")
                        .Help("When the last successful build finished (unix time).")
                        .Labels(labels_)
                        .Register(*registry_)
                        .Add({})),
      webhooks_(BuildCounter()
                    .Name("hotpod_webhook_deliveries_total")
                    .Help("Webhook deliveries, by result (after retries).")
                    .Labels(labels_)
                    .Register(*registry_)) {
  BuildGauge()
      .Name("hotpod_build_info")
      .Help("hotpod's version (value 1).")
      .Labels(labels_)
      .Register(*registry_)
      .Add({{"version", version}})
      .Set(1);
  // Known label values start at 0, so rate() and absent() work before the first event.
  for (const char* kind : {"created", "modified", "removed", "renamed"}) {
    file_events_.Add({{"kind", kind}});
  }
  for (auto result : {BuildResult::Succeeded, BuildResult::Failed, BuildResult::TimedOut,
                      BuildResult::Cancelled}) {
    builds_.Add({{"result", std::string(toString(result))}});
  }
  for (const char* reason : {"start", "change", "crash", "request", "rollback"}) {
    restarts_.Add({{"reason", reason}});
  }
  for (const char* reason : {"not_found", "permission", "unconfirmed", "error"}) {
    restart_failures_.Add({{"reason", reason}});
  }
}

void Metrics::include(const Metrics& service) {
  services_.push_back(&service);
}

std::string Metrics::serialize() const {
  auto families = registry_->Collect();
  if (!services_.empty()) {
    // One family per name: the services' series of what is per service, ours of the rest.
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < families.size(); ++i) {
      index[families[i].name] = i;
      if (isPerService(families[i].name)) families[i].metric.clear();
    }
    for (const auto* service : services_) {
      for (auto& theirs : service->registry_->Collect()) {
        if (!isPerService(theirs.name)) continue;
        auto [at, added] = index.try_emplace(theirs.name, families.size());
        if (added) {  // only services have it (their proxies')
          families.push_back(std::move(theirs));
          continue;
        }
        auto& family = families[at->second];
        for (auto& metric : theirs.metric) family.metric.push_back(std::move(metric));
      }
    }
  }
  for (auto& family : processMetrics()) families.push_back(std::move(family));
  return prometheus::TextSerializer().Serialize(families);
}

void Metrics::buildFinished(BuildResult result, double seconds, double finished_unix) {
  builds_.Add({{"result", std::string(toString(result))}}).Increment();
  if (result == BuildResult::Cancelled) return;
  build_duration_.Observe(seconds);
  if (result == BuildResult::Succeeded) last_success_.Set(finished_unix);
}

void Metrics::watch(std::string_view backend, size_t files, size_t directories, size_t overflows,
                    double poll_interval_seconds) {
  watched_files_.Set(static_cast<double>(files));
  watched_directories_.Set(static_cast<double>(directories));
  poll_interval_.Set(poll_interval_seconds);
  if (backend != backend_) {
    if (!backend_.empty()) backend_info_.Remove(&backend_info_.Add({{"backend", backend_}}));
    backend_ = backend;
    backend_info_.Add({{"backend", backend_}}).Set(1);
  }
  if (static_cast<double>(overflows) > overflows_seen_) {
    overflows_.Increment(static_cast<double>(overflows) - overflows_seen_);
    overflows_seen_ = static_cast<double>(overflows);
  }
}

}  // namespace hotpod
