#include "watch/inotify_advice.h"

#include <cerrno>
#include <fstream>

namespace hotpod {
namespace {

long long readNumber(const char* path) {
  std::ifstream in(path);
  long long value = -1;
  in >> value;
  return value;
}

}  // namespace

std::string watchLimitText() {
  const long long global = readNumber("/proc/sys/fs/inotify/max_user_watches");
  const long long user_ns = readNumber("/proc/sys/user/max_inotify_watches");
  if (user_ns >= 0 && (global < 0 || user_ns < global)) {
    return "user.max_inotify_watches=" + std::to_string(user_ns) + " in this user namespace";
  }
  return "fs.inotify.max_user_watches=" +
         (global < 0 ? std::string("unknown") : std::to_string(global));
}

std::string inotifyInitAdvice(int err) {
  if (err == EMFILE) {
    const long long limit = readNumber("/proc/sys/fs/inotify/max_user_instances");
    return "too many inotify instances for this user (fs.inotify.max_user_instances=" +
           (limit < 0 ? std::string("unknown") : std::to_string(limit)) +
           "): raise it (sysctl -w fs.inotify.max_user_instances=1024, persisted in "
           "/etc/sysctl.d/), or stop other watchers of this user";
  }
  if (err == ENOSYS) return "this kernel has no inotify";
  return "check that the kernel supports inotify";
}

}  // namespace hotpod
