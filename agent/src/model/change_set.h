#pragma once
// What one build is about: every path that changed during a debounce window, with one
// coalesced kind each (created then modified is created; created then removed is nothing).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/file_event.h"

namespace hotpod {

class ChangeSet {
 public:
  void add(const FileEvent& event);
  void merge(const ChangeSet& other);
  bool empty() const { return changes_.empty(); }
  size_t size() const { return changes_.size(); }
  const std::map<std::string, ChangeKind>& changes() const { return changes_; }
  std::vector<std::string> paths() const;
  // "a.go, b.go, … (3 more)": the first `max_listed` paths, for log lines.
  std::string summary(size_t max_listed = 5) const;
  void clear() {
    changes_.clear();
    synced_ = false;
  }
  void erase(const std::string& path) { changes_.erase(path); }
  // Some of the changes came through a sync (`hotpod tar`), not only from the watcher: the
  // audit record says so ("via"). merge() keeps the mark.
  void markSynced() { synced_ = true; }
  bool synced() const { return synced_; }

 private:
  std::map<std::string, ChangeKind> changes_;  // sorted: stable output for logs and builds
  bool synced_ = false;
};

}  // namespace hotpod
