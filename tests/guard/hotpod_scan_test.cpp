#include "guard/hotpod_scan.h"

#include <doctest/doctest.h>

#include "model/config_error.h"

using namespace hotpod;

namespace {

std::vector<std::pair<int, std::string>> scan(const std::string& text, const std::string& name) {
  std::vector<std::pair<int, std::string>> out;
  for (const auto& finding : scanForHotpod(text, name)) {
    CHECK(finding.file == name);
    out.emplace_back(finding.line, finding.what);
  }
  return out;
}

}  // namespace

TEST_CASE("a command runs hotpod when hotpod is followed by agent, exec or run") {
  CHECK(runsHotpod("hotpod exec -- /app"));
  CHECK(runsHotpod("/usr/local/bin/hotpod agent -c /etc/hotpod/hotpod.yaml"));
  CHECK(runsHotpod(R"(["hotpod", "exec", "--", "/app"])"));
  CHECK(runsHotpod("sh -c 'cd /src && hotpod run'"));
  CHECK_FALSE(runsHotpod("hotpod version"));
  CHECK_FALSE(runsHotpod("myhotpod exec"));
  CHECK_FALSE(runsHotpod("/app --hotpod-exec"));
}

TEST_CASE("an image is hotpod's when its repository's last part starts with hotpod") {
  CHECK(isHotpodImage("hotpod"));
  CHECK(isHotpodImage("hotpod:dev"));
  CHECK(isHotpodImage("ghcr.io/acme/hotpod-gin-dev:1@sha256:abc"));
  CHECK_FALSE(isHotpodImage("registry.example.com/hotpod/app:1"));
  CHECK_FALSE(isHotpodImage("golang:1.22"));
}

TEST_CASE("Kubernetes objects: containers, init containers, CronJobs, Lists, shared PIDs") {
  const auto found = scan(R"(apiVersion: batch/v1
kind: CronJob
spec:
  jobTemplate:
    spec:
      template:
        spec:
          shareProcessNamespace: true
          initContainers:
            - name: seed
              image: ghcr.io/acme/hotpod:1
          containers:
            - name: app
              image: app:1
              command: ["hotpod", "exec"]
              args: ["--", "/app"]
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    spec:
      containers:
        - name: side
          image: app:1
          args: ["hotpod", "agent"]
---
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      shareProcessNamespace: true
      containers:
        - {name: app, image: app:1, command: ["/app"]}
)",
                          "all.yaml");
  REQUIRE(found.size() == 4);
  CHECK(found[0].first == 11);
  CHECK(found[0].second.find("container 'seed' uses the hotpod image") != std::string::npos);
  CHECK(found[1].first == 15);
  CHECK(found[1].second == "CronJob container 'app' runs `hotpod exec -- /app`");
  CHECK(found[2].first == 8);  // shareProcessNamespace next to a hotpod container
  CHECK(found[3].first == 27);
  CHECK(found[3].second == "Pod container 'side' runs `hotpod agent`");
}

TEST_CASE("compose services: the image and the command or entrypoint") {
  const auto found = scan(R"(services:
  app:
    image: hotpod-gin-dev:dev
    entrypoint: hotpod exec -- /app
  db:
    image: postgres:15
    command: ["postgres"]
)",
                          "compose.yaml");
  REQUIRE(found.size() == 2);
  CHECK(found[0].first == 3);
  CHECK(found[1].first == 4);
}

TEST_CASE("Dockerfiles: FROM, COPY --from and the entrypoint, continued lines counted") {
  const auto found = scan(R"(FROM golang:1.22 AS build
COPY --from=ghcr.io/acme/hotpod:1 /usr/local/bin/hotpod /usr/local/bin/hotpod
RUN go build -o /app . \
    && echo built
FROM --platform=linux/arm64 hotpod:dev
ENTRYPOINT ["hotpod", \
            "exec", "--", "/app"]
CMD ["/app"]
)",
                          "Dockerfile.dev");
  REQUIRE(found.size() == 3);
  CHECK(found[0].first == 2);
  CHECK(found[1].first == 5);
  CHECK(found[2].first == 6);
  CHECK(scan("FROM debian:12\nCMD [\"/app\"]\n", "Containerfile").empty());
}

TEST_CASE("text that is not YAML is a ConfigError with its place") {
  CHECK_THROWS_AS(scanForHotpod("a: [b\n", "bad.yaml"), ConfigError);
  CHECK(scan("# nothing\n", "empty.yaml").empty());
}
