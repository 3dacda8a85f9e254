"""The dev proxy's metrics per version (issue 18, item 6), through real edits in both handover
modes: requests proxied, held (and their hold time) and failed are labelled with the build
whose app served them — held ones with the version they were finally sent to, a 503 while no
version was in service with "none" — only the newest three builds keep their series, and the
exposition passes the real `promtool check metrics`."""
import http.client
import os
import sys
import threading
import unittest

from hotpod_harness import assert_promtool_clean, wait_until, write
from observe_support import sample
from proxy_client import ask_until
from proxy_itest import APP, ProxyCase

# The app waits while the file start-gate exists: a new version that is not listening yet.
GATED_RUN = (f"['sh', '-c', 'while [ -e start-gate ]; do sleep 0.02; done; "
             f"exec {sys.executable} {APP}']")


class ProxyMetricsTest(ProxyCase):
    def scrape(self, hp):
        conn = http.client.HTTPConnection("127.0.0.1", hp.http_port(), timeout=10)
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
        conn.close()
        return text

    def scrape_counted(self, hp, proxied):
        """/metrics once the answers of `proxied` ({version: count}) are counted: the proxy counts
        an answer right after passing its last bytes on, so the client can be a moment ahead."""
        def counted():
            text = self.scrape(hp)
            return text if all((self.count(text, "hotpod_proxy_requests_total", version=v) or 0)
                               >= n for v, n in proxied.items()) else None
        return wait_until(f"answers counted: {proxied}", counted, detail=hp.log_tail)

    def count(self, text, name, **labels):
        value = sample(text, name, **labels)
        return None if value is None else int(value)

    def promtool(self, text):
        assert_promtool_clean(self, text)

    def edit(self, hp, version):
        mark = hp.mark()
        write(os.path.join(self.dir, "version.txt"), version + "\n")
        return mark

    def get_in_thread(self, answers):
        client = threading.Thread(target=lambda: answers.append(self.get()))
        client.start()
        return client

    def open_stream(self):
        """An event stream from the serving version, its first event read: in flight."""
        return ask_until(self.proxy_port, "/events", b"data: first")[0]

    def wait_closed(self, stream):
        while stream.recv(4096):
            pass
        stream.close()

    def first_versions(self, hp):
        """Build #1 fails (a 503 with no version in service), build #2 serves after a hold."""
        hp.wait_for("build_finished", result="failure")
        status, _, _ = self.get(timeout=10)
        self.assertEqual(status, 503)
        write(os.path.join(self.dir, "gate"), "")
        mark = self.edit(hp, "v1")
        hp.wait_for("build_started", after=mark)
        answers = []
        client = self.get_in_thread(answers)
        hp.wait_for("proxy_held", after=mark)
        os.remove(os.path.join(self.dir, "gate"))
        client.join(60)
        self.assertEqual(answers[0][0], 200)
        self.assertTrue(answers[0][2].startswith("v1 "), answers[0][2])
        for _ in range(2):
            self.assertTrue(self.get()[2].startswith("v1 "))

    def check_first_versions(self, text, proxied_2):
        self.assertEqual(
            self.count(text, "hotpod_proxy_failed_requests_total", reason="build_failed",
                       version="none"), 1)
        self.assertEqual(self.count(text, "hotpod_proxy_held_requests_total", version="2"), 1)
        self.assertEqual(self.count(text, "hotpod_proxy_hold_seconds_count", version="2"), 1)
        self.assertEqual(self.count(text, "hotpod_proxy_requests_total", version="2"), proxied_2)
        # The event stream that build 2's app was cut off in when it was replaced.
        self.assertEqual(self.count(text, "hotpod_proxy_failed_requests_total", reason="cut off",
                                    version="2"), 1)

    def later_versions(self, hp, first_build):
        """Three more builds, each answering once: the oldest series go."""
        for build in range(first_build, first_build + 3):
            mark = self.edit(hp, f"v{build - 1}")
            hp.wait_for("proxy_ready", after=mark)
            self.assertTrue(self.get()[2].startswith(f"v{build - 1} "))
        text = self.scrape_counted(hp, {str(b): 1 for b in range(first_build, first_build + 3)})
        for build in range(first_build, first_build + 3):
            self.assertEqual(self.count(text, "hotpod_proxy_requests_total", version=str(build)),
                             1, text)
        for gone in range(1, first_build):
            self.assertNotIn(f'version="{gone}"', text)
        self.assertEqual(
            self.count(text, "hotpod_proxy_failed_requests_total", reason="build_failed",
                       version="none"), 1)
        self.promtool(text)

    def test_stop_first(self):
        hp = self.start_hotpod(version="broken", run_cmd=GATED_RUN)
        self.first_versions(hp)
        stream = self.open_stream()
        # Build 3's app waits at its start: a request is held and goes to it once it listens.
        write(os.path.join(self.dir, "start-gate"), "")
        mark = self.edit(hp, "v2")
        hp.wait_for("app_started", after=mark)
        self.wait_closed(stream)  # build 2's app stopped: the stream was cut off
        answers = []
        client = self.get_in_thread(answers)
        hp.wait_for("proxy_held", after=mark)
        os.remove(os.path.join(self.dir, "start-gate"))
        client.join(60)
        self.assertTrue(answers[0][2].startswith("v2 "), answers[0][2])
        text = self.scrape_counted(hp, {"2": 3, "3": 1})
        self.check_first_versions(text, proxied_2=3)
        self.assertEqual(self.count(text, "hotpod_proxy_held_requests_total", version="3"), 1)
        self.assertEqual(self.count(text, "hotpod_proxy_requests_total", version="3"), 1)
        self.promtool(text)
        self.later_versions(hp, 4)
        self.assertEqual(hp.stop(), 0)

    def test_overlap(self):
        # The candidate is probed at the path of app.health_url on its own port. The URL points
        # nowhere else: the loop's own probes through the proxy would add to the counts.
        hp = self.start_hotpod(version="broken", extra=(
            "  handover: overlap\n"
            "app: {health_url: 'http://127.0.0.1:1/healthz', ready_timeout: 600s}\n"))
        self.first_versions(hp)
        stream = self.open_stream()
        # Build 3's app is not ready while app-gate exists: build 2's answers meanwhile.
        write(os.path.join(self.dir, "app-gate"), "")
        mark = self.edit(hp, "v2")
        hp.wait_for("app_candidate", after=mark)
        for _ in range(2):
            self.assertTrue(self.get()[2].startswith("v1 "))
        os.remove(os.path.join(self.dir, "app-gate"))
        hp.wait_for("app_promoted", after=mark)
        self.assertTrue(self.get()[2].startswith("v2 "))
        self.wait_closed(stream)  # build 2's app was stopped once replaced
        text = self.scrape_counted(hp, {"2": 5, "3": 1})
        self.check_first_versions(text, proxied_2=5)
        # Nothing was held for build 3: it has no hold series.
        self.assertIsNone(self.count(text, "hotpod_proxy_held_requests_total", version="3"))
        self.assertEqual(self.count(text, "hotpod_proxy_requests_total", version="3"), 1)
        self.promtool(text)
        self.later_versions(hp, 4)
        self.assertEqual(hp.stop(), 0)


if __name__ == "__main__":
    unittest.main()
