#!/usr/bin/env python3
"""Issue 22's hostile-input rows (bench/run.sh runs this; bench/report.py writes the section):

* deep: a tree DEPTH levels deep (one file per level) made under a running `hotpod run`: the time
  from the first mkdir until hotpod reports the deepest file, and the worst /healthz answer
  meanwhile (asked every 100 ms);
* burst: one `mkdir -p` of BURST directories (100 × BURST/100) plus a file in the last one: the
  time until that file is reported;
* slots: with every /v1/events slot taken, one stream closed: the time until a new stream gets
  its `hello` (asked in a loop, as a reconnecting EventSource would);
* fuse (root, /dev/fuse and bindfs only): `backend: auto` on a FUSE root (bindfs): the latency of
  a write through the mount and of one below it (to the backing directory), and the idle CPU
  against `backend: poll` on the same mount.
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402


def start(hotpod, root, log_dir, args, name="hotpod"):
    port = bl.free_port()
    w = bl.HotpodRun(hotpod, ["--listen", f"127.0.0.1:{port}", *args])
    w.name = name
    w.start(root, "true", None, cwd=log_dir, log_dir=log_dir)
    w.wait_ready(60)
    w.wait_build(60)  # the start-up build
    return w, port


def wait_reported(w, path, timeout):
    """Arrival time (ns) of the `changes` record that names path, or None."""
    deadline = time.monotonic() + timeout
    seen = len(w.records)
    while True:
        for rec in w.records[seen:]:
            if rec.get("event") == "changes" and path in rec.get("files", "").split("\n"):
                return bl.mono_ns()
        seen = len(w.records)
        if w._next(deadline) is None and time.monotonic() >= deadline:
            return None


class HealthWatch:
    """Asks /healthz every 100 ms on a thread; keeps the worst answer (status, seconds)."""

    def __init__(self, port):
        self.url = f"http://127.0.0.1:{port}/healthz"
        self.worst_s, self.failures, self.stop = 0.0, 0, False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            t0 = time.monotonic()
            try:
                with urllib.request.urlopen(self.url, timeout=60) as r:
                    r.read()
            except (urllib.error.URLError, OSError):
                self.failures += 1
            self.worst_s = max(self.worst_s, time.monotonic() - t0)
            time.sleep(0.1)

    def finish(self):
        self.stop = True
        self.thread.join(70)
        return {"healthz_failures": self.failures, "healthz_worst_ms": round(self.worst_s * 1000, 1)}


def bench_deep(hotpod, depth, tmp):
    root = os.path.join(tmp, "deep")
    os.makedirs(root)
    w, port = start(hotpod, root, tmp, ["--backend", "inotify"], "hotpod-deep")
    try:
        health = HealthWatch(port)
        t0, rel = bl.mono_ns(), ""
        for level in range(depth):
            rel = os.path.join(rel, "d")
            os.mkdir(os.path.join(root, rel))
            with open(os.path.join(root, rel, f"f{level}.txt"), "w") as f:
                f.write("x\n")
        made = bl.mono_ns()
        t1 = wait_reported(w, os.path.join(rel, f"f{depth - 1}.txt"), 600)
        return {"depth": depth, "make_ms": (made - t0) / 1e6,
                "absorb_ms": None if t1 is None else (t1 - t0) / 1e6, **health.finish()}
    finally:
        w.stop()


def bench_burst(hotpod, count, tmp):
    root = os.path.join(tmp, "burst")
    os.makedirs(root)
    w, port = start(hotpod, root, tmp, ["--backend", "inotify"], "hotpod-burst")
    try:
        health = HealthWatch(port)
        outer = 100
        inner = max(1, count // outer)
        dirs = [f"b/a{a}/b{b}" for a in range(outer) for b in range(inner)]
        t0 = bl.mono_ns()
        subprocess.run(["mkdir", "-p", *dirs], cwd=root, check=True)
        with open(os.path.join(root, dirs[-1], "x.txt"), "w") as f:
            f.write("x\n")
        t1 = wait_reported(w, dirs[-1] + "/x.txt", 600)
        return {"directories": len(dirs), "absorb_ms": None if t1 is None else (t1 - t0) / 1e6,
                **health.finish()}
    finally:
        w.stop()


def open_stream(port):
    """(socket, opened): opened is True when the stream's hello came, False when told to retry."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(b"GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
    data = b""
    while b"event: hello" not in data and b"event: busy" not in data and b" 503 " not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return sock, b"event: hello" in data


