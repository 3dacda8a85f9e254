// The inotify watcher fed crafted events through the read seam: what the kernel may deliver but
// a test cannot provoke on demand (a rename split across two reads, a queue overflow, a file
// closed after writing nothing).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include "base/reactor.h"
#include "base/timer.h"
#include "support/syscall_fault.h"
#include "support/temp_dir.h"
#include "watch/inotify_watcher.h"

using namespace hotpod;
using namespace std::chrono_literals;

namespace {

constexpr int kRootWd = 1;  // the first watch of a fresh inotify instance: the root

std::vector<std::vector<char>> g_batches;  // each returned by one read, then EAGAIN
size_t g_next_batch = 0;
bool g_batch_given = false;

void addEvent(std::vector<char>& batch, int wd, uint32_t mask, uint32_t cookie,
              const std::string& name) {
  const size_t name_len = name.empty() ? 0 : (name.size() / 16 + 1) * 16;  // NUL-padded
  std::vector<char> bytes(sizeof(inotify_event) + name_len, '\0');
  inotify_event header{};
  header.wd = wd;
  header.mask = mask;
  header.cookie = cookie;
  header.len = static_cast<uint32_t>(name_len);
  std::memcpy(bytes.data(), &header, sizeof header);
  std::memcpy(bytes.data() + sizeof header, name.data(), name.size());
  batch.insert(batch.end(), bytes.begin(), bytes.end());
}

// Each wake-up of the watcher reads one crafted batch, then finds the queue empty; once the
// batches are used up, the real queue is read.
ssize_t craftedRead(int fd, void* buf, size_t count) {
  if (g_batch_given) {
    g_batch_given = false;
    errno = EAGAIN;
    return -1;
  }
  if (g_next_batch < g_batches.size()) {
    const auto& batch = g_batches[g_next_batch++];
    REQUIRE(batch.size() <= count);
    std::memcpy(buf, batch.data(), batch.size());
    g_batch_given = true;
    return static_cast<ssize_t>(batch.size());
  }
  return sys::realOps().read(fd, buf, count);
}

struct Run {
  std::map<std::string, FileEvent> seen;
  WatchStats stats;
};

// Starts a watcher on `tree`, feeds it `batches`, and runs until `awaited` is reported (a real
// change made by `trigger` wakes the watcher up).
Run watch(testing::TempDir& tree, std::vector<std::vector<char>> batches,
          const std::string& awaited, const std::function<void()>& trigger) {
  g_batches = std::move(batches);
  g_next_batch = 0;
  g_batch_given = false;
  testing::SyscallFault fake_read(&sys::Ops::read, &craftedRead);
  Reactor reactor;
  Run run;
  InotifyWatcher watcher(
      reactor, tree.path(), [](const std::string&) { return true; },
      [&](std::vector<FileEvent> events) {
        for (auto& event : events) run.seen[event.path] = event;
        if (run.seen.contains(awaited)) reactor.stop();
      },
      InotifyOptions{});
  watcher.start();
  trigger();
  Timer guard(reactor, [&] { reactor.stop(); });
  guard.armAfter(10s);
  reactor.run();
  run.stats = watcher.stats();
  return run;
}

void touchFile(testing::TempDir& tree, const std::string& name) {
  tree.write(name, "x");
}

}  // namespace

TEST_CASE("inotify events: a rename split across two reads keeps its origin") {
  testing::TempDir tree;
  tree.write("b.txt", "moved here");
  std::vector<char> first, second;
  addEvent(first, kRootWd, IN_MOVED_FROM, 42, "a.txt");
  addEvent(second, kRootWd, IN_MOVED_TO, 42, "b.txt");
  const Run run = watch(tree, {first, second}, "trigger", [&] { touchFile(tree, "trigger"); });
  REQUIRE(run.seen.contains("b.txt"));
  CHECK((run.seen.at("b.txt").kind == ChangeKind::Renamed));
  CHECK(run.seen.at("b.txt").from == "a.txt");
}

TEST_CASE("inotify events: a file closed after writing nothing is no change") {
  testing::TempDir tree;
  const auto file = tree.write("config.yaml", "unchanged");
  const timespec hour_ago[2] = {{::time(nullptr) - 3600, 0}, {::time(nullptr) - 3600, 0}};
  REQUIRE(::utimensat(AT_FDCWD, file.c_str(), hour_ago, 0) == 0);
  std::vector<char> batch;
  addEvent(batch, kRootWd, IN_CLOSE_WRITE, 0, "config.yaml");  // opened O_RDWR, closed
  const Run run = watch(tree, {batch}, "trigger", [&] { touchFile(tree, "trigger"); });
  CHECK_FALSE(run.seen.contains("config.yaml"));
}

TEST_CASE("inotify events: a queue overflow rescans and finds what the lost events said") {
  testing::TempDir tree;
  tree.write("old.txt", "old");
  std::vector<char> batch;
  addEvent(batch, -1, IN_Q_OVERFLOW, 0, "");
  // lost.txt's own events stay unread in the queue: only the rescan can report it.
  const Run run = watch(tree, {batch}, "lost.txt", [&] { touchFile(tree, "lost.txt"); });
  CHECK(run.stats.overflows == 1);
  REQUIRE(run.seen.contains("lost.txt"));
  CHECK((run.seen.at("lost.txt").kind == ChangeKind::Created));
}
