"""The dev proxy (issue 18) with a real app process (tests/proxy/proxy_app.py): the app's
private port (PORT/HOST, {port}), requests held while no version is ready and released when one
is, the 503 that says why (JSON and HTML), a failed build's output, keep-alive, a chunked
event stream passed through unbuffered, an upgraded connection tunnelled, a held POST body."""
import http.client
import json
import os
import signal
import socket
import sys
import threading
import unittest

from hotpod_harness import TempTree, free_port, write
from proxy_client import read_until

APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "proxy_app.py")
# The build waits while the file `gate` exists (the test decides when a build ends), fails when
# version.txt says "broken" (with a compiler-like message), and else publishes the version.
BUILD = ("while [ -e gate ]; do sleep 0.02; done; "
         "if grep -q broken version.txt; then echo 'version.txt:1:1: error: broken' >&2; exit 1; fi; "
         "cp version.txt VERSION")


class ProxyCase(TempTree):
    def setUp(self):
        super().setUp()
        self.proxy_port = free_port()

    def start_hotpod(self, version="v1", gate=False, hold_timeout="20s", run_cmd=None,
                     extra="", args=(), env=None, proxy=True):
        write(os.path.join(self.dir, "version.txt"), version + "\n")
        if gate:
            write(os.path.join(self.dir, "gate"), "")
        run_cmd = run_cmd or f"[{sys.executable}, {APP}]"
        write(os.path.join(self.dir, "hotpod.yaml"), f"""
watch: {{include_ext: [txt], delay: 50ms}}
build: {{cmd: "{BUILD}"}}
run: {{cmd: {run_cmd}}}
log: {{level: debug}}
proxy:
  listen: 127.0.0.1:{self.proxy_port}
  hold_timeout: {hold_timeout}
{extra}""")
        hp = self.start(list(args), env=env)
        if not proxy:
            return hp
        _, listening = hp.wait_for("proxy_listening")
        self.app_port = listening["app_port"]
        return hp

    def metric(self, hp, name):
        """The value of one sample of hotpod's /metrics (0 when absent)."""
        conn = http.client.HTTPConnection("127.0.0.1", hp.http_port(), timeout=10)
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
        conn.close()
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[-1])
        return 0.0

    def get(self, path="/", headers=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.proxy_port, timeout=timeout)
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.getheader("Content-Type"), response.read().decode()
        finally:
            conn.close()



