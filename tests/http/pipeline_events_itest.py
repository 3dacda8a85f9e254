"""What the pipeline reports over HTTP: a notify rule's change reaches /v1/events (browser live
reload) without a build, and the poll backend's effective interval and scan times reach
/v1/status and /metrics."""
import json
import os
import unittest

from hotpod_harness import TempTree, http_request, write
from observe_support import EventReader, sample


class PipelineEventsTest(TempTree):
    def test_notify_rule_reaches_the_event_stream_without_a_build(self):
        write(os.path.join(self.dir, "main.c"), "int main(void) { return 0; }\n")
        write(os.path.join(self.dir, "static", "site.css"), "body {}\n")
        write(os.path.join(self.dir, "hotpod.yaml"), """
build:
  cmd: cc -o /dev/null main.c
rules:
  - {match: 'static/', action: notify}
  - {ext: c, action: build}
""")
        hp = self.start([])
        hp.wait_for("build_finished", build=1)
        events = EventReader(hp.url("/v1/events"))
        self.addCleanup(events.close)
        # A page on the app's own port may read the stream (CORS for local origins only).
        self.assertEqual(events.headers.get("Content-Type"), "text/event-stream")
        events.wait_for("hello")
        mark = hp.mark()
        write(os.path.join(self.dir, "static", "site.css"), "body { color: red }\n")
        hp.wait_for("notify", after=mark)
        self.assertEqual(events.wait_for("notify")["files"], ["static/site.css"])
        self.assertEqual(events.wait_for("reload", files=["static/site.css"])["files"],
                         ["static/site.css"])
        self.assertEqual(hp.count("build_started"), 1, "a notify rule builds nothing")

    def test_event_stream_cors_is_for_local_pages_only(self):
        write(os.path.join(self.dir, "a.txt"), "1")
        hp = self.start(["--build", "true"])
        hp.wait_for("build_finished", build=1)
        import urllib.request
        for origin, allowed in (("http://localhost:8080", True),
                                ("http://127.0.0.1:3000", True),
                                ("https://evil.example", False)):
            request = urllib.request.Request(hp.url("/v1/events"), headers={"Origin": origin})
            with urllib.request.urlopen(request, timeout=30) as response:
                self.assertEqual(response.headers.get("Access-Control-Allow-Origin"),
                                 origin if allowed else None, origin)

    def test_poll_interval_and_scans_are_published(self):
        write(os.path.join(self.dir, "a.txt"), "1")
        hp = self.start(["--backend", "poll", "--poll-interval", "300ms", "--build", "true",
                         "--log-level", "debug"])
        hp.wait_for("build_finished", build=1)
        _, interval = hp.wait_for("poll_interval")
        for _ in range(4):  # four scans after the first one
            hp.wait_for("poll_scan", after=hp.mark())
        status = json.loads(http_request(hp.url("/v1/status"))[1])
        self.assertEqual(status["watch"]["backend"], "poll")
        self.assertEqual(status["watch"]["poll_interval_seconds"], interval["interval_ms"] / 1000)
        metrics = http_request(hp.url("/metrics"))[1]
        self.assertEqual(sample(metrics, "hotpod_poll_interval_seconds"),
                         interval["interval_ms"] / 1000)
        self.assertGreaterEqual(sample(metrics, "hotpod_poll_scan_duration_seconds_count"), 5)
        self.assertEqual(sample(metrics, "hotpod_watch_backend_info", backend="poll"), 1)


if __name__ == "__main__":
    unittest.main()
