"""The dev proxy's live-reload snippet and what a page asks of it (issue 18 item 5), with a real
app process (tests/proxy/proxy_app.py): a Content-Security-Policy nonce is put on the script tag
(a policy that would block it and offers none leaves the page alone, with a log line saying which
directive); a page over the 8 MiB injection limit passes unchanged, and one sent in chunks is
passed on as it comes once it crosses the limit instead of being kept whole until its end."""
import http.client
import os
import socket
import sys
import unittest

from hotpod_harness import HANG_TIMEOUT

from proxy_itest import ProxyCase

NONCE = "t3stN0nce"  # as proxy_app.py's policy for /page-csp-nonce requires

SNIPPET = '<script src="/__hotpod/live.js" defer></script>'
MIB = 1 << 20


class InjectPolicyTest(ProxyCase):
    def fetch(self, path, port=None):
        conn = http.client.HTTPConnection("127.0.0.1", port or self.proxy_port, timeout=60)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            self.assertEqual(response.status, 200, path)
            length = response.getheader("Content-Length")
            if length is not None:
                self.assertEqual(int(length), len(body), path)
            return body
        finally:
            conn.close()

    def test_a_csp_nonce_goes_on_the_snippet_and_a_blocking_policy_is_said(self):
        hp = self.start_hotpod()
        hp.wait_for("proxy_ready")
        body = self.fetch("/page-csp-nonce").decode()
        self.assertIn(f'<script nonce="{NONCE}" src="/__hotpod/live.js" defer></script></BODY>',
                      body)
        self.assertIn(f"<script nonce='{NONCE}'>window.own = 1</script>", body)  # the app's own
        self.assertNotIn(b"live.js", self.fetch("/page-csp"))  # script-src 'none'
        _, record = hp.wait_for("proxy_no_inject")
        self.assertEqual(record["why"], "script-src has no nonce and no 'self'")
        self.assertIn(SNIPPET + "</BODY>", self.fetch("/page").decode())  # no policy
        self.assertEqual(hp.stop(), 0)

    def test_a_policy_in_the_pages_own_meta_tag_is_obeyed_too(self):
        hp = self.start_hotpod()
        hp.wait_for("proxy_ready")
        body = self.fetch("/page-meta-nonce").decode()
        self.assertIn(f'<script nonce="{NONCE}" src="/__hotpod/live.js" defer></script></BODY>',
                      body)
        body = self.fetch("/page-meta-none").decode()
        self.assertNotIn("live.js", body)
        self.assertIn("<h1 id='v'>", body)  # the page itself, whole
        _, record = hp.wait_for("proxy_no_inject")
        self.assertEqual(record["why"],
                         "the page's <meta> policy: script-src has no nonce and no 'self'")
        self.assertEqual(hp.stop(), 0)

    def test_a_page_over_the_limit_passes_unchanged_one_under_it_gets_the_snippet(self):
        hp = self.start_hotpod()
        hp.wait_for("proxy_ready")
        direct = self.fetch("/page-big?9", port=self.app_port)
        self.assertEqual(len(direct), 9 * MIB + 52)
        self.assertEqual(self.fetch("/page-big?9"), direct)  # byte for byte, no snippet
        _, record = hp.wait_for("proxy_inject_too_large")
        self.assertEqual(record["limit_bytes"], 8 * MIB)
        under = self.fetch("/page-big?7")
        self.assertTrue(under.endswith((SNIPPET + "</body></html>").encode()))
        self.assertEqual(hp.count("proxy_inject_too_large"), 1)
        self.assertEqual(hp.stop(), 0)

    def test_a_chunked_page_over_the_limit_is_passed_on_before_it_ends(self):
        hp = self.start_hotpod()
        hp.wait_for("proxy_ready")
        page = socket.create_connection(("127.0.0.1", self.proxy_port), timeout=HANG_TIMEOUT)
        page.sendall(b"GET /page-big-stream?9 HTTP/1.1\r\nHost: test\r\n\r\n")
        # The app has sent 9 MiB and waits for /release-big: all of it must reach the client
        # (a proxy that keeps the page until its end sends nothing, and this read times out).
        received = b""
        while len(received) < 9 * MIB:
            chunk = page.recv(1 << 16)
            self.assertTrue(chunk, "closed early")
            received += chunk
        self.assertIn(b"Transfer-Encoding: chunked", received)
        hp.wait_for("proxy_inject_too_large")
        self.assertEqual(self.fetch("/release-big"), b"released\n")
        while not received.endswith(b"\r\n0\r\n\r\n"):
            chunk = page.recv(1 << 16)
            self.assertTrue(chunk, "closed before the last chunk")
            received += chunk
        page.close()
        self.assertNotIn(b"live.js", received)
        self.assertIn(b"</pre></body></html>\r\n0\r\n\r\n", received)  # the app's framing, as sent
        self.assertEqual(hp.stop(), 0)


if __name__ == "__main__":
    unittest.main()
