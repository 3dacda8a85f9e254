#pragma once
// Is git writing the tree right now? `git checkout`, `merge`, `rebase`, `stash` and `reset` hold
// the repository's index.lock from before they write the first file until after the last one.
// While it exists the debounce window stays open, past watch.max_delay, so a checkout that takes
// longer than the cap (a big one, or a slow disk) is still one build, after git is done — the
// way watchman's state-enter/state-leave defers subscribers during an hg update. A lock that
// stays (a git killed mid-way) stops counting after kStaleAfter, which is said once.
#include <chrono>
#include <filesystem>
#include <optional>

namespace hotpod {

class GitActivity {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kStaleAfter{30};

  // Finds the repository that holds `root` (root itself or a directory above it; a worktree's
  // or submodule's `.git` file is followed). Outside a repository it is never busy.
  explicit GitActivity(const std::filesystem::path& root);

  bool busy(Clock::time_point now);
  const std::filesystem::path& lockFile() const { return lock_; }

 private:
  std::filesystem::path lock_;  // empty: not in a git repository
  std::optional<Clock::time_point> seen_since_;
  bool said_stale_ = false;
};

}  // namespace hotpod
