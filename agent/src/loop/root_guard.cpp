#include "loop/root_guard.h"

#include <sys/stat.h>

#include "base/log.h"

namespace hotpod {

bool RootGuard::hold(const ChangeSet& changes) {
  struct stat st;
  if (::stat(root_.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return false;
  held_.merge(changes);
  if (!said_) {
    log::warn("root_gone_no_build",
              "watch root " + root_.string() +
                  " is gone (moved or deleted): no build until it is back; " +
                  std::to_string(changes.size()) + " change(s) wait for it",
              {{"root", root_.string()}});
    said_ = true;
  }
  return true;
}

void RootGuard::release(ChangeSet& changes) {
  said_ = false;
  if (held_.empty()) return;
  held_.merge(changes);
  changes = std::move(held_);
  held_.clear();
}

}  // namespace hotpod
