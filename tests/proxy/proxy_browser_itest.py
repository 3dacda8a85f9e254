"""The dev proxy and a real browser (issue 18): headless Chromium opens a page of the app through
the proxy (which injects its live-reload script). After an edit the page reloads exactly once,
and only after the new version answers; a broken build puts an overlay with the compiler's
message over the last good version; the fix removes it. A screenshot of the overlay is kept."""
import os
import sys
import time
import unittest

from hotpod_harness import HANG_TIMEOUT, skip, write

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "http"))
from status_page_itest import CHROMIUM, PNG_MAGIC, DevTools, Page, artifacts_dir  # noqa: E402
from proxy_itest import ProxyCase  # noqa: E402


class BrowserTest(ProxyCase):
    def loads(self, page):
        return sum(1 for e in page.dt.events
                   if e.get("method") == "Page.loadEventFired" and e.get("sessionId") == page.session)

    def wait_loads(self, page, count):
        deadline = time.monotonic() + HANG_TIMEOUT
        while self.loads(page) < count:
            page.dt.events.append(page.dt._receive(deadline))

    def heading(self, page):
        return page.evaluate("document.getElementById('v').textContent")

    def test_reload_once_when_ready_overlay_on_failure_gone_after_the_fix(self):
        hp = self.start_hotpod()
        hp.wait_for("proxy_ready")
        page = Page(DevTools(self), f"http://127.0.0.1:{self.proxy_port}/page")
        hp.wait_for("proxy_subscribed")
        self.assertEqual(self.heading(page), "v1")
        self.assertEqual(self.loads(page), 1)

        mark = hp.mark()
        write(os.path.join(self.dir, "version.txt"), "v2\n")
        self.wait_loads(page, 2)
        # The reload fetched the new version: it came only once v2 answered.
        self.assertEqual(self.heading(page), "v2")
        hp.wait_for("proxy_subscribed", after=mark)  # the reloaded page listens again

        mark = hp.mark()
        write(os.path.join(self.dir, "version.txt"), "broken\n")
        self.assertTrue(page.wait_for("#hotpod-overlay-output"), page.dom())
        output = page.evaluate("document.getElementById('hotpod-overlay-output').textContent")
        self.assertIn("version.txt:1:1: error: broken", output)
        self.assertEqual(self.heading(page), "v2")  # the last good version, under the overlay
        png = page.screenshot()
        self.assertEqual(png[:8], PNG_MAGIC)
        path = os.path.join(artifacts_dir(), "proxy-overlay.png")
        with open(path, "wb") as f:
            f.write(png)
        print(f"screenshot: {path}", flush=True)
        self.assertEqual(self.loads(page), 2, "a failed build reloads nothing")

        write(os.path.join(self.dir, "version.txt"), "v3\n")
        self.wait_loads(page, 3)
        self.assertEqual(self.heading(page), "v3")
        self.assertFalse(page.evaluate("!!document.getElementById('hotpod-overlay')"))
        self.assertEqual(self.loads(page), 3, "one reload per new version")
        self.assertEqual(page.exceptions(), [])
        self.assertEqual(hp.stop(), 0)

    def test_a_page_with_a_csp_nonce_runs_the_snippet_and_reloads(self):
        # default-src 'self'; script-src 'nonce-…' 'strict-dynamic': only a script carrying the
        # nonce runs, and the event stream is allowed by default-src 'self'.
        hp = self.start_hotpod()
        hp.wait_for("proxy_ready")
        page = Page(DevTools(self), f"http://127.0.0.1:{self.proxy_port}/page-csp-nonce")
        hp.wait_for("proxy_subscribed", timeout=30)  # live.js ran and its EventSource connected
        self.assertEqual(page.evaluate("String(window.own)"), "1")  # the page's own script too
        write(os.path.join(self.dir, "version.txt"), "v2\n")
        self.wait_loads(page, 2)
        self.assertEqual(self.heading(page), "v2")
        self.assertEqual(page.exceptions(), [])
        self.assertEqual(hp.stop(), 0)


if __name__ == "__main__":
    if CHROMIUM is None:
        skip("chromium not installed")
    unittest.main()
