"""Live-reload slots: a /v1/events stream whose client has gone gives its slot back at once, so
reloading every tab (close 8 streams, open 8 again) or opening and closing streams quickly never
locks a browser out; and a stream over the limit is told when to come back (`retry:`), which a
browser's EventSource obeys, instead of a 503 after which it never retries."""
import os
import socket
import time
import unittest

from hotpod_harness import HANG_TIMEOUT, TempTree, http_request, write

SLOTS = 8  # EventHub's limit


class EventSourceLike:
    """Connects like a browser's EventSource; `opened` says whether a real stream (hello) came."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall(b"GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n")
        self.status, self.retry_ms, self.opened = None, None, False
        data = b""
        while b"event: hello" not in data and b"event: busy" not in data:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            data += chunk
            if self.status is None and b"\r\n" in data:
                self.status = int(data.split(b" ", 2)[1])
                if self.status != 200:
                    break
        self.opened = b"event: hello" in data
        for line in data.decode(errors="replace").splitlines():
            if line.startswith("retry: ") and not self.opened:
                self.retry_ms = int(line[7:])

    def close(self):
        self.sock.close()


def open_like_a_browser(port, deadline):
    """An EventSource: on a `retry:` hint it reconnects after that long; on an error status it
    gives up (returns None), as browsers do."""
    while time.monotonic() < deadline:
        stream = EventSourceLike(port)
        if stream.opened:
            return stream
        stream.close()
        if stream.status != 200 or stream.retry_ms is None:
            return None
        time.sleep(stream.retry_ms / 1000)
    return None


class EventStreamSlotsTest(TempTree):
    def setUp(self):
        super().setUp()
        write(os.path.join(self.dir, "src", "a.txt"), "a\n")
        self.hp = self.start(["--root", os.path.join(self.dir, "src"), "--build", "true"])
        self.hp.wait_for("build_finished", build=1)
        self.port = self.hp.http_port()

    def open_all(self, count):
        deadline = time.monotonic() + HANG_TIMEOUT
        streams = [open_like_a_browser(self.port, deadline) for _ in range(count)]
        for stream in streams:
            if stream:
                self.addCleanup(stream.close)
        return streams

    def test_reloading_every_tab_gets_every_stream_back(self):
        first = self.open_all(SLOTS)
        self.assertTrue(all(first), "the first streams did not open")
        for stream in first:
            stream.close()
        again = self.open_all(SLOTS)
        self.assertEqual(sum(1 for s in again if s), SLOTS,
                         "after a reload some tabs never got their live-reload stream back")

    def test_quick_open_close_cycles_do_not_lock_streams_out(self):
        for _ in range(SLOTS):
            stream = EventSourceLike(self.port)
            stream.close()
        later = self.open_all(1)
        self.assertTrue(later[0], "a new stream was locked out after quick open/close cycles")

    def test_over_the_limit_a_browser_is_told_to_retry_and_curl_gets_503(self):
        held = self.open_all(SLOTS)
        self.assertTrue(all(held))
        extra = EventSourceLike(self.port)
        self.addCleanup(extra.close)
        self.assertEqual(extra.status, 200)
        self.assertFalse(extra.opened)
        self.assertIsNotNone(extra.retry_ms, "no retry: hint for the EventSource over the limit")
        status, body = http_request(f"http://127.0.0.1:{self.port}/v1/events")
        self.assertEqual(status, 503, body)
        self.assertIn("too many event streams", body)
        # Once one is closed, the waiting browser gets in on its retry.
        held[0].close()
        self.assertTrue(self.open_all(1)[0])

if __name__ == "__main__":
    unittest.main()
