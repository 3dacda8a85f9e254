// backend: auto — what it chooses, and that it polls (and says why) when no inotify instance can
// be had, instead of ending the run.
#include "watch/backend_selection.h"

#include <doctest/doctest.h>

#include <cerrno>
#include <string>

#include "base/reactor.h"
#include "base/timer.h"
#include "support/syscall_fault.h"
#include "support/temp_dir.h"

using namespace hotpod;
using namespace std::chrono_literals;

namespace {

int tooManyInstances(int) {
  errno = EMFILE;
  return -1;
}

bool descendEverywhere(const std::string&) {
  return true;
}

}  // namespace

TEST_CASE("backend auto: EMFILE from inotify_init1 falls back to polling and says why") {
  testing::TempDir tree;
  tree.write("src/a.txt", "a");
  testing::SyscallFault fault(&sys::Ops::inotify_init1, &tooManyInstances);
  WatchConfig config;
  config.backend = WatchBackend::Auto;
  config.poll_interval = 50ms;

  const BackendPlan plan = planBackend(config, tree.path(), descendEverywhere);
  CHECK(plan.name == "poll");
  CHECK(plan.inotify_failed);
  CHECK(plan.reason.find("max_user_instances") != std::string::npos);

  // The run goes on: the watcher starts and sees a change.
  Reactor reactor;
  bool seen = false;
  auto watcher = makeWatcher(reactor, config, tree.path(), descendEverywhere,
                             [&](std::vector<FileEvent> events) {
                               for (const auto& event : events) seen |= event.path == "src/a.txt";
                               if (seen) reactor.stop();
                             });
  CHECK(watcher->backend() == "poll");
  REQUIRE_NOTHROW(watcher->start());
  tree.write("src/a.txt", "changed, and longer");
  Timer guard(reactor, [&] { reactor.stop(); });
  guard.armAfter(30s);
  reactor.run();
  CHECK(seen);
}

TEST_CASE("backend inotify (as configured): EMFILE still ends the run with the advice") {
  testing::TempDir tree;
  testing::SyscallFault fault(&sys::Ops::inotify_init1, &tooManyInstances);
  WatchConfig config;
  config.backend = WatchBackend::Inotify;
  Reactor reactor;
  auto watcher =
      makeWatcher(reactor, config, tree.path(), descendEverywhere, [](std::vector<FileEvent>) {});
  CHECK_THROWS_WITH(watcher->start(), doctest::Contains("max_user_instances"));
}

TEST_CASE("backend auto: FUSE (and virtiofs) roots get hybrid, verified at the poll interval") {
  CHECK(describeMagic(0x65735546).kind == FsKind::PartialEvents);
  CHECK(describeMagic(0x01021997).kind == FsKind::NeedsPolling);  // 9p: no events at all
  CHECK(describeMagic(0x6969).kind == FsKind::NeedsPolling);      // nfs
}
