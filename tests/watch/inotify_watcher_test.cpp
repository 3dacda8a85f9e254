// The inotify watcher on a real directory, with failures injected at the syscall seam.
#include "watch/inotify_watcher.h"

#include <doctest/doctest.h>
#include <sys/inotify.h>

#include <cerrno>
#include <filesystem>
#include <set>

#include "base/reactor.h"
#include "base/timer.h"
#include "support/syscall_fault.h"
#include "support/temp_dir.h"

using namespace hotpod;
using namespace std::chrono_literals;

namespace {

struct Recorder {
  std::set<std::string> paths;
  Reactor* reactor = nullptr;
  std::string awaited;
  void operator()(std::vector<FileEvent> events) {
    for (auto& e : events) paths.insert(e.path);
    if (reactor && paths.contains(awaited)) reactor->stop();
  }
};

const char* g_refused_dir = nullptr;
int addWatchRefusingOneDir(int fd, const char* path, uint32_t mask) {
  if (std::string(path).ends_with(g_refused_dir)) {
    errno = ENOSPC;
    return -1;
  }
  return sys::realOps().inotify_add_watch(fd, path, mask);
}

int g_eintr_left = 0;
ssize_t readWithEintr(int fd, void* buf, size_t count) {
  if (g_eintr_left > 0) {
    --g_eintr_left;
    errno = EINTR;
    return -1;
  }
  return sys::realOps().read(fd, buf, count);
}

int initRefused(int) {
  errno = EMFILE;
  return -1;
}

}  // namespace

TEST_CASE("inotify watcher: ENOSPC names the sysctl and polling still sees the change") {
  testing::TempDir tree;
  tree.write("watched/a.txt", "a");
  tree.write("unwatchable/b.txt", "b");
  g_refused_dir = "/unwatchable";
  testing::SyscallFault fault(&sys::Ops::inotify_add_watch, &addWatchRefusingOneDir);

  Reactor reactor;
  Recorder recorder{{}, &reactor, "unwatchable/b.txt"};
  InotifyWatcher watcher(
      reactor, tree.path(), [](const std::string&) { return true; }, std::ref(recorder),
      InotifyOptions{50ms, std::nullopt, 0.05});
  watcher.start();
  CHECK(watcher.stats().watched_directories == 2);  // root and watched/, not unwatchable/
  tree.write("unwatchable/b.txt", "changed, and no inotify watch sees it");
  Timer guard(reactor, [&] { reactor.stop(); });
  guard.armAfter(30s);
  reactor.run();
  CHECK(recorder.paths.contains("unwatchable/b.txt"));
}

bool g_refusing = true;
int addWatchRefusingUntilFreed(int fd, const char* path, uint32_t mask) {
  if (g_refusing && std::string(path).ends_with("/later")) {
    errno = ENOSPC;
    return -1;
  }
  return sys::realOps().inotify_add_watch(fd, path, mask);
}

TEST_CASE("inotify watcher: a change made while a directory had no watch is seen once it has one") {
  testing::TempDir tree;
  tree.write("later/a.txt", "a");
  g_refusing = true;
  testing::SyscallFault fault(&sys::Ops::inotify_add_watch, &addWatchRefusingUntilFreed);
  Reactor reactor;
  Recorder recorder{{}, &reactor, "later/a.txt"};
  InotifyWatcher watcher(
      reactor, tree.path(), [](const std::string&) { return true; }, std::ref(recorder),
      InotifyOptions{50ms, std::nullopt, 0.05});
  watcher.start();
  CHECK(watcher.stats().watched_directories == 1);  // the root only
  tree.write("later/a.txt", "changed while unwatched");
  g_refusing = false;  // watches were freed: the next poll gets one for later/
  Timer guard(reactor, [&] { reactor.stop(); });
  guard.armAfter(30s);
  reactor.run();
  CHECK(recorder.paths.contains("later/a.txt"));
  CHECK(watcher.stats().watched_directories == 2);
}

