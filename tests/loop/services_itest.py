"""`services:` end to end: a generated repository with two Go services (one with Gin) sharing a
package, and a C++ service, under one hotpod. A change to the shared package builds and restarts
both Go services once and leaves the C++ one alone; a change in one service touches only it; a
broken service keeps its old app while the others go on; /v1/status, /readyz, /metrics and the
log lines say which service."""
import http.client
import json
import os
import shutil
import unittest
import urllib.error
import urllib.request

from hotpod_harness import SOURCE_DIR, TempTree, free_port, http_get, wait_until, write

GO_CACHE = os.path.join(SOURCE_DIR, ".cache", "go")  # kept between runs; outside the tree

GREETING = '''package greeting

// Text is what both Go services answer.
func Text() string { return "hello v1" }
'''

API = '''package main

import (
\t"net/http"
\t"os"

\t"mono/lib/greeting"

\t"github.com/gin-gonic/gin"
)

func main() {
\tgin.SetMode(gin.ReleaseMode)
\tr := gin.New()
\tr.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "api: "+greeting.Text()) })
\tr.Run("127.0.0.1:" + os.Getenv("API_PORT"))
}
'''

WORKER = '''package main

import (
\t"fmt"
\t"net/http"
\t"os"

\t"mono/lib/greeting"
)

const flavour = "worker"

func main() {
\thttp.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
\t\tfmt.Fprint(w, flavour+": "+greeting.Text())
\t})
\thttp.ListenAndServe("127.0.0.1:"+os.Getenv("WORKER_PORT"), nil)
}
'''

WEB = '''#include <unistd.h>
#include <cstdio>

int main() {
  std::printf("web says %s\\n", "v1");
  std::fflush(stdout);
  for (;;) pause();
}
'''

CONFIG = '''watch:
  include_ext: [go]
  delay: 100ms
audit: {path: audit.jsonl}
build:
  parallel: 2
  env: {GO111MODULE: "off", GOPATH: "%(gopath)s:/usr/share/gocode", GOFLAGS: ""}
services:
  api:
    paths: [services/api, lib/]
    build: {cmd: go build -o bin/api ./services/api}
    run: {cmd: [bin/api]}
  worker:
    paths: [services/worker, lib/]
    dir: services/worker
    build: {cmd: go build -o ../../bin/worker .}
    run: {cmd: [../../bin/worker]}
  web:
    paths: [web/]
    watch: {include_ext: [cpp, h]}
    build: {cmd: g++ -O0 -o bin/web web/main.cpp}
    run: {cmd: [bin/web]}
'''


def edit(path, old, new):
    with open(path) as f:
        text = f.read()
    assert old in text, (path, old)
    with open(path, "w") as f:
        f.write(text.replace(old, new))


