#include "loop/reload_loop.h"

#include <algorithm>
#include <iterator>

#include "base/log.h"
#include "base/text.h"

namespace hotpod {
namespace {

constexpr size_t kNamedFiles = 5;

}  // namespace

void ReloadLoopDetector::appStarted(Clock::time_point now) {
  started_ = now;
}

bool ReloadLoopDetector::changed(const std::vector<std::string>& paths, Clock::time_point now) {
  const bool right_after_start = started_ && now - *started_ <= window_;
  started_.reset();  // only the first ChangeSet after a start can be its echo
  if (!right_after_start) {
    streak_ = 0;
    suspects_.clear();
    return false;
  }
  const std::set<std::string> now_changed(paths.begin(), paths.end());
  std::set<std::string> common;
  std::set_intersection(suspects_.begin(), suspects_.end(), now_changed.begin(), now_changed.end(),
                        std::inserter(common, common.end()));
  if (streak_ == 0 || common.empty()) {
    suspects_ = now_changed;
    streak_ = 1;
  } else {
    suspects_ = std::move(common);
    ++streak_;
  }
  if (streak_ < kCycles || said_) return false;
  said_ = true;
  std::vector<std::string> named;
  for (const auto& path : suspects_) {
    if (named.size() == kNamedFiles) break;
    named.push_back(path);
  }
  const std::string more = suspects_.size() > named.size()
                               ? " and " + std::to_string(suspects_.size() - named.size()) + " more"
                               : std::string();
  log::warn("reload_loop",
            "reload loop: " + joined(named) + more + " changed right after each of the last " +
                std::to_string(streak_) +
                " app starts, so every start triggers the next one. The app (or a process it "
                "starts) writes into the watched tree: write elsewhere, or exclude them (" +
                excludeAdvice(suspects_) + ", or watch.exclude in hotpod.yaml)",
            {{"files", joined(std::vector<std::string>(suspects_.begin(), suspects_.end()), "\n")},
             {"cycles", int64_t{streak_}}});
  return true;
}

std::string excludeAdvice(const std::set<std::string>& paths) {
  std::string flags;
  size_t shown = 0;
  for (const auto& path : paths) {
    if (shown++ == kNamedFiles) break;
    flags += (flags.empty() ? "--exclude '" : " --exclude '") + path + "'";
  }
  return flags;
}

}  // namespace hotpod
