#pragma once
// One sync, one build: what `hotpod tar` reports over the sync socket (sync/sync_socket.h)
// against what the watcher reports. While a sync is open the loop holds its builds; at its end
// the batch's files (and whatever else was debounced meanwhile) are one build, at once; the
// kernel's events for those files, which follow, are swallowed. A cut sync builds nothing.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <unordered_map>

#include "debounce/debouncer.h"
#include "filter/path_filter.h"
#include "model/config.h"
#include "sync/sync_listener.h"

namespace hotpod {

class SyncGate {
 public:
  using Clock = std::chrono::steady_clock;
  struct Hooks {
    std::function<void(const ChangeSet&)> build;  // the sync ended: build these now
    std::function<void()> released;               // no sync open any more: debounce as usual
    // A batch ended (complete) or was cut off: what it wrote, for the audit log.
    std::function<void(const std::set<std::string>&, bool complete)> finished;
  };

  SyncGate(Reactor& reactor, const std::filesystem::path& root, PathFilter& filter,
           Debouncer& debouncer, const WatchConfig& watch, Hooks hooks);

  // True when the watcher's event is the echo of a file a sync reported (a removal after the
  // sync's end is not: `rm -rf` of synced files is a change of its own).
  bool swallows(const FileEvent& event, Clock::time_point now);
  // A sync is open: builds wait for its end.
  bool holding() const { return !open_.empty(); }
  // The root went away / came back (RootGuard): the socket must not pin the deleted root.
  void rootGone() { listener_.suspend(); }
  void rootBack() { listener_.resume(); }

 private:
  void ended(uint64_t batch);
  void cut(uint64_t batch);
  void remember(const std::set<std::string>& paths);

  PathFilter& filter_;
  Debouncer& debouncer_;
  std::chrono::milliseconds swallow_for_;  // how long after a sync the watcher echoes it
  Hooks hooks_;
  std::map<uint64_t, std::set<std::string>> open_;
  std::unordered_map<std::string, Clock::time_point> recent_;  // path → swallowed until
  SyncListener listener_;  // last: its callbacks use the members above
};

}  // namespace hotpod