class ServicesTest(TempTree):
    def setUp(self):
        super().setUp()
        if not shutil.which("go") or not os.path.isdir("/usr/share/gocode/src/github.com/gin-gonic/gin"):
            self.skipTest("golang-go and golang-github-gin-gonic-gin-dev are needed")
        gopath = os.path.join(self.dir, "gopath")
        self.repo = os.path.join(gopath, "src", "mono")
        write(os.path.join(self.repo, "lib", "greeting", "greeting.go"), GREETING)
        write(os.path.join(self.repo, "services", "api", "main.go"), API)
        write(os.path.join(self.repo, "services", "worker", "main.go"), WORKER)
        write(os.path.join(self.repo, "web", "main.cpp"), WEB)
        write(os.path.join(self.repo, "hotpod.yaml"), CONFIG % {"gopath": gopath})
        os.makedirs(os.path.join(self.repo, "bin"))
        os.makedirs(GO_CACHE, exist_ok=True)
        self.api_port, self.worker_port = free_port(), free_port()

    def path(self, *parts):
        return os.path.join(self.repo, *parts)

    def answers(self, port):
        try:
            return http_get(f"http://127.0.0.1:{port}/")[1]
        except OSError:
            return None

    @staticmethod
    def since(hp, event, after, **fields):
        """The records from index `after` on that match."""
        return [r for r in list(hp.records)[after:] if r.get("event") == event
                and all(r.get(k) == v for k, v in fields.items())]

    def builds(self, hp, service, after=0):
        return self.since(hp, "build_finished", after, service=service)

    def wait_built_and_started(self, hp, service, build, after, result="success"):
        index, record = hp.wait_for("build_finished", after=after, service=service, build=build,
                                    timeout=300)
        self.assertEqual(record["result"], result, hp.log_tail())
        if result == "success":
            hp.wait_for("app_started", after=index, service=service)
        return index

    def status(self, hp):
        return json.loads(http_get(hp.url("/v1/status"))[1])

    def readyz(self, hp, query=""):
        try:
            with urllib.request.urlopen(hp.url("/readyz" + query), timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def wait_answer(self, hp, port, text):
        wait_until(f"{text!r} on port {port}", lambda: self.answers(port) == text,
                   detail=hp.log_tail)

    def test_shared_code_one_service_and_a_broken_one(self):
        env = {"GOCACHE": GO_CACHE, "API_PORT": str(self.api_port),
               "WORKER_PORT": str(self.worker_port)}
        hp = self.start([], cwd=self.repo, env=env)
        for service in ("api", "worker", "web"):
            self.wait_built_and_started(hp, service, 1, 0)
        # build.parallel: 2 with three services: one waited for a slot.
        self.assertEqual(len(hp.find_all("build_waiting")), 1, hp.log_tail())
        hp.wait_for("output", source="app", service="web", msg="web says v1")
        self.wait_answer(hp, self.api_port, "api: hello v1")
        self.wait_answer(hp, self.worker_port, "worker: hello v1")

        # Observable per service.
        wait_until("/readyz", lambda: self.readyz(hp)[0] == 200, detail=hp.log_tail)
        status = self.status(hp)
        self.assertEqual(sorted(status["services"]), ["api", "web", "worker"])
        self.assertEqual(status["services"]["api"]["counts"]["builds"], 1)
        self.assertTrue(status["services"]["web"]["app"]["running"])
        self.assertEqual(self.readyz(hp, "?service=worker")[0], 200)
        self.assertEqual(self.readyz(hp, "?service=nope")[0], 404)
        metrics = http_get(hp.url("/metrics"))[1]
        for service in ("api", "worker", "web"):
            self.assertIn(f'hotpod_builds_total{{service="{service}",result="success"}} 1',
                          metrics)
            self.assertIn(f'hotpod_app_up{{service="{service}"}} 1', metrics)
        starts = {s: len(hp.find_all("app_started", service=s)) for s in ("api", "worker", "web")}
        self.assertEqual(starts, {"api": 1, "worker": 1, "web": 1})

        # 1. The shared package: both Go services build once and restart; web is left alone.
        mark = hp.mark()
        edit(self.path("lib", "greeting", "greeting.go"), "hello v1", "hello v2")
        api_done = self.wait_built_and_started(hp, "api", 2, mark)
        worker_done = self.wait_built_and_started(hp, "worker", 2, mark)
        self.wait_answer(hp, self.api_port, "api: hello v2")
        self.wait_answer(hp, self.worker_port, "worker: hello v2")
        after = max(api_done, worker_done)
        self.assertEqual(len(self.builds(hp, "api", mark)), 1)
        self.assertEqual(len(self.builds(hp, "worker", mark)), 1)
        self.assertEqual(self.builds(hp, "web", mark), [], "web does not use lib/")
        self.assertEqual(len(hp.find_all("app_started", service="web")), 1)
        self.assertGreaterEqual(after, mark)

        # 2. One service's directory: only that service.
        mark = hp.mark()
        edit(self.path("services", "worker", "main.go"), '"worker"', '"worker*"')
        self.wait_built_and_started(hp, "worker", 3, mark)
        self.wait_answer(hp, self.worker_port, "worker*: hello v2")
        self.assertEqual(self.builds(hp, "api", mark), [])
        self.assertEqual(self.builds(hp, "web", mark), [])

        # 3. api breaks while web changes: api's old app serves on, web builds and restarts.
        mark = hp.mark()
        api_pid = self.status(hp)["services"]["api"]["app"]["pid"]
        edit(self.path("services", "api", "main.go"), "func main() {", "func main() { oops")
        edit(self.path("web", "main.cpp"), '"v1"', '"v2"')
        self.wait_built_and_started(hp, "web", 2, mark)
        hp.wait_for("output", after=mark, source="app", service="web", msg="web says v2")
        _, failed = hp.wait_for("build_finished", after=mark, service="api", build=3, timeout=300)
        self.assertEqual(failed["result"], "failure")
        self.assertEqual(self.answers(self.api_port), "api: hello v2")
        self.assertEqual(self.status(hp)["services"]["api"]["app"]["pid"], api_pid)
        self.assertEqual(self.since(hp, "app_stopping", mark, service="api"), [])
        self.assertEqual(self.builds(hp, "worker", mark), [])
        wait_until("worker ready, the whole not",
                   lambda: self.readyz(hp, "?service=worker")[0] == 200
                   and self.readyz(hp, "?service=web")[0] == 200, detail=hp.log_tail)
        code, text = self.readyz(hp)
        self.assertEqual(code, 503)
        self.assertIn("api: build #3 failed", text)

        # The events carry the service: the history from the start has api's failed build.
        conn = http.client.HTTPConnection("127.0.0.1", hp.http_port(), timeout=30)
        conn.request("GET", "/v1/events", headers={"Last-Event-ID": "0"})
        stream, kind, seen = conn.getresponse(), None, []
        while True:
            line = stream.fp.readline().decode().strip()
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and kind == "build_finished":
                data = json.loads(line.split(":", 1)[1])
                seen.append((data.get("service"), data.get("result")))
                if ("api", "failure") in seen:
                    break
        conn.close()
        self.assertIn(("worker", "success"), seen)
        self.assertIn(("web", "success"), seen)

        # The log lines carry the service.
        changes = hp.find_all("changes")
        self.assertTrue(changes and all(r.get("service") for r in changes), changes)
        self.assertEqual(hp.stop(), 0)

        # So do the audit records: api's broken build is api's.
        with open(self.path("audit.jsonl")) as f:
            audited = [json.loads(line) for line in f]
        self.assertIn(("api", 3, "failure"), {(r.get("service"), r.get("build"), r.get("result"))
                                              for r in audited if r["event"] == "build"})


if __name__ == "__main__":
    unittest.main()
