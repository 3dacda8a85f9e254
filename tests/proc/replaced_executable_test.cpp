// A build that renames a new binary over the running app's (go build does) leaves the old
// version as the last holder of the old file: its exit used to free it, and on ext4 mounted with
// `discard` the exit then waited for the disk before hotpod could see it and start the next
// version. The group now holds the file while it stops and lets it go after the gone handler.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "base/reactor.h"
#include "base/timer.h"
#include "proc/process_group.h"
#include "proc/reaper.h"
#include "support/temp_dir.h"

using namespace hotpod;
using namespace hotpod::testing;
using namespace std::chrono_literals;

namespace {

// Whether this process has an fd open on `path` after it was deleted (or renamed over).
bool holdsDeletedFile(const std::filesystem::path& path) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", error)) {
    const auto target = std::filesystem::read_symlink(entry.path(), error);
    if (!error && target.string() == path.string() + " (deleted)") return true;
  }
  return false;
}

// The background close finishes on a thread of its own: wait for it, bounded.
bool releasedWithin(const std::filesystem::path& path, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (holdsDeletedFile(path)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    ::usleep(1000);
  }
  return true;
}

}  // namespace

TEST_CASE("a replaced executable is held while its group stops and let go after") {
  TempDir dir;
  // As /proc/self/fd shows it: a TMPDIR behind a symlink is resolved there.
  const auto program = std::filesystem::canonical(dir.path()) / "app";
  std::filesystem::copy_file("/bin/sleep", program);
  Reactor reactor;
  Reaper reaper;
  bool gone = false;
  bool held_when_gone = false;
  ProcessGroup group(
      reactor, reaper, [](std::string_view) {},
      [&](const ExitInfo&) {
        gone = true;
        held_when_gone = holdsDeletedFile(program);
        reactor.stop();
      });
  SpawnSpec spec;
  spec.argv = {program.string(), "30"};
  spec.cwd = dir.path();
  spec.new_session = true;
  group.start(spec);

  const auto stop = [&] {
    group.terminate(SIGTERM, 5s);
    Timer guard(reactor, [&] { reactor.stop(); });
    guard.armAfter(10s);
    reactor.run();
    REQUIRE(gone);
  };

  SUBCASE("renamed over by a build: held until the next version could start") {
    std::filesystem::copy_file("/bin/sleep", program.string() + ".new");
    std::filesystem::rename(program.string() + ".new", program);
    stop();
    CHECK(held_when_gone);
    CHECK(releasedWithin(program, 10s));
  }
  SUBCASE("not replaced: nothing is held") {
    stop();
    CHECK_FALSE(held_when_gone);
  }
}
