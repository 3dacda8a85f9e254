#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstring>
#include <string_view>
#include <vector>

#include "sync/sync_socket.h"

namespace hotpod {
namespace {

// A connected stream socket to `path`, or an invalid fd (no listener: a stale socket file).
UniqueFd connectTo(const std::filesystem::path& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string& native = path.native();
  if (native.size() >= sizeof(address.sun_path)) return {};
  std::memcpy(address.sun_path, native.c_str(), native.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return {};
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    return {};
  }
  return fd;
}

}  // namespace

std::optional<std::filesystem::path> SyncNotifier::rootFor(const std::filesystem::path& dir) {
  if (auto known = root_of_dir_.find(dir); known != root_of_dir_.end()) return known->second;
  std::optional<std::filesystem::path> root;
  struct stat info {};
  if (::stat((dir / kSyncSocketName).c_str(), &info) == 0 && S_ISSOCK(info.st_mode)) {
    root = dir;
  } else if (dir.has_relative_path()) {
    root = rootFor(dir.parent_path());
  }
  root_of_dir_[dir] = root;
  return root;
}

void SyncNotifier::send(int fd, const std::filesystem::path& root, const std::string& line) {
  const std::string data = line + "\n";
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      loops_.erase(root);  // the loop went away: the files are written all the same
      return;
    }
    sent += static_cast<size_t>(n);
  }
}

void SyncNotifier::announce(std::string_view absolute) {
  // A name with a newline cannot be a line of the protocol: the watcher reports it instead.
  if (absolute.find('\n') != std::string_view::npos) return;
  // Most extractions have no loop to tell: one string compare per file while the directory
  // stays the same, no std::filesystem::path.
  const std::string_view dir = absolute.substr(0, absolute.rfind('/'));
  if (quiet_dir_ && *quiet_dir_ == dir) return;
  const std::filesystem::path path(absolute);
  const auto root = rootFor(path.parent_path());
  if (!root) {
    quiet_dir_ = std::string(dir);
    return;
  }
  auto loop = loops_.find(*root);
  if (loop == loops_.end()) {
    UniqueFd fd = connectTo(*root / kSyncSocketName);
    if (!fd) {
      root_of_dir_[path.parent_path()] = std::nullopt;
      quiet_dir_ = std::string(dir);
      return;
    }
    loop = loops_.emplace(*root, std::move(fd)).first;
    send(loop->second.get(), *root, "begin");
    loop = loops_.find(*root);
    if (loop == loops_.end()) return;
  }
  send(loop->second.get(), *root, "path " + path.lexically_relative(*root).generic_string());
}

void SyncNotifier::finish() {
  std::vector<std::filesystem::path> roots;
  for (const auto& [root, fd] : loops_) roots.push_back(root);
  for (const auto& root : roots) {
    if (auto loop = loops_.find(root); loop != loops_.end()) send(loop->second.get(), root, "end");
  }
  loops_.clear();
}

}  // namespace hotpod
