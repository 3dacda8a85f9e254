// The metrics' exposition: names, labels and values as Prometheus reads them.
#include <doctest/doctest.h>

#include "observe/metrics.h"

using namespace hotpod;

namespace {

bool hasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("every metric is exposed, with known label values starting at 0") {
  Metrics metrics("1.2.3");
  metrics.watch("inotify", 1, 1, 0, 0);
  const std::string text = "\n" + metrics.serialize();
  for (const char* name :
       {"hotpod_file_events_total", "hotpod_builds_total", "hotpod_build_duration_seconds",
        "hotpod_restarts_total", "hotpod_reload_duration_seconds", "hotpod_app_up",
        "hotpod_watched_files", "hotpod_watched_directories", "hotpod_watch_backend_info",
        "hotpod_poll_scan_duration_seconds", "hotpod_poll_interval_seconds",
        "hotpod_inotify_overflows_total", "hotpod_last_successful_build_timestamp_seconds",
        "hotpod_build_info", "hotpod_rollbacks_total", "process_resident_memory_bytes",
        "process_cpu_seconds_total", "process_open_fds"}) {
    const std::string metric = name;
    CAPTURE(metric);
    CHECK(text.find("\n# TYPE " + std::string(name) + " ") != std::string::npos);
  }
  CHECK(hasLine(text, "hotpod_build_info{version=\"1.2.3\"} 1"));
  CHECK(hasLine(text, "hotpod_builds_total{result=\"failure\"} 0"));
  CHECK(hasLine(text, "hotpod_file_events_total{kind=\"created\"} 0"));
}

TEST_CASE("builds, restarts and watch counters add up") {
  Metrics metrics("0");
  metrics.buildFinished(BuildResult::Succeeded, 0.2, 1700000000);
  metrics.buildFinished(BuildResult::Failed, 3, 1700000100);
  metrics.buildFinished(BuildResult::Succeeded, 0.3, 1700000200);
  metrics.restart("change");
  metrics.watch("inotify", 120, 7, 2, 0);
  metrics.watch("inotify", 121, 7, 3, 0);
  metrics.watch("poll", 121, 7, 3, 0.5);  // the backend label follows the backend
  const std::string text = "\n" + metrics.serialize();
  CHECK(hasLine(text, "hotpod_builds_total{result=\"success\"} 2"));
  CHECK(hasLine(text, "hotpod_builds_total{result=\"failure\"} 1"));
  CHECK(hasLine(text, "hotpod_build_duration_seconds_count 3"));
  CHECK(hasLine(text, "hotpod_build_duration_seconds_bucket{le=\"0.25\"} 1"));
  CHECK(hasLine(text, "hotpod_last_successful_build_timestamp_seconds 1700000200"));
  CHECK(hasLine(text, "hotpod_restarts_total{reason=\"change\"} 1"));
  CHECK(hasLine(text, "hotpod_watched_files 121"));
  CHECK(hasLine(text, "hotpod_inotify_overflows_total 3"));
  CHECK(hasLine(text, "hotpod_watch_backend_info{backend=\"poll\"} 1"));
  CHECK(text.find("backend=\"inotify\"") == std::string::npos);
  CHECK(hasLine(text, "hotpod_poll_interval_seconds 0.5"));
}
