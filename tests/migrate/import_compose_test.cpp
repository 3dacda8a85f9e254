#include <doctest/doctest.h>

#include "config/loader.h"
#include "migrate/importers.h"
#include "model/config_error.h"

using namespace hotpod;

namespace {

const char* kCompose = R"(services:
  web:
    build: ./web
    command: npm start
    develop:
      watch:
        - action: sync
          path: ./web/src
          target: /app/src
          ignore: [node_modules/]
        - action: rebuild
          path: ./web/package.json
  api:
    build: api
    develop:
      watch:
        - action: sync+restart
          path: api/config
          target: /etc/api
        - action: sync+exec
          path: api/templates
          target: /srv/templates
          exec:
            command: [kill, -HUP, '1']
        - action: teleport
          path: api/other
  db:
    image: postgres
)";

}  // namespace

TEST_CASE("--from-compose: develop.watch becomes services, paths and rules") {
  const ImportResult result = importComposeText(kCompose, "compose.yaml");
  CAPTURE(result.yaml);
  const Config config = parseConfigText(result.yaml, "hotpod.yaml");  // valid as written
  REQUIRE(config.services.size() == 2);
  const auto& web = config.services[0];
  CHECK(web.name == "web");
  CHECK(web.paths ==
        std::vector<std::string>{"web/src", "!web/src/node_modules", "web/package.json"});
  CHECK(web.config.run.cmd.display() == "npm start");
  REQUIRE(web.config.rules.size() == 2);
  CHECK(web.config.rules[0].action == RuleAction::Notify);
  CHECK(web.config.rules[1].action == RuleAction::Build);

  const auto& api = config.services[1];
  REQUIRE(api.config.rules.size() == 2);
  CHECK(api.config.rules[0].action == RuleAction::Restart);
  CHECK(api.config.rules[1].run == "kill -HUP 1");

  auto said = [&](const std::string& text) {
    for (const auto& note : result.dropped) {
      if (note.find(text) != std::string::npos) return true;
    }
    return false;
  };
  CHECK(said("web.develop.watch[0].target (/app/src)"));
  CHECK(said("api.develop.watch[2]: unknown action 'teleport'"));
  CHECK(said("db: no develop.watch"));
}

TEST_CASE("--from-compose: a compose file without develop.watch is an error") {
  CHECK_THROWS_AS(importComposeText("services:\n  db: {image: postgres}\n", "compose.yaml"),
                  ConfigError);
  CHECK_THROWS_AS(importComposeText("x: 1\n", "compose.yaml"), ConfigError);
}

TEST_CASE("--from-compose: a section of the wrong shape is a ConfigError, not a crash") {
  CHECK_THROWS_AS(importComposeText(
                      "services:\n  web:\n    develop:\n      watch: [just-a-string]\n", "c.yaml"),
                  ConfigError);
}
