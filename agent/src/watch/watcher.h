#pragma once
// One abstract interface for every watch backend: inotify, poll, and hybrid (inotify plus a
// slow verification poll, on the same snapshot machinery). A backend registers its fds on the
// reactor and reports batches of FileEvents for files below the root, relative to the root.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "model/file_event.h"

namespace hotpod {

using EventSink = std::function<void(std::vector<FileEvent>)>;

struct WatchStats {
  size_t watched_directories = 0;
  size_t known_files = 0;
  size_t overflows = 0;
  size_t rescans = 0;
  // How often something is polled (the effective, budget-stretched interval); 0: nothing is.
  std::chrono::milliseconds poll_interval{0};

  bool operator==(const WatchStats&) const = default;
};

// Told the wall time of every polling scan (for the scan-duration metric).
using ScanObserver = std::function<void(std::chrono::nanoseconds took)>;

class Watcher {
 public:
  virtual ~Watcher() = default;
  // Scans the tree and starts watching. Throws std::system_error with advice on failure.
  virtual void start() = 0;
  // Re-walks the tree and reports what differs from what is known.
  virtual void rescan() = 0;
  // Re-walks the tree after the ignore rules changed: watches what is included now, forgets
  // what is excluded now, and reports nothing (newly visible files did not change).
  virtual void refreshWatches() = 0;
  virtual std::string_view backend() const = 0;
  virtual WatchStats stats() const = 0;
  virtual void observeScans(ScanObserver observer) = 0;
};

}  // namespace hotpod
