#!/usr/bin/env python3
"""The dev proxy (issue 18's figures), side by side in one run, on copies of examples/gin-app:

1. wrk against the Gin app directly, through hotpod's proxy and through haproxy (the reference:
   what a production proxy costs on the same machine), on the same app process (the proxy's
   private port is the app's own listening port): added latency p50/p99, throughput.
2. Reloads under load: RATE requests a second (WORKERS threads, half of them keep-alive) while
   main.go is edited RELOADS times; failed requests (refused, reset, non-200) counted for hotpod
   with the proxy (stop-first, overlap), hotpod without it, nodemon and reflex (as bench/peers.py
   e2e runs them: `go build -o app . && exec ./app`), and save → first new answer: the time from
   the write of main.go to the first response of the load that carries the new text (so its
   resolution is the load's spacing, 1/RATE), median over the reloads. The next edit waits for
   the old version to have stopped (hotpod's app_stopped record; the peers stop it first).

Usage: bench/proxy.py [--hotpod build/hotpod] [--out bench/results/proxy.json] [--seconds 10]
       [--connections 1,16] [--reloads 100] [--rate 200] [--no-peers]
Needs wrk, golang-go and golang-github-gin-gonic-gin-dev (Debian); nodemon, reflex and haproxy
from bench/install-peers.sh (skipped when missing)."""
import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import benchlib as bl  # noqa: E402
import report_proxy  # noqa: E402
from proxy_wrk import Haproxy, wrk_with_cpu  # noqa: E402

GREETING = "Hello from hotpod!"
WORKERS = 8
GO_ENV = {"GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "GOFLAGS": "",
          "GOCACHE": os.environ.get("HOTPOD_BENCH_GOCACHE", "/var/cache/hotpod-bench/go-build")}
PEER_BUILD = "go build -o app . && exec ./app"


class Tool:
    """A watcher process in its own session; JSON records (hotpod's) from stdout and stderr."""

    def __init__(self, argv, cwd, env):
        self.records = []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
        self.tail = []
        for stream in (self.proc.stdout, self.proc.stderr):
            threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            record = None
            if line.startswith("{"):
                try:
                    record = json.loads(line)
                except ValueError:
                    pass
            with self.cond:
                self.tail = (self.tail + [line.rstrip()])[-20:]
                if record is not None:
                    self.records.append(record)
                    self.cond.notify_all()

    def count(self, event):
        with self.cond:
            return sum(1 for r in self.records if r.get("event") == event)

    def wait(self, event, at_least=1, timeout=300):
        with self.cond:
            if not self.cond.wait_for(lambda: sum(1 for r in self.records if r.get("event") == event)
                                      >= at_least or self.proc.poll() is not None, timeout):
                raise bl.BenchError(f"no {event} record within {timeout} s:\n" + "\n".join(self.tail))
            found = [r for r in self.records if r.get("event") == event]
            if len(found) < at_least:
                raise bl.BenchError(f"exited before {event}:\n" + "\n".join(self.tail))
            return found[at_least - 1]

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        try:  # a peer's app may outlive it in the same session
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Load:
    """WORKERS threads sending GET / at `rate` in total; half keep their connection alive. Keeps
    the failures and, per body, the time its first response was read."""

    def __init__(self, port, rate):
        self.port, self.rate = port, rate
        self.ok, self.failures, self.first = 0, [], {}
        self.cond = threading.Condition()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.work, args=(i,), daemon=True) for i in range(WORKERS)]

    def start(self):
        self.started = time.monotonic()
        for t in self.threads:
            t.start()

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(60)
        self.seconds = time.monotonic() - self.started

    def wait_body(self, body, timeout):
        with self.cond:
            if not self.cond.wait_for(lambda: body in self.first, timeout):
                raise bl.BenchError(f"no answer {body!r} within {timeout} s")
            return self.first[body]

    def work(self, index):
        interval = WORKERS / self.rate
        next_at = time.monotonic() + index * interval / WORKERS
        conn = None
        while not self.stopping.is_set():
            delay = next_at - time.monotonic()
            if delay > 0:
                self.stopping.wait(delay)
            next_at = max(next_at + interval, time.monotonic() - interval)
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request("GET", "/")
                response = conn.getresponse()
                body = response.read().decode().strip()
                now = time.monotonic()
                if response.status != 200:
                    raise RuntimeError(f"HTTP {response.status}")
                with self.cond:
                    self.ok += 1
                    if body not in self.first:
                        self.first[body] = now
                        self.cond.notify_all()
                if index % 2 or response.will_close:
                    conn.close()
                    conn = None
            except Exception as error:  # noqa: BLE001 - every failure counts
                kind = (type(error).__name__ if not isinstance(error, RuntimeError) else str(error))
                with self.cond:
                    self.failures.append(kind)
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()


