#include "debounce/debouncer.h"

#include <doctest/doctest.h>

using namespace hotpod;
using namespace std::chrono_literals;
using Clock = Debouncer::Clock;

TEST_CASE("debouncer: a window closes `delay` after the last change") {
  Debouncer debouncer(100ms, 2s);
  const auto t0 = Clock::time_point{} + 1h;
  CHECK_FALSE(debouncer.deadline());
  debouncer.add({"a.go", ChangeKind::Modified, {}}, t0);
  CHECK(*debouncer.deadline() == t0 + 100ms);
  debouncer.add({"b.go", ChangeKind::Modified, {}}, t0 + 60ms);
  CHECK(*debouncer.deadline() == t0 + 160ms);
  CHECK_FALSE(debouncer.takeIfDue(t0 + 159ms));
  auto changes = debouncer.takeIfDue(t0 + 160ms);
  REQUIRE(changes);
  CHECK(changes->paths() == std::vector<std::string>{"a.go", "b.go"});
  CHECK_FALSE(debouncer.pending());
  CHECK_FALSE(debouncer.takeIfDue(t0 + 1h));
}

TEST_CASE("debouncer: a continuous stream still triggers after max_delay") {
  Debouncer debouncer(100ms, 1s);
  const auto t0 = Clock::time_point{} + 1h;
  for (int i = 0; i < 50; ++i) {
    debouncer.add({"f" + std::to_string(i), ChangeKind::Created, {}}, t0 + i * 50ms);
  }
  CHECK(*debouncer.deadline() == t0 + 1s);
  auto changes = debouncer.takeIfDue(t0 + 1s);
  REQUIRE(changes);
  CHECK(changes->size() == 50);
}

TEST_CASE("debouncer: max_delay below delay does not cut the quiet period short") {
  Debouncer debouncer(500ms, 100ms);
  const auto t0 = Clock::time_point{} + 1h;
  debouncer.add({"a", ChangeKind::Modified, {}}, t0);
  CHECK(*debouncer.deadline() == t0 + 500ms);
}

TEST_CASE("change set: kinds coalesce to the net change") {
  ChangeSet set;
  SUBCASE("created then modified is created") {
    set.add({"a", ChangeKind::Created, {}});
    set.add({"a", ChangeKind::Modified, {}});
    CHECK((set.changes().at("a") == ChangeKind::Created));
  }
  SUBCASE("created then removed is nothing (a temp file)") {
    set.add({"tmp", ChangeKind::Created, {}});
    set.add({"tmp", ChangeKind::Removed, {}});
    CHECK(set.empty());
  }
  SUBCASE("removed then created is modified (replaced by a rename-over save)") {
    set.add({"a", ChangeKind::Removed, {}});
    set.add({"a", ChangeKind::Renamed, ".a.tmp"});
    CHECK((set.changes().at("a") == ChangeKind::Modified));
  }
  SUBCASE("modified then removed is removed") {
    set.add({"a", ChangeKind::Modified, {}});
    set.add({"a", ChangeKind::Removed, {}});
    CHECK((set.changes().at("a") == ChangeKind::Removed));
  }
  SUBCASE("merge keeps both sides") {
    ChangeSet other;
    other.add({"b", ChangeKind::Created, {}});
    set.add({"a", ChangeKind::Modified, {}});
    set.merge(other);
    CHECK(set.paths() == std::vector<std::string>{"a", "b"});
  }
}

TEST_CASE("debouncer: a rule's own delay holds the window until its change has been quiet") {
  Debouncer debouncer(100ms, 5s);
  const auto t0 = Clock::time_point{} + 1h;
  debouncer.add({"static/app.css", ChangeKind::Modified, {}}, t0, 20ms);
  CHECK(*debouncer.deadline() == t0 + 20ms);
  debouncer.add({"main.go", ChangeKind::Modified, {}}, t0 + 5ms);  // the default 100 ms
  CHECK(*debouncer.deadline() == t0 + 105ms);
  debouncer.add({"static/x.css", ChangeKind::Modified, {}}, t0 + 10ms, 20ms);
  CHECK(*debouncer.deadline() == t0 + 105ms);  // never earlier than a change's own quiet period
}

TEST_CASE("debouncer: a sync's end takes the window now, a cut sync's paths are forgotten") {
  Debouncer debouncer(100ms, 2s);
  const auto t0 = Clock::time_point{} + 1h;
  debouncer.add({"a.go", ChangeKind::Modified, {}}, t0);
  debouncer.add({"b.go", ChangeKind::Modified, {}}, t0);
  debouncer.forget({"a.go"});
  REQUIRE(debouncer.pending());
  const ChangeSet now = debouncer.takeNow();  // before the deadline
  CHECK(now.paths() == std::vector<std::string>{"b.go"});
  CHECK_FALSE(debouncer.pending());
  debouncer.add({"c.go", ChangeKind::Modified, {}}, t0);
  debouncer.forget({"c.go"});
  CHECK_FALSE(debouncer.pending());  // nothing left: no build
  CHECK_FALSE(debouncer.deadline());
}

TEST_CASE("adaptive: a lone change of a quiet tree waits only the short quiet period") {
  Debouncer debouncer(100ms, 2s, 2ms);
  const auto t0 = Clock::time_point{} + 1h;
  debouncer.add({"a.go", ChangeKind::Modified, {}}, t0);
  CHECK(*debouncer.deadline() == t0 + 2ms);
  REQUIRE(debouncer.takeIfDue(t0 + 2ms));
  // Quiet again for a whole quiet period: the next lone change is short again.
  debouncer.add({"a.go", ChangeKind::Renamed, ".a.go.tmp"}, t0 + 102ms);
  CHECK(*debouncer.deadline() == t0 + 104ms);
}

