"""The HTTP surface against a real loop: /healthz, /readyz as builds fail and recover and as the
app's own health check fails, /v1/status, /v1/events, /metrics (checked by promtool), and the
token-guarded control endpoints."""
import os
import shutil
import tempfile
import unittest

from hotpod_harness import TempTree, assert_promtool_clean, free_port, http_request, write
from observe_support import EventReader, make_project, sample

TOKEN = "test-token-0123456789abcdef"


class ObservabilityTest(TempTree):
    def start_project(self, env=None, extra_config=""):
        make_project(self.dir)
        self.app_port = free_port()
        write(os.path.join(self.dir, "hotpod.yaml"), f"""
build:
  cmd: sh build.sh
  artifacts: [bin]
run:
  cmd: [python3, bin/app.py, '{self.app_port}']
  stop_timeout: 2s
watch:
  exclude: [unhealthy]
app:
  health_url: http://127.0.0.1:{self.app_port}/health
  probe_interval: 200ms
  ready_timeout: 20s
{extra_config}""")
        hp = self.start([], env=env)
        hp.wait_for("app_ready")
        return hp

    def get(self, hp, path, **kw):
        return http_request(hp.url(path), **kw)

    def set_version(self, text):
        write(os.path.join(self.dir, "src", "version.txt"), text + "\n")

    def test_probes_status_events_and_metrics_follow_the_loop(self):
        hp = self.start_project()
        self.assertEqual(self.get(hp, "/healthz"), (200, "ok\n"))
        status, body = self.get(hp, "/readyz")
        self.assertEqual(status, 200, body)
        self.assertIn("answers its health URL", body)
        events = EventReader(hp.url("/v1/events"))
        self.addCleanup(events.close)
        events.wait_for("hello")

        # A failing build: not ready (the policy's default), still healthy, and it says why.
        mark = hp.mark()
        self.set_version("FAIL")
        hp.wait_for("build_finished", after=mark, result="failure")
        status, body = self.get(hp, "/readyz")
        self.assertEqual(status, 503, body)
        self.assertIn("build #2 failed (exit code 1)", body)
        self.assertEqual(self.get(hp, "/healthz")[0], 200)
        finished = events.wait_for("build_finished", number=2)
        self.assertEqual(finished["result"], "failure")
        state = http_request(hp.url("/v1/status"))[1]
        import json
        state = json.loads(state)
        self.assertEqual(state["state"], "failed")
        self.assertFalse(state["ready"]["ready"])
        self.assertEqual(state["builds"][0]["number"], 2)
        self.assertEqual(state["builds"][0]["result"], "failure")
        self.assertIn("error: src/version.txt: cannot build a version that says FAIL",
                      state["builds"][0]["output_tail"])
        self.assertEqual(state["builds"][0]["changed_files"], ["src/version.txt"])
        self.assertTrue(state["app"]["running"], "the old app keeps serving")
        self.assertEqual(http_request(f"http://127.0.0.1:{self.app_port}/")[1], "v1")

        # It recovers: ready again once the new app answers its health URL.
        mark = hp.mark()
        self.set_version("v2")
        hp.wait_for("build_finished", after=mark, result="success")
        hp.wait_for("app_ready", after=mark)
        self.assertEqual(self.get(hp, "/readyz")[0], 200)
        events.wait_for("reload", build=3)
        self.assertEqual(http_request(f"http://127.0.0.1:{self.app_port}/")[1], "v2")

        # The app's own health check fails while it runs: not ready, then ready again.
        mark = hp.mark()
        write(os.path.join(self.dir, "unhealthy"), "")
        hp.wait_for("app_unhealthy", after=mark)
        status, body = self.get(hp, "/readyz")
        self.assertEqual(status, 503, body)
        self.assertIn(f"http://127.0.0.1:{self.app_port}/health fails: HTTP 500", body)
        self.assertEqual(self.get(hp, "/healthz")[0], 200)
        os.remove(os.path.join(self.dir, "unhealthy"))
        hp.wait_for("app_ready", after=mark)
        self.assertEqual(self.get(hp, "/readyz")[0], 200)

        # Metrics agree with what happened, and promtool accepts the exposition.
        status, metrics = self.get(hp, "/metrics")
        self.assertEqual(status, 200)
        self.assertEqual(sample(metrics, "hotpod_builds_total", result="success"),
                         hp.count("build_finished", result="success"))
        self.assertEqual(sample(metrics, "hotpod_builds_total", result="failure"), 1)
        self.assertEqual(sample(metrics, "hotpod_app_up"), 1)
        self.assertEqual(sample(metrics, "hotpod_restarts_total", reason="change"), 1)
        self.assertEqual(sample(metrics, "hotpod_reload_duration_seconds_count"), 1)
        self.assertGreaterEqual(sample(metrics, "hotpod_file_events_total", kind="modified")
                                + sample(metrics, "hotpod_file_events_total", kind="created"), 2)
        self.assertEqual(sample(metrics, "hotpod_watch_backend_info", backend="inotify"), 1)
        self.assertGreater(sample(metrics, "process_resident_memory_bytes"), 0)
        self.assertGreater(sample(metrics, "process_open_fds"), 0)
        assert_promtool_clean(self, metrics)

    def test_control_endpoints_need_the_token(self):
        hp = self.start_project(env={"HOTPOD_TOKEN": TOKEN})
        post = dict(method="POST", data=b"")
        self.assertEqual(self.get(hp, "/v1/rebuild", **post)[0], 401)
        status, _ = self.get(hp, "/v1/rebuild", headers={"Authorization": "Bearer wrong"}, **post)
        self.assertEqual(status, 401)
        status, _ = self.get(hp, "/v1/rebuild", headers={"Authorization": TOKEN}, **post)
        self.assertEqual(status, 401, "the Bearer scheme is required")
        self.assertEqual(hp.count("build_started"), 1, "refused requests built nothing")
        for line in hp.raw:
            self.assertNotIn(TOKEN, line, "the token must never be logged")

        mark = hp.mark()
        auth = {"Authorization": f"Bearer {TOKEN}"}
        status, body = self.get(hp, "/v1/rebuild", headers=auth, **post)
        self.assertEqual((status, body), (202, '{"accepted":"rebuild"}\n'))
        hp.wait_for("build_finished", after=mark, build=2, result="success")

        mark = hp.mark()
        old_pid = hp.find_all("app_started")[-1]["pid"]
        self.assertEqual(self.get(hp, "/v1/restart", headers=auth, **post)[0], 202)
        _, started = hp.wait_for("app_started", after=mark)
        self.assertNotEqual(started["pid"], old_pid)
        hp.wait_for("app_ready", after=mark)
        metrics = self.get(hp, "/metrics")[1]
        self.assertEqual(sample(metrics, "hotpod_restarts_total", reason="request"), 1)

    def test_a_token_file_others_may_read_is_warned_about_and_never_logged(self):
        env = {k: v for k, v in os.environ.items() if k != "HOTPOD_TOKEN"}
        secrets = tempfile.mkdtemp(prefix="hotpod-token-")
        self.addCleanup(shutil.rmtree, secrets, ignore_errors=True)
        token_file = os.path.join(secrets, "token")
        write(token_file, TOKEN + "\n")
        os.chmod(token_file, 0o644)
        hp = self.start_project(env=env, extra_config=f"http:\n  token_file: {token_file}\n")
        _, warning = hp.wait_for("token_file_readable")
        self.assertEqual(warning["level"], "warn")
        self.assertIn(f"chmod o-r {token_file}", warning["msg"])
        status, _ = self.get(hp, "/v1/rebuild", method="POST", data=b"",
                             headers={"Authorization": f"Bearer {TOKEN}"})
        self.assertEqual(status, 202, "the token from the file is the one that works")
        hp.wait_for("build_finished", build=2)
        for line in hp.raw:
            self.assertNotIn(TOKEN, line, "the token must never be logged")
        hp.stop()

        os.chmod(token_file, 0o600)
        hp = self.start_project(env=env, extra_config=f"http:\n  token_file: {token_file}\n")
        self.assertEqual(hp.count("token_file_readable"), 0, "mode 0600 is not warned about")

    def test_control_endpoints_are_off_without_a_token(self):
        env = {k: v for k, v in os.environ.items() if k != "HOTPOD_TOKEN"}
        hp = self.start_project(env=env)
        status, body = self.get(hp, "/v1/restart", method="POST", data=b"",
                                headers={"Authorization": "Bearer anything"})
        self.assertEqual(status, 403)
        self.assertIn("set HOTPOD_TOKEN or http.token_file", body)
        self.assertEqual(hp.count("app_started"), 1)

    def test_a_busy_port_that_was_asked_for_is_an_error(self):
        import socket
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            hp = self.start(["--listen", f"127.0.0.1:{port}", "--build", "true"])
            code = hp.proc.wait(60)
        self.assertEqual(code, 1)
        self.assertIn(f"cannot listen on 127.0.0.1:{port}", hp.log_tail())
        self.assertIn("choose another with --listen or http.listen", hp.log_tail())


if __name__ == "__main__":
    unittest.main()