TEST_CASE("inotify watcher: EINTR on read is retried, no event is lost") {
  testing::TempDir tree;
  tree.write("a.txt", "a");
  testing::SyscallFault fault(&sys::Ops::read, &readWithEintr);
  Reactor reactor;
  Recorder recorder{{}, &reactor, "a.txt"};
  InotifyWatcher watcher(
      reactor, tree.path(), [](const std::string&) { return true; }, std::ref(recorder),
      InotifyOptions{});
  watcher.start();
  g_eintr_left = 3;
  tree.write("a.txt", "changed");
  Timer guard(reactor, [&] { reactor.stop(); });
  guard.armAfter(30s);
  reactor.run();
  CHECK(recorder.paths.contains("a.txt"));
}

TEST_CASE("inotify watcher: inotify_init1 failure is a system_error that says what to do") {
  testing::TempDir tree;
  testing::SyscallFault fault(&sys::Ops::inotify_init1, &initRefused);
  Reactor reactor;
  InotifyWatcher watcher(
      reactor, tree.path(), [](const std::string&) { return true; }, [](std::vector<FileEvent>) {},
      InotifyOptions{});
  try {
    watcher.start();
    FAIL("start() should have thrown");
  } catch (const std::system_error& error) {
    CHECK(error.code().value() == EMFILE);
    CHECK(std::string(error.what()).find("max_user_instances") != std::string::npos);
  }
}

TEST_CASE("inotify watcher: a missing root is a clear error") {
  Reactor reactor;
  InotifyWatcher watcher(
      reactor, "/nonexistent/hotpod/root", [](const std::string&) { return true; },
      [](std::vector<FileEvent>) {}, InotifyOptions{});
  CHECK_THROWS_WITH_AS(watcher.start(), doctest::Contains("does not exist"), std::system_error);
}

TEST_CASE("inotify watcher: a large subtree that appears at once is read in slices") {
  testing::TempDir tree;
  tree.write("main.txt", "main");
  Reactor reactor;
  std::set<std::string> paths;
  int batches = 0;
  int ticks = 0;
  int ticks_at_first_batch = -1;
  int ticks_at_last_batch = -1;
  std::string rel = "big";
  for (int level = 0; level < 400; ++level) rel += "/d";
  const std::string deepest = rel + "/deepest.txt";
  InotifyWatcher watcher(
      reactor, tree.path(), [](const std::string&) { return true; },
      [&](std::vector<FileEvent> events) {
        ++batches;
        if (ticks_at_first_batch < 0) ticks_at_first_batch = ticks;
        ticks_at_last_batch = ticks;
        for (auto& e : events) paths.insert(e.path);
      },
      InotifyOptions{});
  watcher.start();
  // All of it lands before the watcher reads a single event: one IN_CREATE for "big".
  tree.write(deepest, "x");
  for (int i = 0; i < 3000; ++i) {
    std::filesystem::create_directories(tree.path() / ("big/wide/w" + std::to_string(i)));
  }
  tree.write("big/wide/w2999/f.txt", "x");
  constexpr size_t kDirectories = 1 + 1 + 400 + 1 + 3000;  // root, big, the chain, wide, w*
  Timer ticking(reactor, [&] {
    ++ticks;
    const bool done = paths.contains(deepest) && paths.contains("big/wide/w2999/f.txt") &&
                      watcher.stats().watched_directories == kDirectories;
    if (done) reactor.stop();
    ticking.armAfter(1ms);
  });
  ticking.armAfter(1ms);
  Timer guard(reactor, [&] { reactor.stop(); });
  guard.armAfter(60s);
  reactor.run();
  CHECK(paths.contains(deepest));
  CHECK(paths.contains("big/wide/w2999/f.txt"));
  CHECK(batches > 1);                                 // not one long walk inside one event
  CHECK(ticks_at_last_batch > ticks_at_first_batch);  // the loop turned while the walk went on
  CHECK(watcher.stats().watched_directories == kDirectories);
}
