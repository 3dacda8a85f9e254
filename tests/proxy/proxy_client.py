"""The client side of the proxy's load tests: GET / on one connection kept alive, or on a new
one each time. Every answer that is not a 200, and every refused, reset or dropped connection,
is a failure — what a user's browser or another service of the stack would see."""
import http.client
import socket


class Requester:
    def __init__(self, port, keep_alive, timeout):
        self.port, self.keep_alive, self.timeout = port, keep_alive, timeout
        self.conn = None

    def get(self):
        """(body, None) for a 200, else (None, why)."""
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self.conn.request("GET", "/")
            response = self.conn.getresponse()
            body = response.read().decode()
            if not self.keep_alive or response.will_close:
                self.close()
            if response.status != 200:
                return None, f"HTTP {response.status}: {body[:200]}"
            return body.strip(), None
        except Exception as error:  # noqa: BLE001 - every failure counts
            self.close()
            return None, f"{type(error).__name__}: {error}"

    def close(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = None


def read_until(sock, marker, received=b""):
    """Reads from sock until marker has arrived; returns all bytes so far. Fails if the
    connection ends first."""
    while marker not in received:
        chunk = sock.recv(4096)
        if not chunk:
            raise AssertionError(f"the connection ended before {marker!r}: {received!r}")
        received += chunk
    return received


def ask_until(port, path, marker):
    """GET path on a new connection, read until marker has arrived (the answer is under way):
    returns (socket, bytes so far)."""
    client = socket.create_connection(("127.0.0.1", port), timeout=30)
    client.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
    return client, read_until(client, marker)
