"""A small HTTP app for the dev proxy's tests: it listens on $HOST:$PORT (or on the port given
as its first argument, for run.cmd's {port}), answers / with its version (the VERSION file
as it was when it started) and port, /healthz with 503 while the file app-gate exists, streams
server-sent events on /events until /release is requested, answers /slow in two halves (the
second once the test closes the FIFO slow-gate), and echoes a raw byte stream after an Upgrade
(a minimal tunnel, as WebSocket uses). /page* are HTML pages: plain,
gzip, chunked, with a Content-Security-Policy (blocking, or with a nonce), and large ones.
Started while the file exit-at-start exists it exits at once (code 3); while no-listen exists
it runs without listening."""
import gzip
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
released = threading.Event()
big_released = threading.Event()
# The nonce /page-csp-nonce's policy requires ('strict-dynamic': 'self' alone would not do).
NONCE = "t3stN0nce"


def read_version():
    with open(os.path.join(os.getcwd(), "VERSION")) as f:
        return f.read().strip()


VERSION = read_version()  # this process's version, as built


def version():
    return VERSION


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type="text/plain"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/":
            env = f"HOST={os.environ.get('HOST', '')} PORT={os.environ.get('PORT', '')}"
            return self.answer(200, f"{version()} port={self.server.server_port} {env} "
                                    f"client={self.client_address[1]}\n")
        if self.path == "/healthz":
            # Not ready while the file `app-gate` exists (the test decides when it is).
            if os.path.exists(os.path.join(os.getcwd(), "app-gate")):
                return self.answer(503, "not yet\n")
            return self.answer(200, "ok\n")
        if self.path.startswith("/page"):
            page = f"<!doctype html><html><body><h1 id='v'>{version()}</h1></BODY></html>"
            if self.path == "/page-gzip":
                data = gzip.compress(page.encode())
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            if self.path == "/page-csp":
                self.send_response(200)
                self.send_header("Content-Security-Policy", "script-src 'none'")
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page.encode())
                return
            if self.path == "/page-csp-nonce":
                page = page.replace("<h1", f"<script nonce='{NONCE}'>window.own = 1</script><h1")
                self.send_response(200)
                self.send_header("Content-Security-Policy",
                                 f"default-src 'self'; script-src 'nonce-{NONCE}' 'strict-dynamic'")
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page.encode())
                return
            if self.path.startswith("/page-meta-"):  # the policy in the page's own <meta>
                policy = ("script-src 'none'" if self.path == "/page-meta-none" else
                          f"default-src &#39;self&#39;; script-src 'nonce-{NONCE}' 'strict-dynamic'")
                page = page.replace("<html>", "<html><HEAD><Meta HTTP-EQUIV=\"Content-Security-"
                                    f"Policy\" content=\"{policy}\"></head>")
                return self.answer(200, page, "text/html; charset=utf-8")
            if self.path.startswith("/page-big"):
                return self.big_page()
            if self.path == "/page-chunked":
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                half = len(page) // 2
                self.chunk(page[:half])
                self.chunk(page[half:])
                self.wfile.write(b"0\r\n\r\n")
                return
            return self.answer(200, page, "text/html; charset=utf-8")
        if self.path == "/release-big":
            big_released.set()
            return self.answer(200, "released\n")
        if self.path == "/release":
            released.set()
            return self.answer(200, "released\n")
        if self.path == "/events":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.chunk("data: first\n\n")
            released.wait(60)  # the client must have the first event before it asks for more
            self.chunk("data: second\n\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        if self.path == "/slow":  # half an answer, the rest once the FIFO slow-gate is closed
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.chunk(f"{version()} begun\n")
            with open(os.path.join(os.getcwd(), "slow-gate")) as gate:
                gate.read()
            self.chunk("ended\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        if self.path == "/upgrade" and self.headers.get("Upgrade"):
            self.send_response(101)
            self.send_header("Upgrade", self.headers["Upgrade"])
            self.send_header("Connection", "Upgrade")
            self.end_headers()
            self.wfile.flush()
            while True:
                data = self.connection.recv(65536)
                if not data:
                    break
                self.connection.sendall(b"echo:" + data)
            self.close_connection = True
            return
        self.answer(404, "not found\n")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        self.answer(200, f"{version()} got {len(body)} bytes\n")

    def big_page(self):
        """/page-big?MiB: an HTML page of that many MiB with a Content-Length;
        /page-big-stream?MiB: as chunks, the last one only after /release-big."""
        mib = int(self.path.split("?")[1])
        head, tail = b"<!doctype html><html><body><pre>", b"</pre></body></html>"
        filler = b"0123456789abcdef" * 4095 + b"0123456789abcde\n"  # 64 KiB
        count = mib * 16
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if self.path.startswith("/page-big-stream"):
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(f"{len(head):x}\r\n".encode() + head + b"\r\n")
            for _ in range(count):
                self.wfile.write(f"{len(filler):x}\r\n".encode() + filler + b"\r\n")
            self.wfile.flush()
            big_released.wait(600)  # the client must have the page so far before it ends
            self.wfile.write(f"{len(tail):x}\r\n".encode() + tail + b"\r\n0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(head) + count * len(filler) + len(tail)))
        self.end_headers()
        self.wfile.write(head)
        for _ in range(count):
            self.wfile.write(filler)
        self.wfile.write(tail)

    def chunk(self, text):
        data = text.encode()
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


def main():
    # A version that never gets ready, as the test decides: it exits at once, or never listens.
    if os.path.exists(os.path.join(os.getcwd(), "exit-at-start")):
        print("exit-at-start: exiting", flush=True)
        sys.exit(3)
    if os.path.exists(os.path.join(os.getcwd(), "no-listen")):
        print("no-listen: not listening", flush=True)
        threading.Event().wait()
    port = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ["PORT"])
    host = os.environ.get("HOST", "127.0.0.1")
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    print(f"listening on http://{host}:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
