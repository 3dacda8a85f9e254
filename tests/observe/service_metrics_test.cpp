#include <doctest/doctest.h>

#include "observe/metrics.h"

using namespace hotpod;

TEST_CASE("services: per-service series carry the service label, once per family") {
  Metrics own("1.2.3");
  Metrics api("1.2.3", "api");
  Metrics web("1.2.3", "web");
  own.include(api);
  own.include(web);
  api.buildFinished(BuildResult::Succeeded, 0.5, 1000);
  web.buildFinished(BuildResult::Failed, 0.5, 1000);
  api.appUp(true);
  own.fileEvent("modified");

  const std::string text = own.serialize();
  CAPTURE(text);
  CHECK(text.find("hotpod_builds_total{service=\"api\",result=\"success\"} 1") !=
        std::string::npos);
  CHECK(text.find("hotpod_builds_total{service=\"web\",result=\"failure\"} 1") !=
        std::string::npos);
  CHECK(text.find("hotpod_app_up{service=\"api\"} 1") != std::string::npos);
  CHECK(text.find("hotpod_app_up{service=\"web\"} 0") != std::string::npos);
  // hotpod's own unlabelled copies of the per-service series are not shown beside them.
  CHECK(text.find("hotpod_app_up 0") == std::string::npos);
  CHECK(text.find("hotpod_builds_total{result=\"success\"} ") == std::string::npos);
  // One HELP per family; what is hotpod's own stays unlabelled.
  size_t helps = 0;
  for (size_t at = 0; (at = text.find("# HELP hotpod_builds_total ", at)) != std::string::npos;
       ++at) {
    ++helps;
  }
  CHECK(helps == 1);
  CHECK(text.find("hotpod_file_events_total{kind=\"modified\"} 1") != std::string::npos);
  CHECK(text.find("hotpod_build_info{version=\"1.2.3\"} 1") != std::string::npos);
}

TEST_CASE("a single app's metrics have no service label") {
  Metrics own("1.2.3");
  own.buildFinished(BuildResult::Succeeded, 0.5, 1000);
  CHECK(own.serialize().find("hotpod_builds_total{result=\"success\"} 1") != std::string::npos);
  CHECK(own.serialize().find("service=") == std::string::npos);
}
