#pragma once
// What to do when the kernel refuses inotify: one place for the limits and the advice, used by
// the watcher (ENOSPC, EMFILE) and by `backend: auto` (which polls instead and says why).
#include <string>

namespace hotpod {

// The watch limit that applies here: fs.inotify.max_user_watches, or the user namespace's own
// user.max_inotify_watches when that is lower (e.g. in a rootless container).
std::string watchLimitText();

// Why inotify_init1 failed with err, and what to do about it (EMFILE: the per-user instance limit).
std::string inotifyInitAdvice(int err);

}  // namespace hotpod
