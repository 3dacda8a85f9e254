#pragma once
// Trailing-edge debounce with a cap: a window closes `delay` after the last change, or
// `max_delay` after the first, whichever comes first, so a continuous stream still triggers.
//
// Adaptive (with a `lone_delay`): the first change after the tree was quiet for `delay` waits
// only `lone_delay`, so a single save builds at once; a second change in that window shows a
// storm (tar x, git checkout) and the full `delay` applies from then on, as without it. A
// removal never counts as a lone change: it is usually the first half of a replace (vim's and
// JetBrains' backup-by-rename saves), and a build of the tree without the file would be wasted.
// Pure logic (time is passed in) so it is tested without sleeping; the dev loop (loop/) drives
// it with a reactor timer.
#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <string>

#include "model/change_set.h"

namespace hotpod {

class Debouncer {
 public:
  using Clock = std::chrono::steady_clock;

  // What the dev loop passes as lone_delay: long against the gaps within a save or a storm
  // (a save's own events, tar's next file and git's next checkout arrive within tens of
  // microseconds; git's index.lock keeps a checkout's window open besides), and short against
  // hotpod's part of save → new answer (docs/benchmarks.md: e2e).
  static constexpr std::chrono::microseconds kLoneChangeDelay{100};

  // Without lone_delay every change waits the full delay.
  Debouncer(std::chrono::milliseconds delay, std::chrono::milliseconds max_delay,
            std::optional<std::chrono::microseconds> lone_delay = std::nullopt)
      : delay_(delay),
        max_delay_(max_delay),
        lone_delay_(lone_delay ? std::min<std::chrono::microseconds>(*lone_delay, delay) : delay) {}

  // `delay`: this change's own quiet period (a rule's), instead of the default.
  void add(const FileEvent& event, Clock::time_point now,
           std::optional<std::chrono::milliseconds> delay = std::nullopt);
  // When the current window closes; nullopt when nothing is pending.
  std::optional<Clock::time_point> deadline() const;
  // The window's changes once its deadline has passed (and the window is reset).
  std::optional<ChangeSet> takeIfDue(Clock::time_point now);
  bool due(Clock::time_point now) const { return window_open_ && now >= *deadline(); }
  // Something outside says the tree is still being written (git holds its index.lock): the
  // window stays open a full delay more, and max_delay counts again from now.
  void postpone(Clock::time_point now) {
    first_ = now;
    due_ = now + delay_;
    last_change_ = now;
  }
  bool pending() const { return window_open_; }
  // The window's changes now, due or not (a sync ended: one build for everything).
  ChangeSet takeNow();
  // Drops these paths from the window (a cut sync's files: no build of a half-synced tree).
  void forget(const std::set<std::string>& paths);
  // Something else writes into the tree now (hotpod's own build): the tree is not quiet, so the
  // next change waits the full delay. A build's temp file and its rename over an excluded
  // artefact then net out in one window instead of starting the next build. (Events read after
  // the build's exit need no mark: the watcher hands them over in one batch, where the second
  // change of a window makes it a storm anyway.)
  void treeBusy(Clock::time_point now) { last_change_ = now; }

 private:
  std::chrono::milliseconds delay_;
  std::chrono::milliseconds max_delay_;
  std::chrono::microseconds lone_delay_;
  ChangeSet pending_;
  std::optional<Clock::time_point> last_change_;  // of any window: is the tree quiet?
  bool window_open_ = false;
  Clock::time_point first_{};
  Clock::time_point due_{};  // when every pending change has had its quiet period
};

}  // namespace hotpod
