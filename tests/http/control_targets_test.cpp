// Which services a control request concerns (?service=NAME, ?service=*), and the answers for
// an unknown name, an empty one, none at all with services, and any without services.
#include <doctest/doctest.h>

#include "http/control_targets.h"

using namespace hotpod;

namespace {

StatusSnapshot withServices(std::initializer_list<const char*> names) {
  StatusSnapshot status;
  for (const char* name : names) status.services[name] = std::make_shared<StatusSnapshot>();
  return status;
}

}  // namespace

TEST_CASE("without services: no name is the one app, any name is unknown") {
  const StatusSnapshot single;
  const auto app = controlTargets({}, single);
  CHECK(app.status == 0);
  CHECK(app.names.empty());
  const auto named = controlTargets({"api"}, single);
  CHECK(named.status == 404);
  CHECK(named.error.find("no services") != std::string::npos);
}

TEST_CASE("with services: names choose, * is all, none or an unknown one is refused") {
  const auto status = withServices({"worker", "api", "web"});
  const auto one = controlTargets({"web"}, status);
  CHECK(one.status == 0);
  CHECK(one.names == std::vector<std::string>{"web"});
  // In the status' order, each once.
  const auto two = controlTargets({"worker", "api", "worker"}, status);
  CHECK(two.names == std::vector<std::string>{"api", "worker"});
  CHECK(controlTargets({"*"}, status).names == std::vector<std::string>{"api", "web", "worker"});
  CHECK(controlTargets({"api", "*"}, status).names.size() == 3);

  const auto none = controlTargets({}, status);
  CHECK(none.status == 400);
  CHECK(none.error.find("3 services (api, web, worker)") != std::string::npos);
  CHECK(none.names.empty());
  const auto unknown = controlTargets({"api", "db"}, status);
  CHECK(unknown.status == 404);
  CHECK(unknown.error.find("no service named 'db'") != std::string::npos);
  CHECK(unknown.names.empty());
  CHECK(controlTargets({""}, status).status == 400);
}

TEST_CASE("the 202 answer names the services it concerns") {
  CHECK(acceptedJson("rebuild", {}) == "{\"accepted\":\"rebuild\"}\n");
  CHECK(acceptedJson("restart", {"api", "web"}) ==
        "{\"accepted\":\"restart\",\"services\":[\"api\",\"web\"]}\n");
}
