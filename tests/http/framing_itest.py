"""HTTP framing at hotpod's door (RFC 9112): a request with both Content-Length and
Transfer-Encoding is refused and its connection closed (its body never becomes a second request);
a Content-Length that is not a number gets 400 and one over the limit 413 at once; another method
on a known path gets 405 with Allow; a header line over the HTTP library's 8 KiB gets 431 that
says so."""
import os
import socket
import time
import unittest

from hotpod_harness import TempTree, write


def exchange(port, raw, read_timeout=30):
    """Sends raw bytes; returns (every response status line seen, whether the server closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as sock:
        sock.sendall(raw)
        data, closed = b"", False
        deadline = time.monotonic() + read_timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            data += chunk
            # Enough for a kept-alive connection: every request answered, none closing it.
            if data.count(b"HTTP/1.1 ") >= raw.count(b" HTTP/1.1\r\n") and b"\r\n\r\n" in data:
                sock.settimeout(1)
    text = data.decode(errors="replace")
    statuses = [line for line in text.split("\r\n") if line.startswith("HTTP/1.1 ")]
    return statuses, closed, text


class FramingTest(TempTree):
    def setUp(self):
        super().setUp()
        write(os.path.join(self.dir, "src", "a.txt"), "a\n")
        self.hp = self.start(["--root", os.path.join(self.dir, "src"), "--build", "true"])
        self.hp.wait_for("build_finished", build=1)
        self.port = self.hp.http_port()

    def test_content_length_with_transfer_encoding_is_refused_and_closed(self):
        smuggled = (b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                    b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        statuses, closed, text = exchange(self.port, smuggled)
        self.assertEqual(statuses, ["HTTP/1.1 400 Bad Request"], text)
        self.assertTrue(closed, "the connection stayed open after an ambiguous request")
        self.assertIn("Content-Length and Transfer-Encoding", text)

    def test_a_negative_content_length_is_a_bad_request(self):
        statuses, closed, text = exchange(
            self.port, b"POST /v1/rebuild HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n")
        self.assertEqual(statuses, ["HTTP/1.1 400 Bad Request"], text)
        self.assertTrue(closed)

    def test_a_body_over_the_limit_gets_413_before_it_is_sent(self):
        # Only the head: the answer must not wait for (or read) the 1 MB body. The library's
        # own read timeout is 5 s; the answer comes well before it.
        started = time.monotonic()
        statuses, closed, text = exchange(
            self.port,
            b"POST /v1/rebuild HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n",
            read_timeout=4)
        self.assertEqual(statuses, ["HTTP/1.1 413 Content Too Large"], text)
        self.assertLess(time.monotonic() - started, 4)

    def test_other_methods_on_known_paths_get_405_with_allow(self):
        for method, path, allow in (("OPTIONS", "/healthz", "GET, HEAD"),
                                    ("DELETE", "/v1/status", "GET, HEAD"),
                                    ("PUT", "/metrics", "GET, HEAD"),
                                    ("GET", "/v1/rebuild", "POST")):
            with self.subTest(method=method, path=path):
                statuses, _, text = exchange(
                    self.port, f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Content-Length: 0\r\nConnection: close\r\n\r\n".encode())
                self.assertEqual(statuses, ["HTTP/1.1 405 Method Not Allowed"], text)
                self.assertIn(f"Allow: {allow}\r\n", text)
        statuses, _, text = exchange(
            self.port, b"DELETE /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        self.assertEqual(statuses, ["HTTP/1.1 404 Not Found"], text)

    def test_a_header_line_over_8_kib_gets_431_that_says_why(self):
        long_line = b"X-Long: " + b"a" * 10000 + b"\r\n"
        statuses, closed, text = exchange(
            self.port, b"GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n" + long_line + b"\r\n")
        self.assertEqual(statuses, ["HTTP/1.1 431 Request Header Fields Too Large"], text)
        self.assertIn("8 KiB", text)
        # Within 8 KiB a line is fine, and a head of 12 KiB in all too.
        lines = b"".join(b"X-H%d: " % i + b"b" * 3000 + b"\r\n" for i in range(4))
        statuses, _, text = exchange(
            self.port,
            b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + lines + b"\r\n")
        self.assertEqual(statuses, ["HTTP/1.1 200 OK"], text)


if __name__ == "__main__":
    unittest.main()