def copy_app(work, name, with_config=True):
    app = os.path.join(work, name)
    ignore = [".hotpod"] + ([] if with_config else ["hotpod.yaml"])
    shutil.copytree(os.path.join(SOURCE, "examples", "gin-app"), app, ignore=shutil.ignore_patterns(*ignore))
    return app


def drop_proxy_section(path):
    """Removes the top-level `proxy:` mapping (and its indented lines) from a hotpod.yaml."""
    with open(path) as f:
        lines = f.read().splitlines(keepends=True)
    kept, inside = [], False
    for line in lines:
        if line.startswith("proxy:"):
            inside = True
            continue
        if inside and (line.startswith((" ", "\t")) or not line.strip()):
            continue
        inside = False
        kept.append(line)
    with open(path, "w") as f:
        f.write("".join(kept))


def start(case, args, work, dirname=None):
    """Starts one case; returns (tool, port the load goes to, app port or None, app dir)."""
    env = bl.peer_env()
    env.update(GO_ENV)
    if case in ("proxy-stop-first", "proxy-overlap"):
        app = copy_app(work, dirname or case)
        port = bl.free_port()
        drop_proxy_section(os.path.join(app, "hotpod.yaml"))  # the example's own
        with open(os.path.join(app, "hotpod.yaml"), "a") as f:
            f.write(f"\nproxy:\n  listen: 127.0.0.1:{port}\n  hold_timeout: 30s\n"
                    f"  handover: {case.split('-', 1)[1]}\n")
        tool = Tool([args.hotpod, "run", "--listen", "127.0.0.1:0", "--log-format", "json"], app, env)
        app_port = tool.wait("proxy_listening", timeout=60)["app_port"]
        tool.wait("proxy_ready")
        return tool, port, app_port, app
    port = bl.free_port()
    env["PORT"] = str(port)
    if case == "hotpod-no-proxy":
        app = copy_app(work, case)
        env["HOTPOD_PROXY_LISTEN"] = "off"  # the example's hotpod.yaml has the proxy on
        tool = Tool([args.hotpod, "run", "--listen", "127.0.0.1:0", "--log-format", "json"], app, env)
    else:
        app = copy_app(work, case, with_config=False)
        argv = (["reflex", "-d", "none", "-s", "-r", r"\.go$", "--", "/bin/sh", "-c", PEER_BUILD] if case == "reflex" else
                [bl.npm_bin("nodemon") or "nodemon", "--no-colours", "-e", "go", "--signal", "SIGTERM", "--exec", PEER_BUILD])
        tool = Tool(argv, app, env)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and tool.proc.poll() is None:  # polling is the measurement here
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/")
            if conn.getresponse().read().decode().strip() == GREETING:
                return tool, port, None, app
        except OSError:
            pass
        time.sleep(0.05)
    raise bl.BenchError(f"{case}: the app never answered:\n" + "\n".join(tool.tail))


def reloads(case, args, work):
    """One case of part 2: its failed requests and save → first new answer over the reloads."""
    row = {"case": case, "reloads": 0, "samples_ms": [], "build_ms": []}
    tool = None
    try:
        tool, port, _, app = start(case, args, work)
        source = os.path.join(app, "main.go")
        with open(source) as f:
            text = f.read()
        load = Load(port, args.rate)
        load.start()
        try:
            for i in range(1, args.reloads + 1):
                stopped = tool.count("app_stopped")
                greeting = f"Reload {i} of {case}"
                with open(source, "w") as f:
                    f.write(text.replace(GREETING, greeting))
                saved = time.monotonic()
                answered = load.wait_body(greeting, args.answer_timeout)
                row["samples_ms"].append(round((answered - saved) * 1000, 1))
                if case.startswith(("proxy", "hotpod")):
                    tool.wait("app_stopped", stopped + 1, timeout=60)  # the old version is gone
                row["reloads"] = i
        finally:
            load.stop()
        builds = [r for r in tool.records if r.get("event") == "build_finished" and r.get("result") == "success"]
        row["build_ms"] = [r["duration_ms"] for r in builds[1:]]
        row.update({"requests": load.ok + len(load.failures), "ok": load.ok, "failed": len(load.failures),
                    "failure_kinds": {k: load.failures.count(k) for k in sorted(set(load.failures))},
                    "seconds": round(load.seconds, 1), "rate": round((load.ok + len(load.failures)) / load.seconds)})
    except bl.BenchError as error:
        row["error"] = str(error).splitlines()[0]
        bl.eprint(f"proxy.py: {case}: {error}")
    finally:
        if tool:
            tool.stop()
    v = sorted(row["samples_ms"])
    if v:
        row["save_to_new_answer_ms"] = {"n": len(v), "p50": statistics.median(v), "min": v[0], "max": v[-1]}
    if row["build_ms"]:
        row["build_p50_ms"] = statistics.median(row["build_ms"])
    if row["build_ms"] and len(row["build_ms"]) == len(row["samples_ms"]):  # one build per reload
        row["beyond_build_p50_ms"] = statistics.median(a - b for a, b in zip(row["samples_ms"], row["build_ms"]))
    return row


