#pragma once
// Several backends over one tree, e.g. inotify for the root's filesystem and polling below a
// network mount inside it. Each part reports paths relative to the same root.
#include <memory>
#include <string>
#include <vector>

#include "watch/watcher.h"

namespace hotpod {

class CompositeWatcher : public Watcher {
 public:
  explicit CompositeWatcher(std::vector<std::unique_ptr<Watcher>> parts);

  void start() override {
    for (auto& part : parts_) part->start();
  }
  void rescan() override {
    for (auto& part : parts_) part->rescan();
  }
  void refreshWatches() override {
    for (auto& part : parts_) part->refreshWatches();
  }
  std::string_view backend() const override { return name_; }
  WatchStats stats() const override;
  void observeScans(ScanObserver observer) override {
    for (auto& part : parts_) part->observeScans(observer);
  }

 private:
  std::vector<std::unique_ptr<Watcher>> parts_;
  std::string name_;
};

}  // namespace hotpod
