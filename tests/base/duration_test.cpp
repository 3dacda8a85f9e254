#include "base/duration.h"

#include <doctest/doctest.h>

using hotpod::Duration;
using hotpod::formatDuration;
using hotpod::parseDuration;

TEST_CASE("parseDuration reads each unit") {
  CHECK(parseDuration("250ms") == Duration{250});
  CHECK(parseDuration("5s") == Duration{5000});
  CHECK(parseDuration("2m") == Duration{120000});
  CHECK(parseDuration("1h") == Duration{3600000});
}

TEST_CASE("parseDuration reads fractions and compound durations") {
  CHECK(parseDuration("1.5s") == Duration{1500});
  CHECK(parseDuration("0.1s") == Duration{100});
  CHECK(parseDuration(".5s") == Duration{500});
  CHECK(parseDuration("2.s") == Duration{2000});
  CHECK(parseDuration("1m30s") == Duration{90000});
  CHECK(parseDuration("1h2m3s4ms") == Duration{3723004});
  CHECK(parseDuration("1.5ms") == Duration{2});  // rounded to the nearest millisecond
}

TEST_CASE("parseDuration reads zero with or without a unit") {
  CHECK(parseDuration("0") == Duration{0});
  CHECK(parseDuration("0s") == Duration{0});
  CHECK(parseDuration("0ms") == Duration{0});
}

TEST_CASE("parseDuration rejects what is not a duration") {
  for (const char* text : {"",    "5",   "10",  "1.5",  "-5s",  "+5s", "5x",
                           "5S",  "5 s", " 5s", "5s ",  "s",    "ms",  ".s",
                           "5us", "5ns", "1d",  "5sec", "1m30", "0.0", "99999999999999999999h"}) {
    CAPTURE(text);
    CHECK_FALSE(parseDuration(text).has_value());
  }
}

TEST_CASE("formatDuration picks the shortest spelling") {
  CHECK(formatDuration(Duration{0}) == "0s");
  CHECK(formatDuration(Duration{250}) == "250ms");
  CHECK(formatDuration(Duration{5000}) == "5s");
  CHECK(formatDuration(Duration{120000}) == "2m");
  CHECK(formatDuration(Duration{90000}) == "1m30s");
  CHECK(formatDuration(Duration{1500}) == "1.5s");
  CHECK(formatDuration(Duration{1005}) == "1.005s");
  CHECK(formatDuration(Duration{3600000}) == "1h");
  CHECK(formatDuration(Duration{3630000}) == "1h30s");
  CHECK(formatDuration(Duration{-5000}) == "-5s");
}

TEST_CASE("formatDuration output parses back to the same value") {
  for (long long ms : {0LL, 1LL, 999LL, 1000LL, 1001LL, 59999LL, 61500LL, 3599999LL, 7322004LL}) {
    CAPTURE(ms);
    CHECK(parseDuration(formatDuration(Duration{ms})) == Duration{ms});
  }
}

TEST_CASE("Go's syntax adds the sub-millisecond units, rounded to milliseconds") {
  using hotpod::DurationSyntax;
  CHECK(parseDuration("1500us", DurationSyntax::Go) == Duration{2});
  CHECK(parseDuration("2000000ns", DurationSyntax::Go) == Duration{2});
  CHECK(parseDuration("1s500\xC2\xB5s", DurationSyntax::Go) == Duration{1001});
  CHECK(parseDuration("1m30s", DurationSyntax::Go) == Duration{90000});
  CHECK_FALSE(parseDuration("500us"));  // hotpod.yaml keeps milliseconds as its finest unit
  CHECK_FALSE(parseDuration("1,5s", DurationSyntax::Go));
}