def bench_slots(hotpod, samples, tmp):
    root = os.path.join(tmp, "slots")
    os.makedirs(root)
    w, port = start(hotpod, root, tmp, [], "hotpod-slots")
    held, times = [], []
    try:
        while True:
            sock, opened = open_stream(port)
            if not opened:
                sock.close()
                break
            held.append(sock)
        for _ in range(samples):
            held.pop().close()
            t0 = bl.mono_ns()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                sock, opened = open_stream(port)
                if opened:
                    held.append(sock)
                    times.append(bl.mono_ns() - t0)
                    break
                sock.close()
                time.sleep(0.01)
        return {"slots": len(held), "samples": len(times), "reclaim_ms": bl.summarize_ms(times)}
    finally:
        for sock in held:
            sock.close()
        w.stop()


def bench_fuse(hotpod, files, samples, idle_s, tmp):
    if os.geteuid() != 0 or not shutil.which("bindfs") or not os.path.exists("/dev/fuse"):
        return {"skipped": "needs root, /dev/fuse and bindfs"}
    backing, share = os.path.join(tmp, "backing"), os.path.join(tmp, "share")
    for i in range(files):
        path = os.path.join(backing, f"d{i // 100}", f"f{i}.txt")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("x\n")
    os.makedirs(share)
    if subprocess.run(["bindfs", backing, share], capture_output=True).returncode != 0:
        return {"skipped": "bindfs failed"}
    out = {"files": files, "poll_interval_ms": 500}
    try:
        w, _ = start(hotpod, share, tmp, ["--backend", "auto", "--poll-interval", "500ms"],
                     "hotpod-fuse")
        try:
            out["backend"] = next((r.get("backend") for r in w.records
                                   if r.get("event") == "backend_choice"), None)
            for side, base in (("through", share), ("below", backing)):
                lat = []
                for n in range(samples):
                    path = f"d0/{side}{n}.txt"
                    w.settle(0.3, 30)
                    t0 = bl.mono_ns()
                    with open(os.path.join(base, path), "w") as f:
                        f.write("y\n")
                    t1 = wait_reported(w, path, 30)
                    if t1 is not None:
                        lat.append(t1 - t0)
                out[f"{side}_ms"] = bl.summarize_ms(lat)
            out["hybrid_idle_cpu_pct"] = idle_cpu(w, idle_s)
        finally:
            w.stop()
        p, _ = start(hotpod, share, tmp, ["--backend", "poll", "--poll-interval", "500ms"],
                     "hotpod-fuse-poll")
        try:
            out["poll_idle_cpu_pct"] = idle_cpu(p, idle_s)
        finally:
            p.stop()
    finally:
        subprocess.run(["umount", "-l", share], capture_output=True)
    return out


def idle_cpu(w, seconds):
    w.settle(0.5, 30)
    a = bl.cpu_ticks_ms(w.proc.pid)
    time.sleep(seconds)
    b = bl.cpu_ticks_ms(w.proc.pid)
    used = (b["user_ms"] + b["sys_ms"]) - (a["user_ms"] + a["sys_ms"])
    return round(100 * used / (seconds * 1000), 2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hotpod", required=True)
    ap.add_argument("--depth", type=int, default=1000)
    ap.add_argument("--burst", type=int, default=10000)
    ap.add_argument("--slot-samples", type=int, default=10)
    ap.add_argument("--fuse-files", type=int, default=2000)
    ap.add_argument("--fuse-samples", type=int, default=10)
    ap.add_argument("--idle", type=float, default=20)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    tmp = bl.make_tempdir("hotpod-bench-hostile-")
    try:
        result = {
            "machine": bl.machine_info(tmp, a.hotpod),
            "when": bl.now_utc(),
            "deep": bench_deep(a.hotpod, a.depth, tmp),
            "burst": bench_burst(a.hotpod, a.burst, tmp),
            "slots": bench_slots(a.hotpod, a.slot_samples, tmp),
            "fuse": bench_fuse(a.hotpod, a.fuse_files, a.fuse_samples, a.idle, tmp),
        }
    finally:
        # rm, not shutil.rmtree: Python's recursion limit is below the deep tree's depth.
        subprocess.run(["rm", "-rf", tmp], check=False)
    bl.write_json(a.out, result)
    failed = result["deep"]["absorb_ms"] is None or result["burst"]["absorb_ms"] is None
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
