#pragma once
// The watched root moved away or deleted (`mv src src.old`, a volume unmounted): its files look
// removed, but a build there can only fail (its working directory is gone). The changes wait
// until the root is back, and are then built together with what changed since.
#include <filesystem>

#include "model/change_set.h"

namespace hotpod {

class RootGuard {
 public:
  explicit RootGuard(std::filesystem::path root) : root_(std::move(root)) {}

  // True when the root is gone: the changes are kept for later (and that is said once).
  bool hold(const ChangeSet& changes);
  // Adds the changes held while the root was gone (once it is back) to `changes`.
  void release(ChangeSet& changes);

 private:
  std::filesystem::path root_;
  ChangeSet held_;
  bool said_ = false;
};

}  // namespace hotpod