class ProxyTest(ProxyCase):
    def test_the_app_gets_a_private_port_in_PORT_and_HOST(self):
        hp = self.start_hotpod()
        hp.wait_for("proxy_ready")
        status, _, body = self.get()
        self.assertEqual(status, 200)
        self.assertIn(f"v1 port={self.app_port} HOST=127.0.0.1 PORT={self.app_port}", body)
        self.assertNotEqual(self.app_port, self.proxy_port)
        self.assertEqual(hp.stop(), 0)

    def test_port_placeholder_in_run_cmd(self):
        hp = self.start_hotpod(run_cmd=f"'{sys.executable} {APP} {{port}}'")
        hp.wait_for("proxy_ready")
        _, started = hp.wait_for("app_started")
        self.assertIn(str(self.app_port), json.dumps(started))
        self.assertIn(f"port={self.app_port}", self.get()[2])
        self.assertEqual(hp.stop(), 0)

    def test_a_request_is_held_until_the_first_version_is_ready(self):
        hp = self.start_hotpod(gate=True)
        hp.wait_for("build_started")
        answers = []
        client = threading.Thread(target=lambda: answers.append(self.get()))
        client.start()
        hp.wait_for("proxy_held")  # the proxy has it, and no app runs yet
        os.remove(os.path.join(self.dir, "gate"))
        client.join(60)
        self.assertEqual(len(answers), 1)
        self.assertEqual(answers[0][0], 200)
        self.assertIn("v1 ", answers[0][2])
        self.assertEqual(self.metric(hp, 'hotpod_proxy_held_requests_total{version="1"}'), 1)
        self.assertEqual(self.metric(hp, 'hotpod_proxy_hold_seconds_count{version="1"}'), 1)
        self.assertEqual(self.metric(hp, 'hotpod_proxy_requests_total{version="1"}'), 1)
        self.assertEqual(hp.stop(), 0)

    def test_held_too_long_gets_a_503_saying_why_as_json_or_html(self):
        hp = self.start_hotpod(gate=True, hold_timeout="300ms")
        hp.wait_for("build_started")
        status, content_type, body = self.get()
        self.assertEqual((status, content_type), (503, "application/json"))
        answer = json.loads(body)
        self.assertEqual(answer["reason"], "building")
        self.assertEqual(answer["message"], "build #1 is running")
        self.assertGreaterEqual(answer["held_ms"], 300)
        status, content_type, page = self.get(headers={"Accept": "text/html,*/*;q=0.8"})
        self.assertEqual(status, 503)
        self.assertTrue(content_type.startswith("text/html"))
        self.assertIn('id="hotpod-kind">building<', page)
        self.assertEqual(
            self.metric(hp, 'hotpod_proxy_failed_requests_total{reason="building",version="none"}'), 2)
        self.assertEqual(hp.stop(), 0)

    def test_a_failed_build_with_no_app_is_said_at_once_with_its_output(self):
        hp = self.start_hotpod(version="broken")
        hp.wait_for("build_finished", result="failure")
        status, _, body = self.get(timeout=5)  # not held: nothing is on its way
        self.assertEqual(status, 503)
        answer = json.loads(body)
        self.assertEqual(answer["reason"], "build_failed")
        self.assertIn("version.txt:1:1: error: broken", answer["output"])
        page = self.get(headers={"Accept": "text/html"})[2]
        self.assertIn("version.txt:1:1: error: broken", page)
        mark = hp.mark()
        write(os.path.join(self.dir, "version.txt"), "v2\n")
        hp.wait_for("proxy_ready", after=mark)
        self.assertIn("v2 ", self.get()[2])
        self.assertEqual(hp.stop(), 0)

    def test_keep_alive_requests_share_one_connection_to_the_app(self):
        hp = self.start_hotpod()
        hp.wait_for("proxy_ready")
        conn = http.client.HTTPConnection("127.0.0.1", self.proxy_port, timeout=10)
        clients = set()
        for _ in range(3):
            conn.request("GET", "/")
            response = conn.getresponse()
            self.assertEqual(response.status, 200)
            clients.add(response.read().decode().split("client=")[1].strip())
        conn.close()
        self.assertEqual(len(clients), 1, "the proxy should reuse its connection to the app")
        self.assertEqual(hp.stop(), 0)

    def test_an_event_stream_passes_through_unbuffered(self):
        hp = self.start_hotpod()
        hp.wait_for("proxy_ready")
        stream = socket.create_connection(("127.0.0.1", self.proxy_port), timeout=10)
        stream.sendall(b"GET /events HTTP/1.1\r\nHost: test\r\n\r\n")
        # The app holds back the rest until /release.
        received = read_until(stream, b"data: first")
        self.assertNotIn(b"data: second", received)
        self.assertEqual(self.get("/release")[0], 200)
        received = read_until(stream, b"0\r\n\r\n", received)
        self.assertIn(b"data: second", received)
        stream.close()
        self.assertEqual(hp.stop(), 0)

    def test_an_upgraded_connection_is_a_tunnel(self):
        hp = self.start_hotpod()
        hp.wait_for("proxy_ready")
        tunnel = self.open_tunnel()
        for word in (b"hello", b"again"):
            tunnel.sendall(word)
            self.assertEqual(tunnel.recv(4096), b"echo:" + word)
        tunnel.close()
        self.assertEqual(hp.stop(), 0)

    def test_a_tunnel_to_a_replaced_version_closes_cleanly_and_the_client_reconnects(self):
        hp = self.start_hotpod()
        hp.wait_for("proxy_ready")
        tunnel = self.open_tunnel()
        mark = hp.mark()
        write(os.path.join(self.dir, "version.txt"), "v2\n")
        hp.wait_for("proxy_ready", after=mark)
        tunnel.settimeout(30)
        self.assertEqual(tunnel.recv(4096), b"", "the old version's tunnel ends with a close")
        tunnel.close()
        again = self.open_tunnel()
        again.sendall(b"hi")
        self.assertEqual(again.recv(4096), b"echo:hi")
        again.close()
        self.assertIn("v2 ", self.get()[2])
        self.assertEqual(hp.stop(), 0)

    def open_tunnel(self):
        tunnel = socket.create_connection(("127.0.0.1", self.proxy_port), timeout=10)
        tunnel.sendall(b"GET /upgrade HTTP/1.1\r\nHost: test\r\nConnection: Upgrade\r\n"
                       b"Upgrade: websocket\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = tunnel.recv(4096)
            self.assertTrue(chunk, head)
            head += chunk
        self.assertTrue(head.startswith(b"HTTP/1.1 101"), head)
        return tunnel

    def test_a_held_post_keeps_its_body(self):
        hp = self.start_hotpod(gate=True)
        hp.wait_for("build_started")
        answers = []

        def post():
            conn = http.client.HTTPConnection("127.0.0.1", self.proxy_port, timeout=60)
            conn.request("POST", "/", body=b"x" * 100000)
            response = conn.getresponse()
            answers.append((response.status, response.read().decode()))
            conn.close()

        client = threading.Thread(target=post)
        client.start()
        hp.wait_for("proxy_held")
        os.remove(os.path.join(self.dir, "gate"))
        client.join(60)
        self.assertEqual(answers, [(200, "v1 got 100000 bytes\n")])
        self.assertEqual(hp.stop(), 0)



class OverlapTest(ProxyCase):
    """handover: overlap — the old version serves until the new one is ready."""

    def start_overlap(self, ready_timeout="20s"):
        return self.start_hotpod(extra=f"""  handover: overlap
app:
  health_url: http://127.0.0.1:{self.proxy_port}/healthz
  ready_timeout: {ready_timeout}
""")

    def test_the_old_version_serves_until_the_new_one_is_ready(self):
        hp = self.start_overlap()
        hp.wait_for("proxy_ready")
        self.assertIn("v1 ", self.get()[2])
        write(os.path.join(self.dir, "app-gate"), "")  # the next version is not ready yet
        mark = hp.mark()
        write(os.path.join(self.dir, "version.txt"), "v2\n")
        _, candidate = hp.wait_for("app_candidate", after=mark)
        hp.wait_for("app_started", after=mark)
        for _ in range(5):
            status, _, body = self.get(timeout=5)
            self.assertEqual(status, 200)
            self.assertIn("v1 ", body)  # not held: the old version answers at once
        self.assertEqual(hp.count("app_stopping"), 0)
        os.remove(os.path.join(self.dir, "app-gate"))
        hp.wait_for("app_promoted", after=mark)
        self.assertIn(f"v2 port={candidate['port']} ", self.get()[2])
        hp.wait_for("app_stopped", after=mark)  # the old one, after its drain
        self.assertIn("v2 ", self.get()[2])
        self.assertEqual(hp.stop(), 0)

    def test_a_new_version_that_never_gets_ready_is_stopped_and_the_old_one_stays(self):
        hp = self.start_overlap(ready_timeout="1s")
        hp.wait_for("proxy_ready")
        write(os.path.join(self.dir, "app-gate"), "")
        mark = hp.mark()
        write(os.path.join(self.dir, "version.txt"), "v2\n")
        _, failed = hp.wait_for("app_candidate_failed", after=mark)
        self.assertIn("503", failed["msg"])
        hp.wait_for("app_stopped", after=mark)  # the candidate
        self.assertIn("v1 ", self.get()[2])
        status = json.loads(self.get_status(hp))
        self.assertIn("not ready within 1s", json.dumps(status))
        self.assertEqual(hp.stop(), 0)

    def get_status(self, hp):
        conn = http.client.HTTPConnection("127.0.0.1", hp.http_port(), timeout=10)
        conn.request("GET", "/v1/status")
        body = conn.getresponse().read().decode()
        conn.close()
        return body


class InjectTest(ProxyCase):
    """proxy.inject: the live-reload snippet in HTML, the reload once the new version is ready,
    the build-failure overlay's event."""
    SNIPPET = '<script src="/__hotpod/live.js" defer></script>'

    def test_html_gets_the_snippet_with_a_correct_length_and_other_bodies_do_not(self):
        hp = self.start_hotpod()
        hp.wait_for("proxy_ready")
        for path in ("/page", "/page-chunked"):
            conn = http.client.HTTPConnection("127.0.0.1", self.proxy_port, timeout=10)
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read().decode()
            conn.close()
            self.assertEqual(response.status, 200)
            self.assertIn(self.SNIPPET + "</BODY>", body, path)
            self.assertEqual(int(response.getheader("Content-Length")), len(body.encode()))
            self.assertIsNone(response.getheader("Transfer-Encoding"))
        self.assertNotIn("live.js", self.get("/")[2])  # text/plain
        self.assertNotIn(b"live.js", self.raw_get("/page-gzip"))  # not decoded, not touched
        self.assertNotIn(b"live.js", self.raw_get("/page-csp"))
        hp.wait_for("proxy_no_inject")
        status, content_type, script = self.get("/__hotpod/live.js")
        self.assertEqual(status, 200)
        self.assertIn("EventSource", script)
        self.assertEqual(hp.stop(), 0)

    def raw_get(self, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.proxy_port, timeout=10)
        conn.request("GET", path)
        body = conn.getresponse().read()
        conn.close()
        return body

    def test_pages_reload_once_the_new_version_answers_and_see_a_failed_build(self):
        hp = self.start_hotpod()
        hp.wait_for("proxy_ready")
        events = socket.create_connection(("127.0.0.1", self.proxy_port), timeout=30)
        events.sendall(b"GET /__hotpod/events HTTP/1.1\r\nHost: test\r\n\r\n")
        received = read_until(events, b"hotpod live reload\n\n")
        self.assertIn(b"text/event-stream", received)
        mark = hp.mark()
        write(os.path.join(self.dir, "version.txt"), "v2\n")
        received = read_until(events, b"event: reload\n")
        # When the browser hears "reload", the new version already answers.
        self.assertIn("<h1 id='v'>v2</h1>", self.get("/page")[2])
        hp.wait_for("proxy_ready", after=mark)
        self.assertEqual(hp.count("proxy_ready"), 2)
        write(os.path.join(self.dir, "version.txt"), "broken\n")
        received = read_until(events, b"version.txt:1:1: error: broken")
        self.assertIn(b"event: failed\ndata: {", received)
        self.assertIn("v2", self.get("/page")[2])  # the last good version still answers
        events.close()
        self.assertEqual(hp.stop(), 0)


class ExecProxyTest(ProxyCase):
    """hotpod exec --proxy-listen: the app container's port is hotpod's (stop-first)."""

    def test_requests_are_held_across_a_restart_signal(self):
        write(os.path.join(self.dir, "VERSION"), "v1\n")
        hp = self.start(["--proxy-listen", f"127.0.0.1:{self.proxy_port}", "--",
                         sys.executable, APP, "{port}"], command="exec")
        _, listening = hp.wait_for("proxy_listening")
        hp.wait_for("proxy_ready")
        self.assertIn(f"v1 port={listening['app_port']} ", self.get()[2])
        statuses, stop = [], threading.Event()

        def ask():  # at least one request, even if this thread starts late on a busy machine
            while True:
                statuses.append(self.get(timeout=30)[0])
                if stop.is_set():
                    break

        client = threading.Thread(target=ask)
        client.start()
        write(os.path.join(self.dir, "VERSION"), "v2\n")
        mark = hp.mark()
        os.kill(hp.pid, signal.SIGUSR2)
        hp.wait_for("app_stopped", after=mark)
        hp.wait_for("proxy_ready", after=mark)
        self.assertIn("v2 ", self.get()[2])
        stop.set()
        client.join(60)
        self.assertGreater(len(statuses), 0)
        self.assertEqual(set(statuses), {200})
        self.assertEqual(hp.stop(), 128 + signal.SIGTERM)  # exec exits with the app's status


if __name__ == "__main__":
    unittest.main()
