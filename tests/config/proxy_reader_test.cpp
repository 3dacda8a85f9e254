// The proxy section: values, defaults, and mistakes reported with their place and the fix.
#include <doctest/doctest.h>

#include "config/loader.h"
#include "config_error_for.h"

using namespace hotpod;
using hotpod::testing::errorFor;

namespace {
ProxyConfig proxyOf(std::string_view yaml) {
  return parseConfigText(yaml, "hotpod.yaml").proxy;
}
}  // namespace

TEST_CASE("proxy: off by default; a listen address turns it on with the defaults") {
  CHECK_FALSE(proxyOf("").enabled);
  const ProxyConfig proxy = proxyOf("proxy:\n  listen: ':8080'\n");
  CHECK(proxy.enabled);
  CHECK(proxy.listen == "0.0.0.0:8080");
  CHECK(proxy.hold_timeout == Duration{30000});
  CHECK(proxy.handover == Handover::StopFirst);
  CHECK(proxy.inject);
}

TEST_CASE("proxy: every key read") {
  const ProxyConfig proxy = proxyOf(
      "proxy:\n  listen: 127.0.0.1:9000\n  hold_timeout: 5s\n  handover: overlap\n"
      "  inject: false\n");
  CHECK(proxy.listen == "127.0.0.1:9000");
  CHECK(proxy.hold_timeout == Duration{5000});
  CHECK(proxy.handover == Handover::Overlap);
  CHECK_FALSE(proxy.inject);
  CHECK_FALSE(proxyOf("proxy:\n  listen: 'off'\n").enabled);
}

TEST_CASE("proxy: mistakes name file:line:column, the key and the fix") {
  CHECK(errorFor("proxy:\n  hold_timeout: 5s\n") ==
        "hotpod.yaml:1:1: proxy.listen: the proxy needs an address to listen on; add 'listen: "
        "0.0.0.0:8080' (the port users connect to) under proxy:");
  CHECK(errorFor("proxy:\n  listen: 8080\n") ==
        "hotpod.yaml:2:11: proxy.listen: invalid address '8080': missing ':PORT'; write "
        "HOST:PORT, the address users connect to, e.g. 0.0.0.0:8080 or :8080");
  CHECK(errorFor("proxy:\n  listen: ':0'\n") ==
        "hotpod.yaml:2:11: proxy.listen: invalid address ':0': the port must be given; write "
        "HOST:PORT, the address users connect to, e.g. 0.0.0.0:8080 or :8080");
  CHECK(errorFor("proxy: {listen: ':80', handover: blue-green}\n")
            .starts_with("hotpod.yaml:1:34: proxy.handover: "));
  CHECK(errorFor("proxy: {listen: ':80', hold_timeout: 0s}\n") ==
        "hotpod.yaml:1:38: proxy.hold_timeout: must be longer than 0; e.g. 30s: how long a "
        "request may wait for a ready version");
  CHECK(errorFor("proxy: {listen: ':80', hold_timout: 1s}\n")
            .starts_with("hotpod.yaml:1:24: proxy.hold_timout: unknown key"));
}
