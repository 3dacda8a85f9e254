#pragma once
// The sync socket: how `hotpod tar` tells a running `hotpod run`/`hotpod agent` which files a
// sync writes, so that the loop builds once per sync, at its end. The loop listens on
// ROOT/.hotpod/sync.sock (a unix stream socket inside the watched volume, which the watcher
// never descends into); tar finds it by looking in each written file's directory and its
// parents, so a sidecar that mounts the volume elsewhere is found too.
//
// Protocol, one line each: "begin", then "path REL" (REL relative to the socket's root, sent
// before the file is written), then "end" once the whole archive was read. A connection that
// closes without "end" is a cut stream: the loop builds nothing for it.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/unique_fd.h"

namespace hotpod {

inline constexpr const char* kSyncSocketName = ".hotpod/sync.sock";

// The client side, in hotpod tar.
class SyncNotifier {
 public:
  // Before a file at `absolute` (lexically normal) is written or linked. Per file while no
  // loop answers for its directory: a compare with the last such directory, no allocation.
  void announce(std::string_view absolute);
  // The whole archive was read: every loop told so far gets "end" and builds.
  void finish();

 private:
  // The watched root whose socket answers for `dir`, if any (cached per directory).
  std::optional<std::filesystem::path> rootFor(const std::filesystem::path& dir);
  void send(int fd, const std::filesystem::path& root, const std::string& line);

  std::map<std::filesystem::path, std::optional<std::filesystem::path>> root_of_dir_;
  std::map<std::filesystem::path, UniqueFd> loops_;  // by root
  std::optional<std::string> quiet_dir_;             // the last directory no loop answers for
};

}  // namespace hotpod