def versus(proxied, direct):
    """What a proxy adds to the direct run: latency, and the share of the throughput it keeps."""
    return {"added_p50_ms": proxied["p50_ms"] - direct["p50_ms"],
            "added_p99_ms": proxied["p99_ms"] - direct["p99_ms"],
            "throughput_ratio": proxied["rps"] / direct["rps"]}


def throughput(args, work):
    """Part 1: wrk directly vs through the proxy (stop-first), same app process."""
    tool, proxy_port, app_port, _ = start("proxy-stop-first", args, work, "wrk")
    haproxy = Haproxy(work, app_port) if shutil.which("haproxy") else None
    if not haproxy:
        bl.eprint("proxy.py: haproxy not installed (bench/install-peers.sh): no reference rows")
    runs = []
    try:
        for connections in [int(c) for c in args.connections.split(",")]:
            direct = wrk_with_cpu(f"http://127.0.0.1:{app_port}/", args.seconds, connections, tool.proc.pid)
            proxied = wrk_with_cpu(f"http://127.0.0.1:{proxy_port}/", args.seconds, connections, tool.proc.pid)
            run = {"connections": connections, "direct": direct, "proxy": proxied, **versus(proxied, direct)}
            if haproxy:
                ref = wrk_with_cpu(f"http://127.0.0.1:{haproxy.port}/", args.seconds, connections, tool.proc.pid, haproxy.pid)
                run["haproxy"] = {**ref, **versus(ref, direct)}
            runs.append(run)
    finally:
        if haproxy:
            haproxy.stop()
        tool.stop()
    return runs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hotpod", default=os.path.join(SOURCE, "build", "hotpod"))
    parser.add_argument("--out", default=os.path.join(HERE, "results", "proxy.json"))
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", default="1,16", help="comma-separated wrk -c values")
    parser.add_argument("--reloads", type=int, default=100)
    parser.add_argument("--rate", type=int, default=200, help="requests per second during the reloads")
    parser.add_argument("--answer-timeout", type=float, default=120)
    parser.add_argument("--no-peers", action="store_true", help="hotpod only (no nodemon, reflex)")
    parser.add_argument("--throughput-only", action="store_true",
                        help="wrk only: replace the runs in --out, keep its reload rows")
    args = parser.parse_args()
    args.hotpod = os.path.abspath(args.hotpod)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    work = tempfile.mkdtemp(prefix="hotpod-bench-proxy-")
    load0 = os.getloadavg()[0]
    try:
        runs = throughput(args, work)
        if args.throughput_only:
            with open(args.out) as f:
                result = json.load(f)
            result.update({"seconds": args.seconds, "runs": runs,
                           "throughput_load": [load0, os.getloadavg()[0]],
                           "throughput_date": time.strftime("%Y-%m-%d")})
            with open(args.out, "w") as f:
                json.dump(result, f, indent=2)
            report_proxy.proxy_section(result, print)
            return 0
        cases = ["proxy-stop-first", "proxy-overlap", "hotpod-no-proxy"]
        skipped = {}
        if not args.no_peers:
            for peer, found in (("nodemon", bl.npm_bin("nodemon") or shutil.which("nodemon")),
                                ("reflex", shutil.which("reflex"))):
                if found:
                    cases.append(peer)
                else:
                    skipped[peer] = f"{peer} not installed"
        rows = []
        result = {"seconds": args.seconds, "runs": runs, "load": load0, "cpus": os.cpu_count(),
                  "goals": {"added_p50_ms": 0.2, "throughput_ratio": 0.8},
                  "reload_params": {"reloads": args.reloads, "rate": args.rate, "workers": WORKERS,
                                    "peer_command": PEER_BUILD},
                  "reload_rows": rows, "skipped": skipped}
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        for case in cases:
            bl.eprint(f"== proxy.py: {case}: {args.reloads} reloads ({time.strftime('%T')})")
            rows.append(reloads(case, args, work))
            result["load_end"] = os.getloadavg()[0]
            with open(args.out, "w") as f:  # after each case: a long run that is cut keeps the rest
                json.dump(result, f, indent=2)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report_proxy.proxy_section(result, print)
    return 0 if all(not r.get("error") for r in rows if r["case"] != "nodemon" and r["case"] != "reflex") else 1


if __name__ == "__main__":
    sys.exit(main())
