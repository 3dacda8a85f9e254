#include "proc/reaper.h"

#include <sys/prctl.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"

namespace hotpod {

void Reaper::becomeSubreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    log::warn("subreaper", std::string("cannot become a child subreaper (") + std::strerror(errno) +
                               "); grandchildren of the app are reaped by init instead");
  }
}

bool Reaper::anyChildren() {
  siginfo_t info{};
  // WNOWAIT: looks without reaping. ECHILD is the only answer that rules children out.
  return ::waitid(P_ALL, 0, &info, WEXITED | WSTOPPED | WCONTINUED | WNOHANG | WNOWAIT) == 0 ||
         errno != ECHILD;
}

void Reaper::reapAll() {
  bool reaped_any = false;
  for (;;) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;  // 0: children left but none exited; -1/ECHILD: no children
    reaped_any = true;
    auto owner = owners_.find(pid);
    if (owner == owners_.end()) {
      ++orphans_reaped_;
      log::debug("orphan_reaped", "reaped orphan " + std::to_string(pid),
                 {{"pid", int64_t{pid}}, {"total", static_cast<int64_t>(orphans_reaped_)}});
      continue;
    }
    auto handler = std::move(owner->second);
    owners_.erase(owner);
    handler(status);
  }
  if (!reaped_any) return;
  // Copy: a listener may add or remove listeners.
  auto listeners = listeners_;
  for (const auto& [id, listener] : listeners) listener();
}

}  // namespace hotpod