TEST_CASE("adaptive: a second change shows a storm and the full quiet period applies") {
  Debouncer debouncer(100ms, 2s, 2ms);
  const auto t0 = Clock::time_point{} + 1h;
  debouncer.add({"f0", ChangeKind::Created, {}}, t0);
  debouncer.add({"f1", ChangeKind::Created, {}}, t0 + 1ms);
  CHECK(*debouncer.deadline() == t0 + 101ms);
  CHECK_FALSE(debouncer.takeIfDue(t0 + 2ms));
  for (int i = 2; i < 50; ++i) {
    debouncer.add({"f" + std::to_string(i), ChangeKind::Created, {}}, t0 + i * 10ms);
  }
  CHECK(*debouncer.deadline() == t0 + 590ms);
  auto changes = debouncer.takeIfDue(t0 + 590ms);
  REQUIRE(changes);
  CHECK(changes->size() == 50);  // the whole storm in one window
}

TEST_CASE("adaptive: a change soon after the last window is part of a storm, not lone") {
  Debouncer debouncer(100ms, 2s, 2ms);
  const auto t0 = Clock::time_point{} + 1h;
  debouncer.add({"f0", ChangeKind::Created, {}}, t0);
  REQUIRE(debouncer.takeIfDue(t0 + 2ms));  // the storm's first file: built at once
  debouncer.add({"f1", ChangeKind::Created, {}}, t0 + 5ms);
  CHECK(*debouncer.deadline() == t0 + 105ms);
}

TEST_CASE("adaptive: a removal, a rule's own quiet period and no lone_delay wait in full") {
  const auto t0 = Clock::time_point{} + 1h;
  Debouncer adaptive(100ms, 2s, 2ms);
  adaptive.add({"main.go", ChangeKind::Removed, {}}, t0);  // vim: the backup rename comes first
  CHECK(*adaptive.deadline() == t0 + 100ms);
  adaptive.add({"main.go", ChangeKind::Created, {}}, t0 + 1ms);
  CHECK(*adaptive.deadline() == t0 + 101ms);
  Debouncer ruled(100ms, 2s, 2ms);
  ruled.add({"config/app.yaml", ChangeKind::Modified, {}}, t0, 500ms);
  CHECK(*ruled.deadline() == t0 + 500ms);
  Debouncer fixed(100ms, 2s);
  fixed.add({"a.go", ChangeKind::Modified, {}}, t0);
  CHECK(*fixed.deadline() == t0 + 100ms);
  Debouncer tiny(1ms, 2s, 2ms);  // never longer than delay itself
  tiny.add({"a.go", ChangeKind::Modified, {}}, t0);
  CHECK(*tiny.deadline() == t0 + 1ms);
}

TEST_CASE("adaptive: while the build writes into the tree, its temp file nets out in one window") {
  Debouncer debouncer(100ms, 2s, 2ms);
  const auto t0 = Clock::time_point{} + 1h;
  // `cp src/app.py bin/app.py.new && mv bin/app.py.new bin/app.py` (bin/app.py is excluded).
  debouncer.treeBusy(t0);
  debouncer.add({"bin/app.py.new", ChangeKind::Created, {}}, t0);
  CHECK(*debouncer.deadline() == t0 + 100ms);  // not lone: the build is running
  CHECK_FALSE(debouncer.takeIfDue(t0 + 2ms));
  debouncer.add({"bin/app.py.new", ChangeKind::Removed, {}}, t0 + 3ms);
  auto changes = debouncer.takeIfDue(t0 + 103ms);
  REQUIRE(changes);
  CHECK(changes->empty());  // nothing for the next build
  // Its temp file and rename read in one batch after its exit: one window, nothing to build.
  debouncer.add({"bin/app.py.new", ChangeKind::Created, {}}, t0 + 300ms);
  debouncer.add({"bin/app.py.new", ChangeKind::Removed, {}}, t0 + 300ms);
  CHECK(*debouncer.deadline() == t0 + 400ms);
  REQUIRE(debouncer.takeIfDue(t0 + 400ms)->empty());
  debouncer.add({"main.go", ChangeKind::Modified, {}}, t0 + 600ms);  // a user's save later
  CHECK(*debouncer.deadline() == t0 + 602ms);
}

TEST_CASE("debouncer: postponed (git holds its lock), the window stays open past max_delay") {
  Debouncer debouncer(100ms, 1s, 2ms);
  const auto t0 = Clock::time_point{} + 1h;
  CHECK_FALSE(debouncer.due(t0));
  for (int i = 0; i < 40; ++i) {
    debouncer.add({"f" + std::to_string(i), ChangeKind::Created, {}}, t0 + i * 50ms);
  }
  CHECK(debouncer.due(t0 + 1s));
  debouncer.postpone(t0 + 1s);  // the cap would have fired here
  CHECK_FALSE(debouncer.due(t0 + 1s));
  CHECK(*debouncer.deadline() == t0 + 1s + 100ms);
  debouncer.add({"late", ChangeKind::Created, {}}, t0 + 1400ms);
  CHECK(*debouncer.deadline() == t0 + 1500ms);  // a full delay, not a lone change's 1 ms
  debouncer.add({"later", ChangeKind::Created, {}}, t0 + 1950ms);
  CHECK(*debouncer.deadline() == t0 + 2s);  // the cap counts from the postponement (asked again)
  auto changes = debouncer.takeIfDue(t0 + 2s);
  REQUIRE(changes);
  CHECK(changes->size() == 42);
}
