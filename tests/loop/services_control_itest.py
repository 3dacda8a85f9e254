"""POST /v1/rebuild and /v1/restart with `services:`: `?service=NAME` (repeatable) or
`?service=*` chooses the services, an unknown name is a 404, and no name at all is a 400 (which
of them?). Without services nothing changes, and any `?service=` is a 404. The audit records and
the webhook payloads of a service carry its name, and its records the version (the hash of its own
build output)."""
import json
import os
import sys
import unittest

from hotpod_harness import TempTree, http_request, write

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "http"))
from webhook_itest import Receiver  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "observe"))
from audit_itest import fnv1a64  # noqa: E402

TOKEN = "services-control-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

CONFIG = """watch: {delay: 50ms}
audit: {path: audit.jsonl}
notify: {webhooks: ["%(hook)s"]}
services:
  alpha:
    paths: [alpha/]
    build:
      cmd: "mkdir -p bin && cp alpha/main.txt bin/alpha.txt &&
        echo $$ $(cut -d' ' -f6 /proc/$$/stat) >session"
      artifacts: [bin/alpha.txt]
    run: {cmd: [sleep, "600"]}
  beta:
    paths: [beta/]
    build: {cmd: "mkdir -p bin && cp beta/main.txt bin/beta.txt", artifacts: [bin/beta.txt]}
    run: {cmd: [sleep, "600"]}
"""


class ServicesControlTest(TempTree):
    def post(self, hp, path):
        return http_request(hp.url(path), method="POST", headers=AUTH, data=b"")

    def test_control_names_its_services_and_records_say_which(self):
        receiver = Receiver(failures=0)
        self.addCleanup(receiver.close)
        for name in ("alpha", "beta"):
            write(os.path.join(self.dir, name, "main.txt"), name + "\n")
        write(os.path.join(self.dir, "hotpod.yaml"), CONFIG % {"hook": receiver.url})
        hp = self.start([], env={"HOTPOD_TOKEN": TOKEN})
        for name in ("alpha", "beta"):
            hp.wait_for("app_started", service=name)

        code, text = self.post(hp, "/v1/rebuild")
        self.assertEqual(code, 400, text)
        self.assertIn("2 services (alpha, beta)", text)
        self.assertIn("?service=NAME", text)
        code, text = self.post(hp, "/v1/restart?service=gamma")
        self.assertEqual(code, 404, text)
        self.assertIn("no service named 'gamma'", text)
        self.assertEqual(self.post(hp, "/v1/restart?service=")[0], 400)

        # One service: only it builds (both would be set off by the same task on the loop).
        mark = hp.mark()
        code, text = self.post(hp, "/v1/rebuild?service=alpha")
        self.assertEqual((code, json.loads(text)), (202, {"accepted": "rebuild",
                                                         "services": ["alpha"]}))
        _, built = hp.wait_for("build_finished", after=mark, service="alpha", build=2)
        self.assertEqual(built["result"], "success")
        hp.wait_for("app_started", after=mark, service="alpha")
        self.assertEqual([r for r in list(hp.records)[mark:]
                          if r.get("event") in ("build_started", "app_started")
                          and r.get("service") == "beta"], [])

        mark = hp.mark()
        self.assertEqual(self.post(hp, "/v1/restart?service=beta")[0], 202)
        hp.wait_for("app_started", after=mark, service="beta")
        self.assertEqual([r for r in list(hp.records)[mark:] if r.get("service") == "alpha"
                          and r.get("event") in ("app_started", "app_stopping")], [])

        mark = hp.mark()
        code, text = self.post(hp, "/v1/rebuild?service=*")
        self.assertEqual(json.loads(text)["services"], ["alpha", "beta"])
        for name, build in (("alpha", 3), ("beta", 2)):
            index, _ = hp.wait_for("build_finished", after=mark, service=name, build=build)
            hp.wait_for("app_started", after=index, service=name)
        # The webhooks (5 builds, 6 starts): each payload names its service, as its audit
        # record does.
        hooks = [body for _, body in receiver.wait_count(11)]
        self.assertTrue(all(body.get("service") in ("alpha", "beta") for body in hooks), hooks)
        self.assertTrue(all(body["audit"]["service"] == body["service"] for body in hooks))
        self.assertEqual(hp.stop(), 0)

        # The audit log: every record names its service; the restart asked for names beta.
        with open(os.path.join(self.dir, "audit.jsonl")) as f:
            records = [json.loads(line) for line in f]
        self.assertTrue(records)
        self.assertEqual({r.get("service") for r in records}, {"alpha", "beta"}, records)
        asked = [r for r in records if r["event"] == "restart"
                 and (r.get("trigger") or {}).get("kind") == "request"]
        self.assertEqual([r["service"] for r in asked], ["beta"], asked)
        builds = [r for r in records if r["event"] == "build"]
        self.assertEqual(sorted((r["service"], r["build"]) for r in builds),
                         [("alpha", 1), ("alpha", 2), ("alpha", 3), ("beta", 1), ("beta", 2)])
        # Each build runs in a session of its own (its own CPU share under the kernel's
        # autogroup, as under a hotpod of its own): the build's shell leads its session.
        with open(os.path.join(self.dir, "session")) as f:
            shell, session = f.read().split()
        self.assertEqual(shell, session)
        self.assertNotEqual(int(session), hp.pid)  # hotpod leads its own (start_new_session)
        # The version is the hash of the service's own build output, as for a single app; each
        # service numbers its builds from 1, and alpha's build 1 is not beta's.
        for record in builds + [r for r in records if r["event"] == "restart"]:
            self.assertEqual(record["version"], fnv1a64(f"{record['service']}\n".encode()),
                             record)

    def test_without_services_nothing_changes(self):
        write(os.path.join(self.dir, "hotpod.yaml"), "run: {cmd: [sleep, '600']}\n")
        hp = self.start([], env={"HOTPOD_TOKEN": TOKEN})
        hp.wait_for("app_started")
        code, text = self.post(hp, "/v1/restart?service=app")
        self.assertEqual(code, 404, text)
        self.assertIn("no services", text)
        mark = hp.mark()
        code, text = self.post(hp, "/v1/restart")
        self.assertEqual((code, json.loads(text)), (202, {"accepted": "restart"}))
        hp.wait_for("app_started", after=mark)
        self.assertEqual(hp.stop(), 0)


if __name__ == "__main__":
    unittest.main()
