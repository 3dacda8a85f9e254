// The audit log's file: one line per record, rotation by size, a partial last line left by a
// crash removed on open, and only a regular file accepted.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "base/files.h"
#include "base/text.h"
#include "observe/audit_log.h"
#include "observe/audit_trail.h"
#include "support/temp_dir.h"

using namespace hotpod;

namespace {

std::string contents(const std::filesystem::path& path) {
  return readWholeFile(path).value_or("<missing>");
}

AuditConfig configFor(const std::filesystem::path& path, uint64_t max_size = 1 << 20,
                      int keep = 2) {
  AuditConfig config;
  config.path = path;
  config.max_size = max_size;
  config.keep = keep;
  return config;
}

}  // namespace

TEST_CASE("audit log: each record is one line, appended after what is there") {
  testing::TempDir dir;
  const auto path = dir.write("audit.jsonl", "{\"old\":1}\n");
  AuditLog log(configFor(path));
  REQUIRE(log.enabled());
  CHECK(log.append("{\"a\":1}"));
  CHECK(log.append("{\"b\":2}"));
  CHECK(contents(path) == "{\"old\":1}\n{\"a\":1}\n{\"b\":2}\n");
  CHECK_FALSE(AuditLog(AuditConfig{}).enabled());
}

TEST_CASE("audit log: a new file is not readable by others (0640)") {
  testing::TempDir dir;
  AuditLog log(configFor(dir.path() / "audit.jsonl"));
  struct stat st;
  REQUIRE(::stat((dir.path() / "audit.jsonl").c_str(), &st) == 0);
  CHECK((st.st_mode & 0007) == 0);
}

TEST_CASE("audit log: rotated before a line would pass max_size, keeping `keep` files") {
  testing::TempDir dir;
  const auto path = dir.path() / "audit.jsonl";
  const std::string record(40, 'x');  // 41 bytes with the newline
  AuditLog log(configFor(path, 100, 2));
  for (int i = 0; i < 2; ++i) CHECK(log.append(record));  // 82 bytes
  CHECK(log.append("3" + record));                        // would be 124: rotate first
  CHECK(contents(path) == "3" + record + "\n");
  CHECK(contents(rotatedAuditFile(path, 1)) == record + "\n" + record + "\n");
  CHECK(log.append("4" + record));
  CHECK(log.append("5" + record));  // rotates again: .1 moves to .2
  CHECK(contents(path) == "5" + record + "\n");
  CHECK(contents(rotatedAuditFile(path, 1)) == "3" + record + "\n4" + record + "\n");
  CHECK(contents(rotatedAuditFile(path, 2)) == record + "\n" + record + "\n");
  CHECK(log.append("6" + record));
  CHECK(log.append("7" + record));  // the oldest file is dropped: only 2 are kept
  CHECK(contents(rotatedAuditFile(path, 2)) == "3" + record + "\n4" + record + "\n");
  CHECK_FALSE(std::filesystem::exists(rotatedAuditFile(path, 3)));
}

TEST_CASE("audit log: a partial last line from a crash is removed when it is opened") {
  testing::TempDir dir;
  const auto path = dir.write("audit.jsonl", "{\"a\":1}\n{\"b\":2}\n{\"c\":");
  AuditLog log(configFor(path));
  CHECK(contents(path) == "{\"a\":1}\n{\"b\":2}\n");
  CHECK(log.append("{\"d\":4}"));
  CHECK(contents(path) == "{\"a\":1}\n{\"b\":2}\n{\"d\":4}\n");

  const auto whole = dir.write("partial.jsonl", std::string(200000, 'p'));  // no newline at all
  AuditLog other(configFor(whole));
  CHECK(contents(whole).empty());
}

TEST_CASE("audit log: only a regular file; others are refused, named and kept") {
  testing::TempDir dir;
  const auto fifo = dir.path() / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  try {
    AuditLog log(configFor(fifo));
    FAIL("a FIFO was accepted");
  } catch (const std::exception& error) {
    CHECK(std::string(error.what()) ==
          "audit.path: " + fifo.string() +
              " is a named pipe (FIFO), not a regular file; the audit log is appended to a "
              "regular file only: set audit.path to a regular file in a writable directory");
  }
  std::filesystem::create_symlink(dir.path() / "elsewhere", dir.path() / "link");
  CHECK_THROWS_WITH_AS(AuditLog(configFor(dir.path() / "link")),
                       doctest::Contains("is a symbolic link, not a regular file"), std::exception);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "elsewhere"));
  CHECK_THROWS_WITH_AS(AuditLog(configFor(dir.path() / "missing" / "audit.jsonl")),
                       doctest::Contains("create its directory first"), std::system_error);
}

TEST_CASE("audit times: RFC 3339 UTC with milliseconds, read back; dates and seconds too") {
  using namespace std::chrono;
  const auto time = system_clock::time_point(milliseconds(1796335800123));
  CHECK(auditTime(time) == "2026-12-03T22:10:00.123Z");
  CHECK(parseAuditTime("2026-12-03T22:10:00.123Z") == time);
  CHECK(parseAuditTime("2026-12-03T22:10:00Z") == time - milliseconds(123));
  CHECK(parseAuditTime("2026-12-03") == time - milliseconds(123) - hours(22) - minutes(10));
  CHECK_FALSE(parseAuditTime("yesterday"));
  CHECK_FALSE(parseAuditTime("2026-12-03T22:10:00Zjunk"));
}

TEST_CASE("file hashes are FNV-1a 64 of the content") {
  testing::TempDir dir;
  CHECK(hashFile(dir.write("a", "version 1\n"), 100) == "fnv1a64:" + [] {
    std::ostringstream hex;
    uint64_t h = 14695981039346656037ull;
    for (unsigned char c : std::string("version 1\n")) h = (h ^ c) * 1099511628211ull;
    hex << std::hex << h;
    std::string text = hex.str();
    return std::string(16 - text.size(), '0') + text;
  }());
  CHECK_FALSE(hashFile(dir.write("big", std::string(101, 'b')), 100));
  CHECK_FALSE(hashFile(dir.path() / "missing", 100));
}

TEST_CASE("file hashes: a build output larger than a config file (a Go binary) is hashed") {
  // It was read whole with readWholeFile's 1 MiB limit, which threw and ended hotpod.
  testing::TempDir dir;
  std::string content(3 * 1024 * 1024 + 17, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 7919 % 251);
  const auto path = dir.write("app", content);
  char expected[32];
  std::snprintf(expected, sizeof expected, "fnv1a64:%016llx",
                static_cast<unsigned long long>(stableHash(content)));
  CHECK(hashFile(path, AuditTrail::kMaxHashedBytes) == std::string(expected));
  CHECK_FALSE(hashFile(path, content.size() - 1));
}
