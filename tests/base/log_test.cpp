// base/log.h: a record written later than what it tells of (log::eventAt) carries the time of
// the event, in JSON and in text, and is filtered by level like any other.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <string>

#include "base/log.h"
#include "support/temp_dir.h"

using namespace hotpod;
using namespace hotpod::testing;

namespace {

// What the log writes to stderr while `body` runs.
template <class Body>
std::string stderrOf(const TempDir& dir, Body body) {
  const auto file = dir.path() / "stderr.txt";
  const int saved = ::dup(2);
  const int out = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(out, 2);
  ::close(out);
  body();
  log::flush();
  ::dup2(saved, 2);
  ::close(saved);
  return readText(file);
}

// Seconds since the epoch of a JSON line's "ts" (UTC, to the second).
std::time_t tsOf(const std::string& line) {
  const auto at = line.find("\"ts\":\"");
  REQUIRE(at != std::string::npos);
  std::tm tm{};
  REQUIRE(::strptime(line.c_str() + at + 6, "%Y-%m-%dT%H:%M:%S", &tm) != nullptr);
  return ::timegm(&tm);
}

}  // namespace

TEST_CASE("log::eventAt stamps a record with the time of the event, not of the write") {
  TempDir dir;
  const auto hour_ago = std::chrono::steady_clock::now() - std::chrono::hours(1);
  const std::time_t expected = std::time(nullptr) - 3600;
  log::setup(LogFormat::Json, spdlog::level::info);
  const std::string json = stderrOf(dir, [&] {
    log::eventAt(hour_ago, spdlog::level::info, "probe", "an hour ago", {{"n", int64_t{1}}});
    log::eventAt(hour_ago, spdlog::level::debug, "hidden", "below the level");
  });
  CHECK(json.find("\"event\":\"probe\"") != std::string::npos);
  CHECK(json.find("\"n\":1") != std::string::npos);
  CHECK(json.find("hidden") == std::string::npos);
  CHECK(tsOf(json) >= expected - 2);
  CHECK(tsOf(json) <= expected + 2);

  log::setup(LogFormat::Text, spdlog::level::info);
  const std::string text =
      stderrOf(dir, [&] { log::eventAt(hour_ago, spdlog::level::warn, "probe", "an hour ago"); });
  CHECK(text.find("an hour ago") != std::string::npos);
  // The text line starts with the local time of day, HH:MM:SS: an hour before now.
  std::tm shown{};
  REQUIRE(::strptime(text.c_str(), "%H:%M:%S", &shown) != nullptr);
  std::tm local{};
  ::localtime_r(&expected, &local);
  const auto secondOfDay = [](const std::tm& t) {
    return t.tm_hour * 3600 + t.tm_min * 60 + t.tm_sec;
  };
  const int apart = (secondOfDay(shown) - secondOfDay(local) + 86400) % 86400;
  CHECK((apart <= 2 || apart >= 86400 - 2));
}
