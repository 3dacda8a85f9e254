"""A request with `Expect: 100-continue` through the dev proxy: the app's 100 Continue reaches the
client at once, so that the client sends its body (curl waits 1 s for it, other clients longer),
and the final answer follows."""
import socket
import unittest

from proxy_client import read_until
from proxy_itest import ProxyCase


class ExpectContinueTest(ProxyCase):
    def test_100_continue_is_passed_on_before_the_body_is_sent(self):
        hp = self.start_hotpod()
        hp.wait_for("proxy_ready")
        client = socket.create_connection(("127.0.0.1", self.proxy_port), timeout=10)
        client.sendall(b"POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n"
                       b"Expect: 100-continue\r\n\r\n")
        # The app holds its answer until the body comes; the socket's 10 s timeout fails the
        # test if the 100 is held back.
        received = read_until(client, b"\r\n\r\n")
        self.assertTrue(received.startswith(b"HTTP/1.1 100 Continue\r\n"), received)
        client.sendall(b"hello")
        received = read_until(client, b"got 5 bytes", received)
        self.assertIn(b"HTTP/1.1 200 OK\r\n", received)
        client.close()
        self.assertEqual(hp.stop(), 0)


if __name__ == "__main__":
    unittest.main()
