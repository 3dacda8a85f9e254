#include "watch/poll_pacer.h"

#include <doctest/doctest.h>

using hotpod::PollPacer;
using namespace std::chrono_literals;

TEST_CASE("poll pacer: the interval stretches so scan CPU stays inside the budget") {
  PollPacer pacer("test", 500ms, 0.05);
  pacer.record(1'000'000, 1'000'000);  // 1 ms of CPU: the configured interval is enough
  CHECK(pacer.effective() == 500ms);
  pacer.record(400'000'000, 420'000'000);  // 400 ms of CPU at 5 % → one scan every 8 s
  CHECK(pacer.effective() == 8000ms);
  CHECK(pacer.lastScanCpu() == 400ms);
  CHECK(pacer.lastScanWall() == 420ms);
  pacer.record(2'000'000, 2'000'000);  // the tree shrank: back to the configured interval
  CHECK(pacer.effective() == 500ms);
}

TEST_CASE("poll pacer: a full-core budget never waits longer than the scan itself") {
  PollPacer pacer("test", 100ms, 1.0);
  pacer.record(300'000'000, 300'000'000);
  CHECK(pacer.effective() == 300ms);
}
