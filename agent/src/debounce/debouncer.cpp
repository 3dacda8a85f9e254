#include "debounce/debouncer.h"

#include <algorithm>

namespace hotpod {

void Debouncer::add(const FileEvent& event, Clock::time_point now,
                    std::optional<std::chrono::milliseconds> delay) {
  // A lone change: the window's first, the tree quiet for a whole quiet period before it, and
  // no rule asking for its own quiet period.
  const bool quiet_tree = !last_change_ || now - *last_change_ >= delay_;
  const bool lone = !window_open_ && quiet_tree && !delay && event.kind != ChangeKind::Removed;
  last_change_ = now;
  const auto due = now + (lone ? lone_delay_ : delay.value_or(delay_));
  if (!window_open_) {
    window_open_ = true;
    first_ = now;
    due_ = due;
  }
  due_ = std::max(due_, due);
  pending_.add(event);
}

std::optional<Debouncer::Clock::time_point> Debouncer::deadline() const {
  if (!window_open_) return std::nullopt;
  return std::min(due_, first_ + std::max(max_delay_, delay_));
}

std::optional<ChangeSet> Debouncer::takeIfDue(Clock::time_point now) {
  const auto due = deadline();
  if (!due || now < *due) return std::nullopt;
  window_open_ = false;
  ChangeSet out = std::move(pending_);
  pending_.clear();
  return out;
}

ChangeSet Debouncer::takeNow() {
  window_open_ = false;
  ChangeSet out = std::move(pending_);
  pending_.clear();
  return out;
}

void Debouncer::forget(const std::set<std::string>& paths) {
  for (const auto& path : paths) pending_.erase(path);
  if (pending_.empty()) window_open_ = false;
}

}  // namespace hotpod
