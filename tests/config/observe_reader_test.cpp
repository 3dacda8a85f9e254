// The http, app and notify sections: values, defaults, and mistakes reported with their place.
#include <doctest/doctest.h>

#include "config/config_error_for.h"
#include "config/loader.h"

using namespace hotpod;

using hotpod::testing::errorFor;

TEST_CASE("http, app, notify and build.artifacts are read") {
  const Config config = parseConfigText(R"(
build:
  cmd: go build -o bin/app .
  artifacts: [bin/app, ./static/]
http:
  listen: :4687
  token_file: /run/secrets/token
  ready_while_building: false
  ready_after_failed_build: true
app:
  health_url: http://127.0.0.1:8080/healthz
  ready_timeout: 10s
  probe_interval: 500ms
  rollback: true
notify:
  webhooks:
    - http://127.0.0.1:9000/a
    - url: https://hooks.example.com/b
      events: [build_failed, rollback]
      timeout: 2s
      retries: 0
)",
                                        "hotpod.yaml");
  CHECK(config.build.artifacts == std::vector<std::string>{"bin/app", "static"});
  CHECK(config.http.enabled);
  CHECK(config.http.listen == "0.0.0.0:4687");
  CHECK(config.http.token_file == "/run/secrets/token");
  CHECK_FALSE(config.http.ready_while_building);
  CHECK(config.http.ready_after_failed_build);
  CHECK(config.app.health_url == "http://127.0.0.1:8080/healthz");
  CHECK(config.app.ready_timeout == Duration{10000});
  CHECK(config.app.probe_interval == Duration{500});
  CHECK(config.app.rollback);
  REQUIRE(config.notify.webhooks.size() == 2);
  CHECK(config.notify.webhooks[0].url == "http://127.0.0.1:9000/a");
  CHECK(config.notify.webhooks[0].events.empty());  // all events
  CHECK(config.notify.webhooks[0].retries == 3);
  CHECK(config.notify.webhooks[1].events == std::vector<std::string>{"build_failed", "rollback"});
  CHECK(config.notify.webhooks[1].timeout == Duration{2000});
  CHECK(config.notify.webhooks[1].retries == 0);
}

TEST_CASE("the HTTP server is on by default and can be turned off") {
  CHECK(parseConfigText("", "hotpod.yaml").http.enabled);
  CHECK(parseConfigText("", "hotpod.yaml").http.listen.empty());  // the role's default
  CHECK_FALSE(parseConfigText("http: {listen: off}\n", "hotpod.yaml").http.enabled);
  CHECK_FALSE(parseConfigText("http: {listen: ''}\n", "hotpod.yaml").http.enabled);
}

TEST_CASE("mistakes in http, app and notify name the place and the fix") {
  CHECK(errorFor("app:\n  health_url: localhost:8080/healthz\n") ==
        "hotpod.yaml:2:15: app.health_url: 'localhost:8080/healthz' is not an http:// or "
        "https:// URL; e.g. http://127.0.0.1:8080/healthz");
  CHECK(errorFor("app:\n  health_url: http:///healthz\n") ==
        "hotpod.yaml:2:15: app.health_url: 'http:///healthz' has no host; e.g. "
        "http://127.0.0.1:8080/healthz");
  CHECK(errorFor("app:\n  rollback: true\n") ==
        "hotpod.yaml:2:13: app.rollback: rollback needs app.health_url to tell a good version "
        "from a bad one; add app.health_url, e.g. http://127.0.0.1:8080/healthz");
  CHECK(errorFor("app:\n  ready_timeout: 0s\n") ==
        "hotpod.yaml:2:18: app.ready_timeout: must be longer than 0; e.g. 30s");
  CHECK(errorFor("notify:\n  webhooks: http://x/\n") ==
        "hotpod.yaml:2:13: notify.webhooks: expected a list of webhooks, got 'http://x/'; e.g. "
        "webhooks: [http://127.0.0.1:9000/hooks/hotpod]");
  CHECK(errorFor("notify:\n  webhooks:\n    - url: http://x/\n      events: [deployed]\n") ==
        "hotpod.yaml:4:16: notify.webhooks.events: unknown event 'deployed'; use some of "
        "build_succeeded, build_failed, restart, rollback");
  CHECK(errorFor("notify:\n  webhooks:\n    - {events: [rollback]}\n") ==
        "hotpod.yaml:3:7: notify.webhooks: a webhook needs a url; e.g. - url: "
        "http://127.0.0.1:9000/hooks/hotpod");
  CHECK(errorFor("notify:\n  webhooks:\n    - {url: 'http://x/', retry: 2}\n") ==
        "hotpod.yaml:3:26: notify.webhooks.retry: unknown key; valid keys in 'notify.webhooks': "
        "url, events, timeout, retries");
  CHECK(errorFor("notify:\n  webhooks:\n    - {url: 'http://x/', retires: 2}\n") ==
        "hotpod.yaml:3:26: notify.webhooks.retires: unknown key; did you mean "
        "'notify.webhooks.retries'?");
  CHECK(errorFor("build:\n  artifacts: [../bin/app]\n") ==
        "hotpod.yaml:2:15: build.artifacts: '../bin/app' is not a path inside root; write it "
        "relative to root, e.g. bin/app");
  CHECK(errorFor("http:\n  ready_while_building: maybe\n") != "no error");
}
