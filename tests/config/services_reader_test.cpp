#include <doctest/doctest.h>

#include "config/config_error_for.h"
#include "config/loader.h"

using namespace hotpod;
using hotpod::testing::errorFor;
using namespace std::chrono_literals;

namespace {

const char* kThreeServices = R"(watch:
  include_ext: [go]
  delay: 200ms
build:
  timeout: 1m
run:
  stop_timeout: 2s
services:
  api:
    paths: [services/api, lib/]
    dir: services/api
    build: {cmd: go build -o ../../bin/api .}
    run: {cmd: ../../bin/api}
  worker:
    paths: ['services/worker/**', 'lib/', '!lib/testdata/']
    build:
      cmd: go build -o bin/worker ./services/worker
    run:
      cmd: [bin/worker, --queue, jobs]
    app: {health_url: 'http://127.0.0.1:9001/healthz'}
  web:
    paths: [web]
    watch: {include_ext: [js, css]}
    run: {cmd: ./web/serve.sh}
)";

}  // namespace

TEST_CASE("services: each service reads its keys over the top-level defaults") {
  const Config config = parseConfigText(kThreeServices, "hotpod.yaml");
  REQUIRE(config.services.size() == 3);
  const auto& api = config.services[0];
  CHECK(api.name == "api");
  CHECK(api.line == 9);
  CHECK(api.paths == std::vector<std::string>{"services/api", "lib/"});
  CHECK(api.dir == "services/api");
  CHECK(api.config.build.cmd == "go build -o ../../bin/api .");
  CHECK(api.config.build.timeout == 60s);    // inherited
  CHECK(api.config.run.stop_timeout == 2s);  // inherited
  CHECK(api.config.watch.include_ext == std::vector<std::string>{"go"});
  CHECK(api.config.watch.delay == 200ms);
  CHECK(api.config.services.empty());

  const auto& worker = config.services[1];
  CHECK(worker.name == "worker");
  CHECK(worker.dir.empty());
  CHECK(worker.paths == std::vector<std::string>{"services/worker/**", "lib/", "!lib/testdata/"});
  CHECK(worker.config.run.cmd.argv == std::vector<std::string>{"bin/worker", "--queue", "jobs"});
  CHECK(worker.config.app.health_url == "http://127.0.0.1:9001/healthz");
  CHECK(config.app.health_url.empty());  // a service's keys never reach the top level

  const auto& web = config.services[2];
  CHECK(web.config.watch.include_ext == std::vector<std::string>{"js", "css"});
  CHECK(web.config.build.cmd.empty());
  CHECK(web.config.watch.delay == 200ms);
}

TEST_CASE("services: defaults written after services still apply to them") {
  const Config config =
      parseConfigText("services:\n  a: {paths: [a]}\nbuild:\n  cmd: make\n", "hotpod.yaml");
  REQUIRE(config.services.size() == 1);
  CHECK(config.services[0].config.build.cmd == "make");
}

TEST_CASE("build.parallel: top level only, a whole number or auto") {
  CHECK(parseConfigText("build: {parallel: 3}\n", "hotpod.yaml").build.parallel == 3);
  CHECK(parseConfigText("build: {parallel: auto}\n", "hotpod.yaml").build.parallel == 0);
  CHECK(errorFor("build: {parallel: 0}\n") ==
        "hotpod.yaml:1:19: build.parallel: invalid number of parallel builds '0'; write a whole "
        "number from 1 to 256, e.g. parallel: 2, or auto (the number of cores)");
  CHECK(errorFor("services:\n  a:\n    paths: [a]\n    build: {parallel: 2}\n") ==
        "hotpod.yaml:4:23: services.a.build.parallel: build.parallel is shared by all services; "
        "set it at the top level: build: {parallel: 2}");
}

TEST_CASE("services: each service has its own proxy, the top-level proxy keys are its defaults") {
  const Config config = parseConfigText(
      "proxy: {hold_timeout: 5s, handover: overlap}\n"
      "services:\n"
      "  api: {paths: [api], proxy: {listen: '127.0.0.1:8081'}}\n"
      "  web: {paths: [web], proxy: {listen: ':8082', handover: stop-first}}\n"
      "  worker: {paths: [worker], proxy: {listen: 'off'}}\n",
      "hotpod.yaml");
  REQUIRE(config.services.size() == 3);
  const ProxyConfig& api = config.services[0].config.proxy;
  CHECK(api.enabled);
  CHECK(api.listen == "127.0.0.1:8081");
  CHECK(api.hold_timeout == 5s);  // inherited
  CHECK(api.handover == Handover::Overlap);
  const ProxyConfig& web = config.services[1].config.proxy;
  CHECK(web.listen == "0.0.0.0:8082");
  CHECK(web.handover == Handover::StopFirst);
  CHECK_FALSE(config.services[2].config.proxy.enabled);
  // One service may inherit the whole proxy, address included.
  const Config one = parseConfigText(
      "proxy: {listen: '127.0.0.1:8080'}\nservices:\n  a: {paths: [a]}\n", "hotpod.yaml");
  CHECK(one.services[0].config.proxy.listen == "127.0.0.1:8080");
}

