"""The dev proxy in /v1/status and on the status page: where it listens, the handover, where it
sends requests (port and build), the requests it holds now and those that failed, and a new
version being started beside the running one (handover: overlap). Headless Chromium checks the
page's Proxy card."""
import http.client
import json
import os
import sys
import threading
import time
import unittest

from hotpod_harness import HANG_TIMEOUT, wait_until, write

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "http"))
from proxy_itest import ProxyCase  # noqa: E402
from status_page_itest import CHROMIUM, DevTools, DomParser, Page  # noqa: E402


class ProxyStatusTest(ProxyCase):
    def proxy_status(self, hp):
        status = json.loads(self.get_status(hp))
        self.assertIn("proxy", status)
        return status["proxy"]

    def get_status(self, hp):
        conn = http.client.HTTPConnection("127.0.0.1", hp.http_port(), timeout=10)
        conn.request("GET", "/v1/status")
        body = conn.getresponse().read().decode()
        conn.close()
        return body

    def wait_proxy(self, hp, what, predicate):
        return wait_until(what, lambda: (lambda p: p if predicate(p) else None)(
            self.proxy_status(hp)), detail=hp.log_tail)

    def test_held_requests_and_their_reason_then_the_version_it_sends_to(self):
        hp = self.start_hotpod(gate=True)
        hp.wait_for("build_started")
        proxy = self.proxy_status(hp)
        self.assertEqual(proxy["listen"], f"127.0.0.1:{self.proxy_port}")
        self.assertEqual(proxy["handover"], "stop-first")
        self.assertFalse(proxy["ready"])
        self.assertIsNone(proxy["candidate"])
        answers = []
        client = threading.Thread(target=lambda: answers.append(self.get()))
        client.start()
        hp.wait_for("proxy_held")
        held = self.wait_proxy(hp, "one held request",
                               lambda p: p["requests"]["held_now"] == 1)
        self.assertEqual(held["holding"], {"kind": "building", "reason": "build #1 is running"})
        os.remove(os.path.join(self.dir, "gate"))
        client.join(60)
        self.assertEqual(answers[0][0], 200)
        ready = self.wait_proxy(hp, "the request passed", lambda p: p["ready"]
                                and p["requests"]["held_total"] == 1)
        self.assertEqual(ready["upstream"], {"port": self.app_port, "build": 1})
        self.assertIsNone(ready["holding"])
        self.assertEqual(ready["requests"]["held_now"], 0)
        self.assertEqual(ready["requests"]["failed_total"], 0)
        self.assertEqual(hp.stop(), 0)

    def test_overlap_shows_the_candidate_until_it_is_promoted(self):
        hp = self.start_hotpod(extra=f"""  handover: overlap
app:
  health_url: http://127.0.0.1:{self.proxy_port}/healthz
""")
        hp.wait_for("proxy_ready")
        first = self.wait_proxy(hp, "serving build 1", lambda p: p["ready"] and p["upstream"])
        self.assertEqual(first["handover"], "overlap")
        self.assertEqual(first["upstream"]["build"], 1)
        old_port = first["upstream"]["port"]
        page = Page(DevTools(self), hp.url("/")) if CHROMIUM else None
        write(os.path.join(self.dir, "app-gate"), "")  # the next version is not ready yet
        mark = hp.mark()
        write(os.path.join(self.dir, "version.txt"), "v2\n")
        _, candidate = hp.wait_for("app_candidate", after=mark)
        new_port = candidate["port"]
        pending = self.wait_proxy(hp, "a candidate", lambda p: p["candidate"])
        self.assertEqual(pending["candidate"]["port"], candidate["port"])
        self.assertEqual(pending["candidate"]["build"], 2)
        self.assertGreater(pending["candidate"]["pid"], 0)
        self.assertEqual(pending["upstream"], {"port": old_port, "build": 1})  # still the old one
        # The event stream says so (the page follows it).
        conn = http.client.HTTPConnection("127.0.0.1", hp.http_port(), timeout=30)
        conn.request("GET", "/v1/events", headers={"Last-Event-ID": "0"})
        stream, kind = conn.getresponse(), None
        deadline = time.monotonic() + HANG_TIMEOUT
        while True:
            self.assertLess(time.monotonic(), deadline, "no proxy event with the candidate")
            line = stream.fp.readline().decode().strip()
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and kind == "proxy":
                event = json.loads(line.split(":", 1)[1])
                if event["candidate"]:
                    break
        conn.close()
        self.assertEqual(event["candidate"]["port"], candidate["port"])

        # The page, open since before the edit, shows the same in its Proxy card.
        if page:
            self.assertTrue(page.wait_for(f'#proxy-card[data-candidate="{new_port}"]'), page.dom())
            dom = DomParser(page.dom()).root
            card = dom.by_id("proxy")
            self.assertEqual(card.field("listen"), f"127.0.0.1:{self.proxy_port}")
            self.assertEqual(card.field("handover"), "overlap")
            self.assertEqual(card.field("upstream"), f"port {old_port} (build #1)")
            starting = f"pid {pending['candidate']['pid']} on port {candidate['port']} (build #2)"
            self.assertIn(starting, card.field("candidate"))
            self.assertEqual(card.field("held_now"), "0")
            self.assertIn("hidden", dom.by_id("services-card").attrs)

        os.remove(os.path.join(self.dir, "app-gate"))
        hp.wait_for("app_promoted", after=mark)
        self.wait_proxy(hp, "the candidate promoted", lambda p: not p["candidate"] and p[
            "upstream"] == {"port": candidate["port"], "build": 2})
        if page:
            self.assertTrue(page.wait_for(
                f'#proxy-card[data-upstream="{new_port}"][data-candidate=""]'), page.dom())
            self.assertEqual(page.exceptions(), [])
        self.assertEqual(hp.stop(), 0)

    def test_no_proxy_object_without_proxy(self):
        write(os.path.join(self.dir, "hotpod.yaml"), "run: {cmd: [sleep, '600']}\n")
        hp = self.start([])
        hp.wait_for("app_started")
        self.assertNotIn("proxy", json.loads(self.get_status(hp)))
        self.assertEqual(hp.stop(), 0)


if __name__ == "__main__":
    unittest.main()
