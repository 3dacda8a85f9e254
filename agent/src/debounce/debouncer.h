#pragma once
// Trailing-edge debounce with a cap: a window closes `delay` after the last change, or
// `max_delay` after the first, whichever comes first, so a continuous stream still triggers.
// Pure logic (time is passed in) so it is tested without sleeping; the dev loop (loop/) drives
// it with a reactor timer.
#include <chrono>
#include <optional>
#include <set>
#include <string>

#include "model/change_set.h"

namespace hotpod {

class Debouncer {
 public:
  using Clock = std::chrono::steady_clock;

  Debouncer(std::chrono::milliseconds delay, std::chrono::milliseconds max_delay)
      : delay_(delay), max_delay_(max_delay) {}

  // `delay`: this change's own quiet period (a rule's), instead of the default.
  void add(const FileEvent& event, Clock::time_point now,
           std::optional<std::chrono::milliseconds> delay = std::nullopt);
  // When the current window closes; nullopt when nothing is pending.
  std::optional<Clock::time_point> deadline() const;
  // The window's changes once its deadline has passed (and the window is reset).
  std::optional<ChangeSet> takeIfDue(Clock::time_point now);
  bool pending() const { return window_open_; }
  // The window's changes now, due or not (a sync ended: one build for everything).
  ChangeSet takeNow();
  // Drops these paths from the window (a cut sync's files: no build of a half-synced tree).
  void forget(const std::set<std::string>& paths);

 private:
  std::chrono::milliseconds delay_;
  std::chrono::milliseconds max_delay_;
  ChangeSet pending_;
  bool window_open_ = false;
  Clock::time_point first_{};
  Clock::time_point due_{};  // when every pending change has had its quiet period
};

}  // namespace hotpod
