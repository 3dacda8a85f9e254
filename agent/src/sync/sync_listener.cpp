#include "sync/sync_listener.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "sync/sync_socket.h"

namespace hotpod {
namespace {

constexpr size_t kMaxClients = 64;
constexpr size_t kMaxLine = 8192;

bool safeRelative(const std::string& path) {
  if (path.empty() || path.front() == '/') return false;
  for (const auto& part : std::filesystem::path(path)) {
    if (part == "..") return false;
  }
  return true;
}

sockaddr_un addressOf(const std::filesystem::path& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.native().size() + 1);
  return address;
}

}  // namespace

SyncListener::SyncListener(Reactor& reactor, const std::filesystem::path& root, SyncEvents events)
    : reactor_(reactor), path_(root / kSyncSocketName), events_(std::move(events)) {
  try {
    listen();
  } catch (const std::exception& e) {
    listener_.reset();
    log::debug("sync_socket", std::string("no sync socket: ") + e.what());
  }
}

void SyncListener::listen() {
  if (path_.native().size() >= sizeof(sockaddr_un::sun_path)) {
    throw std::runtime_error(path_.string() + " is too long for a unix socket");
  }
  std::error_code ignored;
  std::filesystem::create_directory(path_.parent_path(), ignored);
  const sockaddr_un address = addressOf(path_);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) throw std::system_error(errno, std::generic_category(), "socket");
  // A socket file left by a hotpod that was killed answers nobody: replace it. One that answers
  // belongs to another hotpod watching this root, which keeps it.
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (probe &&
      ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0) {
    throw std::runtime_error("another hotpod listens on " + path_.string());
  }
  ::unlink(path_.c_str());
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    throw std::system_error(errno, std::generic_category(), "bind " + path_.string());
  }
  // hotpod tar may run as another user (the app container's); whoever can write the files
  // into the root could start a build anyway.
  ::chmod(path_.c_str(), 0666);
  if (::listen(fd.get(), 16) != 0) {
    throw std::system_error(errno, std::generic_category(), "listen " + path_.string());
  }
  listener_ = std::move(fd);
  reactor_.add(listener_.get(), EPOLLIN, [this](uint32_t) { accept(); });
  log::debug("sync_socket", "hotpod tar reports syncs on " + path_.string(),
             {{"path", path_.string()}});
}

SyncListener::~SyncListener() {
  for (auto& [fd, client] : clients_) reactor_.remove(fd);
  if (!listener_) return;
  reactor_.remove(listener_.get());
  ::unlink(path_.c_str());
}

void SyncListener::suspend() {
  while (!clients_.empty()) close(clients_.begin()->first);
  if (!listener_) return;
  reactor_.remove(listener_.get());
  ::unlink(path_.c_str());
  listener_.reset();
}

void SyncListener::resume() {
  if (listener_) return;
  try {
    listen();
  } catch (const std::exception& e) {
    listener_.reset();
    log::debug("sync_socket", std::string("no sync socket: ") + e.what());
  }
}

void SyncListener::accept() {
  while (true) {
    UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd) return;                               // EAGAIN, or a client that left already
    if (clients_.size() >= kMaxClients) continue;  // closed: that tar syncs unannounced
    const int raw = fd.get();
    reactor_.add(raw, EPOLLIN | EPOLLRDHUP, [this, raw](uint32_t) { read(raw); });
    clients_[raw] = Client{std::move(fd), next_batch_++, {}, false, false};
  }
}

void SyncListener::read(int fd) {
  auto found = clients_.find(fd);
  if (found == clients_.end()) return;
  Client& client = found->second;
  char buffer[16 * 1024];
  while (true) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) return close(fd);
    client.buffer.append(buffer, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t newline; (newline = client.buffer.find('\n', start)) != std::string::npos;
         start = newline + 1) {
      line(client, client.buffer.substr(start, newline - start));
    }
    client.buffer.erase(0, start);
    if (client.buffer.size() > kMaxLine) return close(fd);
  }
}

void SyncListener::line(Client& client, const std::string& text) {
  if (client.ended) return;
  if (text == "begin" && !client.begun) {
    client.begun = true;
    events_.begin(client.batch);
  } else if (text.starts_with("path ") && client.begun) {
    const std::string path = text.substr(5);
    if (safeRelative(path)) events_.path(client.batch, path);
  } else if (text == "end" && client.begun) {
    client.ended = true;
    events_.end(client.batch);
  }
}

void SyncListener::close(int fd) {
  auto found = clients_.find(fd);
  if (found == clients_.end()) return;
  const bool cut = found->second.begun && !found->second.ended;
  const uint64_t batch = found->second.batch;
  reactor_.remove(fd);
  clients_.erase(found);
  if (cut) events_.cut(batch);
}

}  // namespace hotpod
