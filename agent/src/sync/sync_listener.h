#pragma once
// The loop's side of the sync socket (sync_socket.h): listens on ROOT/.hotpod/sync.sock on the
// reactor and reports each connection's batch — begin, its paths, then end or cut.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "base/reactor.h"
#include "base/unique_fd.h"

namespace hotpod {

struct SyncEvents {
  std::function<void(uint64_t batch)> begin;
  std::function<void(uint64_t batch, const std::string& path)> path;  // relative to the root
  std::function<void(uint64_t batch)> end;  // the whole archive was extracted
  std::function<void(uint64_t batch)> cut;  // the connection closed before "end"
};

class SyncListener {
 public:
  // Never throws: where the socket cannot be made (a read-only root), syncs are seen by the
  // watcher alone, and a debug line says why.
  SyncListener(Reactor& reactor, const std::filesystem::path& root, SyncEvents events);
  ~SyncListener();
  SyncListener(const SyncListener&) = delete;
  SyncListener& operator=(const SyncListener&) = delete;

  bool listening() const { return listener_.valid(); }
  // The root is gone: close the socket. A bound socket pins its directory, and with it the
  // deleted root, whose IN_DELETE_SELF the kernel would hold back until the socket is closed.
  // Open clients are cut.
  void suspend();
  // The root is back: listen again (nothing when already listening).
  void resume();
  const std::filesystem::path& socketPath() const { return path_; }

 private:
  struct Client {
    UniqueFd fd;
    uint64_t batch = 0;
    std::string buffer;
    bool begun = false;
    bool ended = false;
  };
  void listen();
  void accept();
  void read(int fd);
  void line(Client& client, const std::string& text);
  void close(int fd);

  Reactor& reactor_;
  std::filesystem::path path_;
  SyncEvents events_;
  UniqueFd listener_;
  std::map<int, Client> clients_;
  uint64_t next_batch_ = 1;
};

}  // namespace hotpod
