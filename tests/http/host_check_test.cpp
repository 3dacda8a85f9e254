// The DNS rebinding guard: which Host headers hotpod answers.
#include "http/host_check.h"

#include <doctest/doctest.h>

using namespace hotpod;

TEST_CASE("host check: loopback listener serves localhost names only") {
  const ListenAddress loopback{"127.0.0.1", 4687};
  for (const char* host : {"", "localhost", "localhost:4687", "LOCALHOST:4687", "127.0.0.1:4687",
                           "127.0.0.2", "[::1]:4687", "app.localhost:4687", "localhost."}) {
    INFO(host);
    CHECK(hostAllowed(host, loopback, {}));
  }
  for (const char* host : {"evil.example:4687", "rebind.attacker.test", "10.0.0.5:4687",
                           "localhost.evil.example", "127.0.0.1.nip.io"}) {
    INFO(host);
    CHECK_FALSE(hostAllowed(host, loopback, {}));
  }
}

TEST_CASE("host check: on every interface, IP literals (probes, scrapes) are served") {
  for (const ListenAddress& any : {ListenAddress{"0.0.0.0", 4687}, ListenAddress{"::", 4687}}) {
    CHECK(hostAllowed("10.244.1.17:4687", any, {}));  // kubelet: Host: POD_IP:PORT
    CHECK(hostAllowed("[fd00::17]:4687", any, {}));
    CHECK(hostAllowed("localhost:4687", any, {}));
    CHECK_FALSE(hostAllowed("rebind.attacker.test:4687", any, {}));
    CHECK_FALSE(hostAllowed("hotpod.dev.svc:4687", any, {}));
    CHECK(hostAllowed("hotpod.dev.svc:4687", any, {"hotpod.dev.svc"}));
    CHECK(hostAllowed("Hotpod.Dev.Svc.", any, {"hotpod.dev.svc"}));
  }
}

TEST_CASE("host check: the listen host itself is served") {
  const ListenAddress named{"devbox.lan", 4687};
  CHECK(hostAllowed("devbox.lan:4687", named, {}));
  CHECK(hostAllowed("DEVBOX.LAN", named, {}));
  CHECK_FALSE(hostAllowed("other.lan:4687", named, {}));
  const ListenAddress ip{"192.168.1.5", 4687};
  CHECK(hostAllowed("192.168.1.5:4687", ip, {}));
}
