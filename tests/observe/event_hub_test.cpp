// The event stream's hub: readers on other threads get every event after the one they saw.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "observe/event_hub.h"

using namespace hotpod;
using namespace std::chrono_literals;

TEST_CASE("a reader gets the events after the id it saw, in order") {
  EventHub hub;
  hub.publish("a", "{}");
  const uint64_t seen = hub.publish("b", "{}");
  hub.publish("c", "{\"n\":3}");
  hub.publish("d", "{}");
  const auto events = hub.waitAfter(seen, 0ms);
  REQUIRE(events.size() == 2);
  CHECK(events[0].type == "c");
  CHECK(events[0].data == "{\"n\":3}");
  CHECK(events[1].type == "d");
  CHECK(events[1].id == hub.lastId());
}

TEST_CASE("a waiting reader wakes when another thread publishes") {
  EventHub hub;
  std::thread publisher([&] {
    std::this_thread::sleep_for(20ms);  // let the reader block first (not needed for the result)
    hub.publish("build_finished", "{}");
  });
  const auto start = std::chrono::steady_clock::now();
  const auto events = hub.waitAfter(0, 60s);
  // Woken by the publish, not by the bound: without the notification, the predicate would still
  // find the event, but only after 60 s.
  CHECK(std::chrono::steady_clock::now() - start < 10s);
  publisher.join();
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == "build_finished");
}

TEST_CASE("history is bounded; a reader far behind gets what is left") {
  EventHub hub(3);
  for (int i = 0; i < 10; ++i) hub.publish("e" + std::to_string(i), "{}");
  const auto events = hub.waitAfter(0, 0ms);
  REQUIRE(events.size() == 3);
  CHECK(events.front().type == "e7");
}

TEST_CASE("close wakes every reader for good") {
  EventHub hub;
  std::thread closer([&] {
    std::this_thread::sleep_for(20ms);  // let the reader block first (not needed for the result)
    hub.close();
  });
  const auto start = std::chrono::steady_clock::now();
  CHECK(hub.waitAfter(0, 60s).empty());
  CHECK(std::chrono::steady_clock::now() - start < 10s);  // woken by close, not by the bound
  closer.join();
  CHECK(hub.closed());
  hub.publish("late", "{}");
  CHECK(hub.waitAfter(0, 0ms).empty());
}

TEST_CASE("the number of streams is bounded") {
  EventHub hub(16, 2);
  CHECK(hub.tryAddSubscriber());
  CHECK(hub.tryAddSubscriber());
  CHECK_FALSE(hub.tryAddSubscriber());
  hub.removeSubscriber();
  CHECK(hub.tryAddSubscriber());
}