TEST_CASE("services: two services cannot share a proxy address") {
  CHECK(errorFor("proxy: {listen: '127.0.0.1:8080'}\nservices:\n  a: {paths: [a]}\n"
                 "  b: {paths: [b]}\n") ==
        "hotpod.yaml:4:3: services.b.proxy.listen: services 'a' and 'b' would both listen on "
        "127.0.0.1:8080 (inherited from the top-level proxy:; 'a' at hotpod.yaml:3:3); give each "
        "service its own address: b: {proxy: {listen: 127.0.0.1:PORT}}, or proxy: {listen: off}");
  CHECK(errorFor("services:\n  a: {paths: [a], proxy: {listen: ':8080'}}\n"
                 "  b:\n    paths: [b]\n    proxy: {listen: '127.0.0.1:8080'}\n") ==
        "hotpod.yaml:5:21: services.b.proxy.listen: services 'a' and 'b' would both listen on "
        "127.0.0.1:8080 ('a' at hotpod.yaml:2:35); give each service its own address: b: "
        "{proxy: {listen: 127.0.0.1:PORT}}, or proxy: {listen: off}");
  CHECK(errorFor("proxy: {handover: overlap}\nservices:\n  a: {paths: [a]}\n") ==
        "hotpod.yaml:3:3: services.a.proxy.listen: service 'a' has a proxy (from the top-level "
        "proxy:) but no address; give it one: a: {proxy: {listen: 127.0.0.1:8081}}, or turn it "
        "off for this service: proxy: {listen: off}");
  CHECK(errorFor("services:\n  a: {paths: [a], proxy: {inject: false}}\n") ==
        "hotpod.yaml:2:19: services.a.proxy.listen: the proxy needs an address to listen on; add "
        "'listen: 0.0.0.0:8080' (the port users connect to) under proxy:");
  // Without services a proxy still needs its address at once.
  CHECK(errorFor("proxy: {inject: false}\n") ==
        "hotpod.yaml:1:1: proxy.listen: the proxy needs an address to listen on; add "
        "'listen: 0.0.0.0:8080' (the port users connect to) under proxy:");
}

TEST_CASE("a config without services has none") {
  CHECK(parseConfigText("build: {cmd: make}\n", "hotpod.yaml").services.empty());
  CHECK(parseConfigText("services:\n", "hotpod.yaml").services.empty());
}

TEST_CASE("services: errors name the service, the position and the key") {
  CHECK(errorFor("services:\n  api:\n    paths: [api]\n    build:\n      cmd: [go, build]\n") ==
        "hotpod.yaml:5:12: services.api.build.cmd: expected a string; the build runs through "
        "/bin/sh -c; write it as one line, e.g. cmd: go build");
  CHECK(errorFor("services:\n  api:\n    paths: [api]\n    bild: {cmd: make}\n") ==
        "hotpod.yaml:4:5: services.api.bild: unknown key; did you mean 'build'?");
  CHECK(errorFor("services:\n  api:\n    build: {cmd: make}\n") ==
        "hotpod.yaml:2:3: services.api.paths: service 'api' has no paths; add paths: [api/] "
        "(the directories whose changes concern it)");
  CHECK(errorFor("services:\n  api:\n    paths: [api]\n    http: {listen: ':1'}\n") ==
        "hotpod.yaml:4:5: services.api.http: 'http' is shared by all services; set it at the "
        "top level of hotpod.yaml, outside 'services:'");
  CHECK(errorFor("services:\n  api:\n    paths: ['../other']\n") ==
        "hotpod.yaml:3:13: services.api.paths: '../other' leaves root; write paths relative to "
        "root, e.g. services/api; widen root if needed");
  CHECK(errorFor("services:\n  api:\n    paths: []\n") ==
        "hotpod.yaml:3:12: services.api.paths: a service needs at least one path; e.g. paths: "
        "[services/api, lib/] (directories or gitignore-style patterns)");
  CHECK(errorFor("services:\n  'a b':\n    paths: [x]\n") ==
        "hotpod.yaml:2:3: services.a b: invalid service name 'a b'; use letters, digits, '-', "
        "'_' and '.' (it becomes a metric label)");
  CHECK(errorFor("services:\n  api: yes\n") ==
        "hotpod.yaml:2:8: services.api: expected the service's settings, got 'yes'; e.g. api: "
        "{paths: [api/], build: {cmd: make}}");
  CHECK(errorFor("services:\n  api:\n    paths: [api]\n    dir: /abs\n") ==
        "hotpod.yaml:4:10: services.api.dir: '/abs' is not a directory inside root; write it "
        "relative to root, e.g. dir: services/api");
  CHECK(errorFor("services:\n  api:\n    paths: [api]\n    rules:\n      - match: ['*.go']\n"
                 "        action: explode\n") != "no error");
}
