// Reload-loop detection: the same files changed right after several app starts in a row.
#include <doctest/doctest.h>

#include "loop/port_clash.h"
#include "loop/reload_loop.h"

using namespace hotpod;
using namespace std::chrono_literals;

namespace {

using Clock = ReloadLoopDetector::Clock;

}  // namespace

TEST_CASE("changes right after three starts in a row are a loop, said once") {
  ReloadLoopDetector detector(1s);
  const Clock::time_point t0{};
  bool said = false;
  for (int cycle = 0; cycle < 6; ++cycle) {
    const auto start = t0 + cycle * 2s;
    detector.appStarted(start);
    const bool now = detector.changed({"written.log", "main.go"}, start + 200ms);
    CHECK(now == (cycle == ReloadLoopDetector::kCycles - 1));
    said = said || now;
  }
  CHECK(said);
}

TEST_CASE("changes long after each start, or of other files each time, are no loop") {
  ReloadLoopDetector late(1s);
  const Clock::time_point t0{};
  for (int cycle = 0; cycle < 6; ++cycle) {
    late.appStarted(t0 + cycle * 10s);
    CHECK_FALSE(late.changed({"main.go"}, t0 + cycle * 10s + 5s));  // a person saving
  }
  ReloadLoopDetector different(1s);
  for (int cycle = 0; cycle < 6; ++cycle) {
    different.appStarted(t0 + cycle * 10s);
    CHECK_FALSE(different.changed({"file" + std::to_string(cycle)}, t0 + cycle * 10s + 100ms));
  }
}

TEST_CASE("a late ChangeSet in between breaks the streak") {
  ReloadLoopDetector detector(1s);
  const Clock::time_point t0{};
  detector.appStarted(t0);
  CHECK_FALSE(detector.changed({"a.log"}, t0 + 100ms));
  detector.appStarted(t0 + 2s);
  CHECK_FALSE(detector.changed({"a.log"}, t0 + 2s + 100ms));
  detector.appStarted(t0 + 4s);
  CHECK_FALSE(detector.changed({"a.log"}, t0 + 9s));  // late: not its echo
  detector.appStarted(t0 + 10s);
  CHECK_FALSE(detector.changed({"a.log"}, t0 + 10s + 100ms));
}

TEST_CASE("the exclude advice names each file") {
  CHECK(excludeAdvice({"logs/today.log", "written.log"}) ==
        "--exclude 'logs/today.log' --exclude 'written.log'");
}

TEST_CASE("a port counts only as a number of its own") {
  CHECK(mentionsPort("listen tcp 127.0.0.1:8080: bind: address already in use", 8080));
  CHECK(mentionsPort("Error: listen EADDRINUSE: address already in use :::8080", 8080));
  CHECK_FALSE(mentionsPort("listen tcp :18080: bind: address already in use", 8080));
  CHECK_FALSE(mentionsPort("listen tcp :80801: bind", 8080));
}
