#include <doctest/doctest.h>

#include "observe/metrics.h"
#include "observe/proxy_metrics.h"

using namespace hotpod;

namespace {
bool has(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}
}  // namespace

TEST_CASE("proxy metrics: every series is labelled with its version, failures without one 'none'") {
  Metrics metrics("1.2.3");
  ProxyMetrics proxy(metrics.registry());
  proxy.proxied("1");
  proxy.proxied("1");
  proxy.held(0.02, "2");
  proxy.proxied("2");
  proxy.failed("building", "");
  proxy.failed("cut off", "1");
  const std::string text = metrics.serialize();
  CAPTURE(text);
  CHECK(has(text, "hotpod_proxy_requests_total{version=\"1\"} 2"));
  CHECK(has(text, "hotpod_proxy_requests_total{version=\"2\"} 1"));
  CHECK(has(text, "hotpod_proxy_held_requests_total{version=\"2\"} 1"));
  // Hold series only for versions that were waited for; none answers nothing.
  CHECK(text.find("hotpod_proxy_held_requests_total{version=\"1\"}") == std::string::npos);
  CHECK(text.find("{version=\"none\"}") == std::string::npos);
  CHECK(has(text, "hotpod_proxy_hold_seconds_count{version=\"2\"} 1"));
  CHECK(has(text, "hotpod_proxy_hold_seconds_bucket{version=\"2\",le=\"0.025\"} 1"));
  CHECK(has(text, "hotpod_proxy_failed_requests_total{reason=\"building\",version=\"none\"} 1"));
  CHECK(has(text, "hotpod_proxy_failed_requests_total{reason=\"cut off\",version=\"1\"} 1"));
  CHECK(text.find("\nhotpod_proxy_requests_total ") == std::string::npos);  // no unlabelled one
}

TEST_CASE("proxy metrics: only the newest builds keep their series") {
  Metrics metrics("1.2.3");
  ProxyMetrics proxy(metrics.registry());
  proxy.failed("crashed", "none");
  proxy.proxied("unbuilt");
  for (int build = 1; build <= 5; ++build) {
    proxy.proxied(std::to_string(build));
    proxy.failed("dropped", std::to_string(build));
  }
  proxy.proxied("1");  // a straggler of a dropped version: not counted again
  proxy.held(0.5, "2");
  const std::string text = metrics.serialize();
  CAPTURE(text);
  static_assert(ProxyMetrics::kVersionsKept == 3);
  for (const char* gone : {"\"1\"", "\"2\""}) {
    CHECK(text.find(std::string("version=") + gone) == std::string::npos);
  }
  for (const char* kept : {"3", "4", "5"}) {
    CHECK(has(text, std::string("hotpod_proxy_requests_total{version=\"") + kept + "\"} 1"));
    CHECK(
        has(text, std::string("hotpod_proxy_failed_requests_total{reason=\"dropped\",version=\"") +
                      kept + "\"} 1"));
  }
  // Labels that are not build numbers stay.
  CHECK(has(text, "hotpod_proxy_failed_requests_total{reason=\"crashed\",version=\"none\"} 1"));
  CHECK(has(text, "hotpod_proxy_requests_total{version=\"unbuilt\"} 1"));
}
