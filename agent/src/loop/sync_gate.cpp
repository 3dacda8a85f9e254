#include "loop/sync_gate.h"

#include "base/duration.h"
#include "base/log.h"

namespace hotpod {

SyncGate::SyncGate(Reactor& reactor, const std::filesystem::path& root, PathFilter& filter,
                   Debouncer& debouncer, const WatchConfig& watch, Hooks hooks)
    : filter_(filter),
      debouncer_(debouncer),
      // The kernel's events come within milliseconds; a poll scan within two intervals.
      swallow_for_(std::max(Duration{2000}, 2 * watch.poll_interval + watch.delay)),
      hooks_(std::move(hooks)),
      listener_(
          reactor, root,
          {[this](uint64_t batch) { open_[batch]; },
           [this](uint64_t batch, const std::string& path) { open_[batch].insert(path); },
           [this](uint64_t batch) { ended(batch); }, [this](uint64_t batch) { cut(batch); }}) {}

bool SyncGate::swallows(const FileEvent& event, Clock::time_point now) {
  for (const auto& [batch, paths] : open_) {
    if (paths.contains(event.path)) return true;
  }
  if (event.kind == ChangeKind::Removed) return false;
  const auto found = recent_.find(event.path);
  if (found == recent_.end()) return false;
  if (now < found->second) return true;
  recent_.erase(found);
  return false;
}

void SyncGate::remember(const std::set<std::string>& paths) {
  const auto now = Clock::now();
  if (recent_.size() > 100000) std::erase_if(recent_, [&](auto& kv) { return kv.second < now; });
  for (const auto& path : paths) recent_[path] = now + swallow_for_;
}

void SyncGate::ended(uint64_t batch) {
  const auto paths = std::move(open_[batch]);
  open_.erase(batch);
  remember(paths);
  // What the watcher reported before tar's line arrived is part of this sync: one build.
  ChangeSet changes = debouncer_.takeNow();
  for (const auto& path : paths) {
    if (filter_.isRelevant(path)) changes.add({path, ChangeKind::Modified, {}});
  }
  changes.markSynced();
  if (hooks_.finished) hooks_.finished(paths, true);
  log::info("sync_ended",
            "hotpod tar finished a sync of " + std::to_string(paths.size()) + " file(s)",
            {{"files", static_cast<int64_t>(paths.size())}});
  if (!changes.empty()) hooks_.build(changes);
  if (open_.empty()) hooks_.released();
}

void SyncGate::cut(uint64_t batch) {
  const auto paths = std::move(open_[batch]);
  open_.erase(batch);
  remember(paths);
  debouncer_.forget(paths);
  if (hooks_.finished) hooks_.finished(paths, false);
  log::warn("sync_cut",
            "a sync was cut off after " + std::to_string(paths.size()) +
                " file(s); no build until a sync completes",
            {{"files", static_cast<int64_t>(paths.size())}});
  if (open_.empty()) hooks_.released();
}

}  // namespace hotpod
