#pragma once
// An app (or whatever it starts) that writes into the watched tree right after it starts makes
// every start trigger the next build and restart, forever and with no hint. The loop tells
// ReloadLoopDetector about each start and each ChangeSet; when the same files changed right
// after several starts in a row, it says which, and the exclude that stops the loop.
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hotpod {

class ReloadLoopDetector {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kCycles = 3;  // starts in a row followed by the same changes

  // `window`: how soon after a start a ChangeSet counts as caused by it.
  explicit ReloadLoopDetector(Clock::duration window) : window_(window) {}

  void appStarted(Clock::time_point now);
  // Returns true when this ChangeSet completes a loop (said once per hotpod run).
  bool changed(const std::vector<std::string>& paths, Clock::time_point now);

 private:
  Clock::duration window_;
  std::optional<Clock::time_point> started_;  // the last start no ChangeSet has followed yet
  std::set<std::string> suspects_;            // changed after every start of the streak
  int streak_ = 0;
  bool said_ = false;
};

// "--exclude written.log --exclude logs/today.log": the flags that keep `paths` from triggering.
std::string excludeAdvice(const std::set<std::string>& paths);

}  // namespace hotpod
