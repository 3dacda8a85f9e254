"""`proxy:` per service (issue 19): two services, each behind its own dev proxy, each app on its
own private PORT. An edit in one service rebuilds and restarts only it: the other's proxy serves
on all the while, and requests to the edited one are held during its restart (never refused,
never a 503) and answered by the new version. /v1/status shows each service's proxy, /metrics
labels the proxy series with the service."""
import http.client
import json
import os
import sys
import threading
import unittest

from hotpod_harness import TempTree, free_port, http_get, wait_until, write
from proxy_client import Requester

APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "proxy_app.py")

# Top-level keys are the services' defaults (proxy.hold_timeout included). The app waits while
# the file app-gate exists in its service's directory: the test decides when a restart ends.
CONFIG = """watch: {include_ext: [txt], delay: 50ms}
proxy: {hold_timeout: 60s}
build: {cmd: "cp version.txt VERSION"}
run: {cmd: "while [ -e app-gate ]; do sleep 0.02; done; exec %(python)s %(app)s"}
services:
  alpha:
    paths: [alpha/]
    dir: alpha
    proxy: {listen: "127.0.0.1:%(alpha)d"}
  beta:
    paths: [beta/]
    dir: beta
    proxy: {listen: "127.0.0.1:%(beta)d"}
"""


class Client:
    """GET / in a loop until stopped, on a new connection each time or on one kept alive; every
    answer that is not a 200 (or a refused or dropped connection) is a failure."""

    def __init__(self, port, keep_alive):
        self.port, self.keep_alive = port, keep_alive
        self.bodies, self.failures = [], []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.work, daemon=True)
        self.thread.start()

    def answered(self):
        with self.lock:
            return len(self.bodies)

    def versions(self):
        with self.lock:
            return {body.split(" port=")[0] for body in self.bodies}

    def stop(self):
        self.stopping.set()
        self.thread.join(90)

    def work(self):
        requester = Requester(self.port, self.keep_alive, timeout=90)
        while not self.stopping.is_set():
            body, failure = requester.get()
            with self.lock:
                if failure is None:
                    self.bodies.append(body)
                else:
                    self.failures.append(failure)
            self.stopping.wait(0.005)  # pacing, not synchronisation
        requester.close()


class ProxyServicesTest(TempTree):
    def get(self, port):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", "/")
            response = conn.getresponse()
            return response.status, response.read().decode()
        finally:
            conn.close()

    def services(self, hp):
        return json.loads(http_get(hp.url("/v1/status"))[1])["services"]

    def test_each_service_behind_its_own_proxy(self):
        ports = {"alpha": free_port(), "beta": free_port()}
        for name in ports:
            write(os.path.join(self.dir, name, "version.txt"), f"{name} v1\n")
        write(os.path.join(self.dir, "hotpod.yaml"),
              CONFIG % {"python": sys.executable, "app": APP, **ports})
        hp = self.start([])
        app_ports = {}
        for name in ports:
            _, listening = hp.wait_for("proxy_listening", service=name)
            self.assertEqual(listening["listen"], f"127.0.0.1:{ports[name]}")
            app_ports[name] = listening["app_port"]
            hp.wait_for("proxy_ready", service=name)
        self.assertEqual(len({*ports.values(), *app_ports.values()}), 4)
        for name in ports:
            status, body = self.get(ports[name])
            self.assertEqual(status, 200)
            port = app_ports[name]
            self.assertIn(f"{name} v1 port={port} HOST=127.0.0.1 PORT={port}", body)

        status = json.loads(http_get(hp.url("/v1/status"))[1])
        self.assertNotIn("proxy", status)  # each service has its own
        for name in ports:
            proxy = status["services"][name]["proxy"]
            self.assertEqual(proxy["listen"], f"127.0.0.1:{ports[name]}")
            self.assertEqual(proxy["handover"], "stop-first")
            self.assertTrue(proxy["ready"])
            self.assertEqual(proxy["upstream"], {"port": app_ports[name], "build": 1})

        clients = {name: [Client(ports[name], keep) for keep in (False, True)] for name in ports}
        for client in clients["alpha"] + clients["beta"]:
            self.addCleanup(client.stop)

        wait_until("every client answered", lambda: all(
            c.answered() for c in clients["alpha"] + clients["beta"]), detail=hp.log_tail)

        # alpha is edited; its new version is slow to start (app-gate): requests wait for it.
        write(os.path.join(self.dir, "alpha", "app-gate"), "")
        mark = hp.mark()
        write(os.path.join(self.dir, "alpha", "version.txt"), "alpha v2\n")
        _, built = hp.wait_for("build_finished", after=mark, service="alpha")
        self.assertEqual(built["result"], "success", hp.log_tail())
        hp.wait_for("app_started", after=mark, service="alpha")
        held = wait_until("alpha's clients held", lambda: (lambda s: s if s["alpha"]["proxy"][
            "requests"]["held_now"] >= 1 else None)(self.services(hp)), detail=hp.log_tail)
        self.assertFalse(held["alpha"]["proxy"]["ready"])
        self.assertEqual(held["alpha"]["proxy"]["holding"]["kind"], "restarting")
        self.assertTrue(held["beta"]["proxy"]["ready"])
        # Meanwhile beta's proxy serves on (alpha's new version cannot start while app-gate is
        # there, so alpha is still held).
        beta_held_at = sum(c.answered() for c in clients["beta"])
        wait_until("beta's clients answered while alpha is held",
                   lambda: sum(c.answered() for c in clients["beta"]) >= beta_held_at + 10,
                   detail=hp.log_tail)
        self.assertEqual(self.get(ports["beta"])[1].split(" port=")[0], "beta v1")
        still = self.services(hp)["alpha"]["proxy"]
        self.assertFalse(still["ready"])

        os.remove(os.path.join(self.dir, "alpha", "app-gate"))
        hp.wait_for("proxy_ready", after=mark, service="alpha")
        for client in clients["alpha"]:
            while "alpha v2" not in client.versions():
                self.assertTrue(client.thread.is_alive())
                client.stopping.wait(0.02)
        for client in clients["alpha"] + clients["beta"]:
            client.stop()
        for client in clients["alpha"]:
            self.assertEqual(client.failures, [])
            self.assertEqual(client.versions(), {"alpha v1", "alpha v2"})
        for client in clients["beta"]:
            self.assertEqual(client.failures, [])
            self.assertEqual(client.versions(), {"beta v1"})
        # Only alpha built and restarted.
        self.assertEqual([r for r in list(hp.records)[mark:] if r.get("service") == "beta"
                          and r.get("event") in ("build_started", "app_started",
                                                 "app_stopping")], [])

        metrics = http_get(hp.url("/metrics"))[1]
        held_total = [float(line.split()[-1]) for line in metrics.splitlines()
                      if line.startswith('hotpod_proxy_held_requests_total{service="alpha"')]
        self.assertGreaterEqual(sum(held_total), 1, metrics)
        self.assertIn('hotpod_proxy_requests_total{service="beta"', metrics)
        self.assertEqual(hp.stop(), 0)


if __name__ == "__main__":
    unittest.main()
