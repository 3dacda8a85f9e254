// Reactor::modify: an fd's events change while its handler stays (the dev proxy watches for
// writability only while bytes wait).
#include <doctest/doctest.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/reactor.h"
#include "base/unique_fd.h"

using namespace hotpod;

TEST_CASE("modify switches an fd from readable to writable events, same handler") {
  int pair[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) == 0);
  UniqueFd ours(pair[0]), theirs(pair[1]);
  Reactor reactor;
  std::vector<uint32_t> seen;
  reactor.add(ours.get(), EPOLLIN, [&](uint32_t events) {
    seen.push_back(events);
    reactor.stop();
  });
  // Nothing to read: only the switch to EPOLLOUT (always true on an empty socket) wakes it.
  reactor.modify(ours.get(), EPOLLOUT);
  reactor.run();
  REQUIRE(seen.size() == 1);
  CHECK((seen[0] & EPOLLOUT) != 0);
  CHECK((seen[0] & EPOLLIN) == 0);
  reactor.modify(ours.get(), EPOLLIN);
  REQUIRE(::write(theirs.get(), "x", 1) == 1);
  reactor.run();
  REQUIRE(seen.size() == 2);
  CHECK((seen[1] & EPOLLIN) != 0);
  CHECK((seen[1] & EPOLLOUT) == 0);
  reactor.remove(ours.get());
}
