#include "watch/composite_watcher.h"

namespace hotpod {

CompositeWatcher::CompositeWatcher(std::vector<std::unique_ptr<Watcher>> parts)
    : parts_(std::move(parts)) {
  for (const auto& part : parts_) {
    if (!name_.empty()) name_ += '+';
    name_ += part->backend();
  }
}

WatchStats CompositeWatcher::stats() const {
  WatchStats total;
  for (const auto& part : parts_) {
    const auto stats = part->stats();
    total.watched_directories += stats.watched_directories;
    total.known_files += stats.known_files;
    total.overflows += stats.overflows;
    total.rescans += stats.rescans;
    total.poll_interval = std::max(total.poll_interval, stats.poll_interval);
  }
  return total;
}

}  // namespace hotpod
