// OverlapGate: a candidate is probed on its own port and promoted (requests go to it) once it
// accepts connections, or abandoned after the ready timeout; a replaced candidate's probe does
// not count. Real sockets on 127.0.0.1 and a real DevProxy on the reactor.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <string>

#include "base/timer.h"
#include "base/unique_fd.h"
#include "proxy/overlap_gate.h"

using namespace hotpod;
using namespace std::chrono_literals;

namespace {

// A socket listening on 127.0.0.1 (a version that accepts connections); sets `port`.
UniqueFd listenOnLoopback(int& port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(fd.get(), 8) == 0);
  REQUIRE(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) == 0);
  port = ntohs(address.sin_port);
  return fd;
}

struct GateRun {
  explicit GateRun(Duration ready_timeout = Duration{20000}) : app(readyWithin(ready_timeout)) {}

  Reactor reactor;
  DevProxy proxy{reactor, proxyConfig()};
  AppConfig app;
  bool pending = true;
  int promoted = 0;
  std::string abandoned;
  OverlapGate gate{reactor, proxy, app,
                   OverlapGate::Hooks{[this] { return pending; }, [this] { ++promoted; },
                                      [this](const std::string& why) { abandoned = why; }}};
  Timer guard{reactor, [this] { reactor.stop(); }};

  static AppConfig readyWithin(Duration timeout) {
    AppConfig config;
    config.ready_timeout = timeout;
    return config;
  }
  static ProxyConfig proxyConfig() {
    ProxyConfig config;
    config.enabled = true;
    config.listen = "127.0.0.1:" + std::to_string(pickFreePort());
    return config;
  }
  // Runs the reactor for `how_long` (the hooks only record what happened).
  void runFor(std::chrono::milliseconds how_long) {
    guard.armAfter(how_long);
    reactor.run();
  }
};

}  // namespace

TEST_CASE("a candidate that accepts connections is promoted and gets the requests") {
  GateRun run;
  int port = 0;
  const UniqueFd listener = listenOnLoopback(port);
  run.gate.candidateStarted(port, "7");
  run.runFor(300ms);
  CHECK(run.promoted == 1);
  CHECK(run.abandoned.empty());
  CHECK(run.proxy.ready());
  CHECK(run.proxy.upstreamPort() == port);
}

TEST_CASE("a candidate that never listens is abandoned after the ready timeout") {
  GateRun run(Duration{100});
  run.gate.candidateStarted(pickFreePort(), "7");  // nothing listens there
  run.runFor(400ms);
  CHECK(run.promoted == 0);
  CHECK(run.abandoned.rfind("not ready within 100ms (", 0) == 0);
  CHECK_FALSE(run.proxy.ready());
}

TEST_CASE("a replaced candidate's probe does not count, and a gone one is neither") {
  GateRun run(Duration{100});
  int port = 0;
  const UniqueFd listener = listenOnLoopback(port);
  run.gate.candidateStarted(pickFreePort(), "6");  // never ready: its timeout passes below
  run.gate.candidateStarted(pickFreePort(), "7");
  run.gate.candidateGone();  // it exited; its probe goes on the next turn, not the next one's
  run.gate.candidateStarted(port, "8");
  run.runFor(400ms);
  CHECK(run.promoted == 1);
  CHECK(run.abandoned.empty());

  GateRun gone;
  gone.pending = false;  // the restarter dropped it meanwhile
  gone.gate.candidateStarted(port, "9");
  gone.runFor(300ms);
  CHECK(gone.promoted == 0);
  CHECK(gone.abandoned.empty());
  CHECK_FALSE(gone.proxy.ready());
}

TEST_CASE("overlap gets two different ports, stop-first one; {port} is replaced per version") {
  const auto two = pickAppPorts(Handover::Overlap);
  CHECK(two[0] != two[1]);
  const auto one = pickAppPorts(Handover::StopFirst);
  CHECK(one[0] == one[1]);
  RunConfig run;
  run.cmd = Command::direct({"app", "--listen=:{port}", "{port}"});
  CHECK(runOnPort(run, 81).cmd.argv == std::vector<std::string>{"app", "--listen=:81", "81"});
  CHECK(run.cmd.argv[2] == "{port}");  // the template stays for the next version
}
