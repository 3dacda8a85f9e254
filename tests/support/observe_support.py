"""Shared pieces of the HTTP/observability tests: a small app with a health endpoint, an
event-stream reader, and the Prometheus text format parsed just enough to read a sample."""
import json
import os
import re
import threading
import urllib.request

# A tiny HTTP app: GET / answers its version (from version.txt next to it, read at start);
# GET /health answers 500 while a file named "unhealthy" exists in the working directory, or
# always when the version says BROKEN.
APP = r'''
import http.server, os, sys
port = int(sys.argv[1])
here = os.path.dirname(os.path.abspath(__file__))
version = open(os.path.join(here, "version.txt")).read().strip()
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            bad = "BROKEN" in version or os.path.exists("unhealthy")
            code, body = (500, "unhealthy") if bad else (200, "ok")
        else:
            code, body = 200, version
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer.allow_reuse_address = True
http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
'''

# Builds bin/ from src/: fails with a recognisable line when src/version.txt says FAIL.
BUILD = r'''set -e
if grep -q FAIL src/version.txt; then
  echo "error: src/version.txt: cannot build a version that says FAIL" >&2
  exit 1
fi
mkdir -p bin
cp src/app.py bin/app.py.new && mv bin/app.py.new bin/app.py
cp src/version.txt bin/version.txt.new && mv bin/version.txt.new bin/version.txt
'''


class EventReader:
    """Reads /v1/events on a thread; wait_for(type, **fields) awaits a matching event."""

    def __init__(self, url):
        self.events = []
        self._cond = threading.Condition()
        self._response = urllib.request.urlopen(url, timeout=120)
        self.headers = self._response.headers
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        kind, data = None, []
        try:
            for raw in self._response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
                elif line == "" and kind:
                    with self._cond:
                        self.events.append((kind, json.loads("\n".join(data))))
                        self._cond.notify_all()
                    kind, data = None, []
        except (OSError, ValueError, AttributeError):  # AttributeError: closed by close()
            pass
        with self._cond:
            self._cond.notify_all()

    def wait_for(self, kind, timeout=120, **fields):
        def found():
            return next((d for k, d in self.events
                         if k == kind and all(d.get(f) == v for f, v in fields.items())), None)
        with self._cond:
            if not self._cond.wait_for(lambda: found() is not None or not self._thread.is_alive(),
                                       timeout):
                raise AssertionError(f"no event {kind} {fields}; got {self.events}")
            result = found()
            if result is None:
                raise AssertionError(f"event stream ended before {kind}; got {self.events}")
            return result

    def wait_for_end(self, timeout):
        """Awaits the end of the stream (the server closed it); fails if it stays open."""
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise AssertionError(f"the event stream is still open after {timeout}s")

    def close(self):
        self._response.close()


def sample(metrics_text, name, **labels):
    """The value of one sample in Prometheus text format, or None."""
    for line in metrics_text.splitlines():
        if line.startswith("#"):
            continue
        match = re.match(r"^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
        if found == {k: str(v) for k, v in labels.items()}:
            return float(match.group(3))
    return None


def make_project(directory, version="v1"):
    os.makedirs(os.path.join(directory, "src"), exist_ok=True)
    with open(os.path.join(directory, "src", "app.py"), "w") as f:
        f.write(APP)
    with open(os.path.join(directory, "src", "version.txt"), "w") as f:
        f.write(version + "\n")
    with open(os.path.join(directory, "build.sh"), "w") as f:
        f.write(BUILD)


def wait_answer(url, timeout=120):
    """The body of the first answer from an app that may still be starting (its port not yet
    bound): connection refusals are retried, anything else is returned or raised."""
    import time
    from hotpod_harness import http_request
    deadline = time.monotonic() + timeout
    while True:
        try:
            return http_request(url, timeout=5)[1]
        except OSError as error:
            if "refused" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
