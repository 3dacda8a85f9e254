"""The dev proxy under load (issue 18): the Gin example (Go + Gin from Debian, built offline)
takes about 200 requests a second while it is edited, rebuilt and restarted over and over.
Through the proxy (stop-first and overlap, with a broken build among the reloads) no request
fails; the same load sent to the app directly shows
the failures the proxy exists to prevent (so this test can fail).

Through the proxy each mode runs HOTPOD_PROXY_RELOADS reloads (default 100, as issue 18 asks);
HOTPOD_PROXY_SECONDS (default: none) bounds a mode's run by time instead, for a quick look (then
as many reloads as fit, at least MIN_RELOADS). Without the proxy MIN_RELOADS reloads suffice."""
import os
import re
import shutil
import threading
import time
import unittest

from hotpod_harness import SOURCE_DIR, TempTree, free_port
from proxy_client import Requester

GO_CACHE = os.path.join(SOURCE_DIR, ".cache", "go")  # shared with the example tests
RATE = 200  # requests per second, all workers together
WORKERS = 8
RELOADS = int(os.environ.get("HOTPOD_PROXY_RELOADS", "100"))
SECONDS = float(os.environ.get("HOTPOD_PROXY_SECONDS", "0")) or None  # None: no time bound
MIN_RELOADS = 5
GREETING = "Hello from hotpod!"


class Load:
    """WORKERS threads sending GET / at RATE in total; half keep their connection alive."""

    def __init__(self, port):
        self.port = port
        self.ok = 0
        self.failures = []
        self.bodies = set()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.work, args=(i,), daemon=True)
                        for i in range(WORKERS)]

    def start(self):
        self.started = time.monotonic()
        for t in self.threads:
            t.start()

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(60)
        self.seconds = time.monotonic() - self.started

    def work(self, index):
        requester = Requester(self.port, keep_alive=index % 2 == 0, timeout=30)
        interval = WORKERS / RATE
        next_at = time.monotonic() + index * interval / WORKERS
        while not self.stopping.is_set():
            delay = next_at - time.monotonic()
            if delay > 0:
                self.stopping.wait(delay)
            next_at += interval
            body, failure = requester.get()
            with self.lock:
                if failure is None:
                    self.ok += 1
                    self.bodies.add(body)
                else:
                    self.failures.append(failure)
        requester.close()


class GinUnderLoadTest(TempTree):
    def setUp(self):
        super().setUp()
        if not shutil.which("go") or not os.path.isdir("/usr/share/gocode/src/github.com/gin-gonic"):
            self.skipTest("golang-go and golang-github-gin-gonic-gin-dev are needed")
        self.app_dir = os.path.join(self.dir, "gin-app")
        shutil.copytree(os.path.join(SOURCE_DIR, "examples", "gin-app"), self.app_dir,
                        ignore=shutil.ignore_patterns(".hotpod"))
        os.makedirs(GO_CACHE, exist_ok=True)
        self.source = os.path.join(self.app_dir, "main.go")
        with open(self.source) as f:
            self.text = f.read()
        self.assertIn(GREETING, self.text)

    def edit(self, greeting):
        with open(self.source, "w") as f:
            f.write(self.text.replace(GREETING, greeting))

    def reload_under_load(self, hp, port, reloads, seconds, ready=("proxy_ready", {}),
                          broken=True):
        """Edits main.go until `reloads` new versions served or `seconds` passed; returns the
        load and how many reloads happened."""
        _, first = hp.wait_for("build_finished", build=1, timeout=300)
        self.assertEqual(first["result"], "success", hp.log_tail())
        hp.wait_for("output", source="app", timeout=60)  # listening
        load = Load(port)
        load.start()
        deadline = time.monotonic() + seconds if seconds else None
        done = 0
        builds = 1
        while done < reloads and (deadline is None or time.monotonic() < deadline):
            if done == 2 and broken:
                # A broken build under load: nothing is stopped, the running version answers.
                mark = hp.mark()
                stops = hp.count("app_stopping")
                with open(self.source, "w") as f:
                    f.write(self.text.replace("package main", "package main\n\nthis is not go"))
                builds += 1
                _, failed = hp.wait_for("build_finished", after=mark, build=builds, timeout=300)
                self.assertEqual(failed["result"], "failure")
                self.assertEqual(hp.count("app_stopping"), stops, "a failed build stops nothing")
            mark = hp.mark()
            self.edit(f"Reload {done + 1}")
            builds += 1
            _, built = hp.wait_for("build_finished", after=mark, build=builds, timeout=300)
            self.assertEqual(built["result"], "success", hp.log_tail())
            hp.wait_for("app_started", after=mark)
            # the new version answers (through the proxy, in overlap once it is promoted)
            hp.wait_for(ready[0], after=mark, **ready[1])
            # and the old one is gone (in overlap it stops after the promotion): what the broken
            # build's "stops nothing" counts from is settled
            hp.wait_for("app_stopped", after=mark)
            done += 1
        load.stop()
        return load, done

    def through_the_proxy(self, handover):
        proxy_port = free_port()
        config = os.path.join(self.app_dir, "hotpod.yaml")
        with open(config) as f:
            text = f.read()
        # The example's own proxy section, on its fixed port, gives way to this test's.
        text = re.sub(r"(?m)^proxy:\n(?:[ #].*\n|\n)*", "", text)
        self.assertNotIn("proxy:\n", text)
        with open(config, "w") as f:
            f.write(text + f"\nproxy:\n  listen: 127.0.0.1:{proxy_port}\n  hold_timeout: 30s\n"
                    f"  handover: {handover}\n")
        hp = self.start([], cwd=self.app_dir, env={"GOCACHE": GO_CACHE})
        load, reloads = self.reload_under_load(hp, proxy_port, RELOADS, SECONDS)
        rate = (load.ok + len(load.failures)) / load.seconds
        print(f"through the proxy ({handover}): {reloads} reloads in {load.seconds:.1f} s, "
              f"{load.ok} ok, {len(load.failures)} failed, {rate:.0f} requests/s", flush=True)
        self.assertGreaterEqual(reloads, RELOADS if SECONDS is None else MIN_RELOADS)
        self.assertEqual(load.failures[:5], [], f"{len(load.failures)} requests failed")
        self.assertGreater(rate, RATE * 0.5)
        self.assertIn(f"Reload {reloads}", load.bodies)  # the last version answered
        self.assertEqual(hp.stop(), 0)

    def test_through_the_proxy_no_request_fails_across_reloads_stop_first(self):
        self.through_the_proxy("stop-first")

    def test_through_the_proxy_no_request_fails_across_reloads_overlap(self):
        self.through_the_proxy("overlap")

    def test_without_the_proxy_the_same_load_fails(self):
        port = free_port()
        # The example's hotpod.yaml turns the proxy on: off here, the app listens on PORT.
        hp = self.start([], cwd=self.app_dir, env={"GOCACHE": GO_CACHE, "PORT": str(port),
                                                   "HOTPOD_PROXY_LISTEN": "off"})
        load, reloads = self.reload_under_load(hp, port, MIN_RELOADS, SECONDS,
                                               ready=("output", {"source": "app"}),
                                               broken=False)
        print(f"directly: {reloads} reloads in {load.seconds:.1f} s, {load.ok} ok, "
              f"{len(load.failures)} failed; first: {load.failures[:1]}", flush=True)
        self.assertGreater(len(load.failures), 0, "a restart without the proxy drops requests")
        self.assertEqual(hp.stop(), 0)


if __name__ == "__main__":
    unittest.main()
