"""app.rollback: a change that builds but makes the app fail its health check brings the
previous version back, serving, within app.ready_timeout plus a small bound; the status, the
metrics and the event stream all say so."""
import json
import os
import time
import unittest

from hotpod_harness import TempTree, free_port, http_request, write
from observe_support import EventReader, make_project, sample, wait_answer

READY_TIMEOUT = 3  # seconds: app.ready_timeout in the config below
BOUND = 15         # seconds on top: restore, restart and the old version answering


class RollbackTest(TempTree):
    def test_a_version_that_never_gets_ready_is_rolled_back(self):
        make_project(self.dir, "v1")
        port = free_port()
        write(os.path.join(self.dir, "hotpod.yaml"), f"""
build:
  cmd: sh build.sh
  artifacts: [bin/app.py, bin/version.txt]
run:
  cmd: [python3, bin/app.py, '{port}']
  stop_timeout: 2s
app:
  health_url: http://127.0.0.1:{port}/health
  ready_timeout: {READY_TIMEOUT}s
  probe_interval: 200ms
  rollback: true
audit:
  path: audit.jsonl
""")
        hp = self.start([])
        hp.wait_for("app_ready")
        self.assertEqual(http_request(f"http://127.0.0.1:{port}/")[1], "v1")
        events = EventReader(hp.url("/v1/events"))
        self.addCleanup(events.close)

        mark = hp.mark()
        write(os.path.join(self.dir, "src", "version.txt"), "v2 BROKEN\n")
        hp.wait_for("build_finished", after=mark, build=2, result="success")
        _, started = hp.wait_for("app_started", after=mark)
        began = time.monotonic()
        self.assertEqual(wait_answer(f"http://127.0.0.1:{port}/"), "v2 BROKEN")
        _, rollback = hp.wait_for("rollback", after=mark)
        self.assertEqual((rollback["bad_build"], rollback["good_build"]), (2, 1))
        hp.wait_for("app_ready", after=mark)
        took = time.monotonic() - began
        self.assertLess(took, READY_TIMEOUT + BOUND, "rollback took too long")
        self.assertEqual(http_request(f"http://127.0.0.1:{port}/")[1], "v1",
                         "the previous version is back and serving")
        with open(os.path.join(self.dir, "bin", "version.txt")) as f:
            self.assertEqual(f.read(), "v1\n")

        event = events.wait_for("rollback")
        self.assertEqual(event["bad_build"], 2)
        self.assertEqual(event["good_build"], 1)
        status = json.loads(http_request(hp.url("/v1/status"))[1])
        self.assertEqual(status["counts"]["rollbacks"], 1)
        self.assertEqual(status["app"]["serving_build"], 1)
        self.assertIn("rolled back", status["builds"][0]["note"])
        self.assertEqual(status["state"], "running")
        self.assertEqual(http_request(hp.url("/readyz"))[0], 200)
        metrics = http_request(hp.url("/metrics"))[1]
        self.assertEqual(sample(metrics, "hotpod_rollbacks_total"), 1)
        self.assertEqual(sample(metrics, "hotpod_restarts_total", reason="rollback"), 1)
        # Restoring the artefacts (and writing the audit log) must not trigger a build of its own.
        self.assertEqual(hp.count("build_started"), 2)
        # The audit log says what was rolled back, to what, and why.
        with open(os.path.join(self.dir, "audit.jsonl")) as f:
            records = [json.loads(line) for line in f]
        builds = {r["build"]: r for r in records if r["event"] == "build"}
        (rolled,) = [r for r in records if r["event"] == "rollback"]
        self.assertEqual((rolled["bad_build"], rolled["good_build"], rolled["result"]), (2, 1, "restored"))
        self.assertEqual(rolled["bad_version"], builds[2]["version"])
        self.assertEqual(rolled["good_version"], builds[1]["version"])
        self.assertNotEqual(rolled["bad_version"], rolled["good_version"])
        self.assertEqual(rolled["trigger"]["kind"], "not_ready")
        restart = records[records.index(rolled) + 1]
        self.assertEqual((restart["event"], restart["reason"], restart["trigger"]),
                         ("restart", "rollback", {"kind": "rollback", "build": 1}))
        self.assertEqual(restart["version"], builds[1]["version"])

        # A fixed version goes through as usual afterwards.
        mark = hp.mark()
        write(os.path.join(self.dir, "src", "version.txt"), "v3\n")
        hp.wait_for("build_finished", after=mark, build=3, result="success")
        hp.wait_for("app_ready", after=mark)
        self.assertEqual(wait_answer(f"http://127.0.0.1:{port}/"), "v3")


if __name__ == "__main__":
    unittest.main()
