"""`hotpod healthcheck`, the image's HEALTHCHECK: exit 0 while a running hotpod's /healthz
answers (found through HOTPOD_LISTEN, as the container's environment gives it), 1 with the
reason for a 503 or a closed port, 2 for a --timeout that is not a duration."""
import http.server
import subprocess
import threading
import unittest

from hotpod_harness import HANG_TIMEOUT, HOTPOD, TempTree, write


def healthcheck(*args, env=None):
    return subprocess.run([HOTPOD, "healthcheck", *args], capture_output=True, text=True,
                          env=env, timeout=HANG_TIMEOUT)


class Unhealthy(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class HealthcheckTest(TempTree):
    def test_a_running_hotpod_is_healthy_through_hotpod_listen(self):
        write(f"{self.dir}/a.txt", "1")
        hp = self.start(["--build", "true", "--", "sleep", "1000"])
        hp.wait_for("app_started")
        port = hp.http_port()
        # The port as a container's HOTPOD_LISTEN says it, on every interface.
        result = healthcheck(env={"HOTPOD_LISTEN": f"0.0.0.0:{port}", "PATH": "/usr/bin:/bin"})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")
        hp.stop()
        result = healthcheck(env={"HOTPOD_LISTEN": f"0.0.0.0:{port}"})
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"http://127.0.0.1:{port}/healthz", result.stderr)
        self.assertIn("is hotpod running", result.stderr)

    def test_a_503_is_unhealthy_and_says_so(self):
        server = http.server.HTTPServer(("127.0.0.1", 0), Unhealthy)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        url = f"http://127.0.0.1:{server.server_address[1]}/healthz"
        result = healthcheck(url)
        self.assertEqual(result.returncode, 1)
        self.assertIn("HTTP 503", result.stderr)
        result = healthcheck(env={"HOTPOD_HEALTHZ_URL": url})
        self.assertEqual(result.returncode, 1)
        self.assertIn(url, result.stderr)

    def test_a_timeout_that_is_not_a_duration_is_a_usage_error(self):
        result = healthcheck("--timeout", "soon")
        self.assertEqual(result.returncode, 2)
        self.assertIn("'soon' is not a duration", result.stderr)


if __name__ == "__main__":
    unittest.main()
