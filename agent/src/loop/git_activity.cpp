#include "loop/git_activity.h"

#include <sys/stat.h>

#include <fstream>
#include <string>
#include <system_error>

#include "base/log.h"

namespace hotpod {
namespace {

// The git directory of the repository holding `root`, or empty.
std::filesystem::path gitDirectoryOf(const std::filesystem::path& root) {
  std::error_code error;
  auto directory = std::filesystem::absolute(root, error);
  if (error) return {};
  for (;;) {
    const auto dot_git = directory / ".git";
    if (std::filesystem::is_directory(dot_git, error)) return dot_git;
    if (std::filesystem::is_regular_file(dot_git, error)) {
      // A worktree or a submodule: "gitdir: PATH", relative to the file's directory.
      std::ifstream file(dot_git);
      std::string line;
      std::getline(file, line);
      if (!line.starts_with("gitdir: ")) return {};
      std::filesystem::path target = line.substr(8);
      return target.is_absolute() ? target : directory / target;
    }
    if (!directory.has_relative_path()) return {};
    directory = directory.parent_path();
  }
}

}  // namespace

GitActivity::GitActivity(const std::filesystem::path& root) {
  if (auto directory = gitDirectoryOf(root); !directory.empty()) lock_ = directory / "index.lock";
}

bool GitActivity::busy(Clock::time_point now) {
  struct stat info {};
  if (lock_.empty() || ::lstat(lock_.c_str(), &info) != 0) {
    seen_since_.reset();
    said_stale_ = false;
    return false;
  }
  if (!seen_since_) seen_since_ = now;
  if (now - *seen_since_ < kStaleAfter) return true;
  if (!said_stale_) {
    said_stale_ = true;
    log::warn("git_lock_stale",
              lock_.string() + " has been there for " + std::to_string(kStaleAfter.count()) +
                  " s: building without waiting for git (if no git command runs, a killed one "
                  "left it: remove it)",
              {{"path", lock_.string()}});
  }
  return false;
}

}  // namespace hotpod
