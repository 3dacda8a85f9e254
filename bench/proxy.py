#!/usr/bin/env python3
"""The dev proxy's cost (issue 18 figures): wrk against the Gin example directly and through
hotpod's proxy, side by side in one run, on the same app process (the proxy's private port is
the app's own listening port). Prints a markdown table and writes bench/results/proxy.json.

Usage: bench/proxy.py [--hotpod build/hotpod] [--seconds 10] [--connections 16]
Needs wrk, golang-go and golang-github-gin-gonic-gin-dev (Debian)."""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import benchlib as bl  # noqa: E402


def wait_line(proc, pattern, timeout):
    deadline = time.monotonic() + timeout
    for line in proc.stdout:
        match = re.search(pattern, line)
        if match:
            return match
        if time.monotonic() > deadline:
            break
    raise SystemExit(f"no line matching {pattern!r} from hotpod")


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url, seconds, connections):
    out = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": to_ms(latency["50"]), "p99_ms": to_ms(latency["99"]),
            "errors": errors.group(0) if errors else ""}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hotpod", default=os.path.join(SOURCE, "build", "hotpod"))
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", default="1,16", help="comma-separated wrk -c values")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    work = tempfile.mkdtemp(prefix="hotpod-bench-proxy-")
    app = os.path.join(work, "gin-app")
    shutil.copytree(os.path.join(SOURCE, "examples", "gin-app"), app,
                    ignore=shutil.ignore_patterns(".hotpod"))
    proxy_port = bl.free_port()
    with open(os.path.join(app, "hotpod.yaml"), "a") as f:
        f.write(f"\nproxy:\n  listen: 127.0.0.1:{proxy_port}\n")
    env = dict(os.environ, GOCACHE=os.path.join(SOURCE, ".cache", "go"))
    hotpod = subprocess.Popen([args.hotpod, "run", "--listen", "127.0.0.1:0"], cwd=app, env=env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        app_port = int(wait_line(hotpod, r"the app gets PORT=(\d+)", 60).group(1))
        wait_line(hotpod, r"proxy: sending requests", 300)
        runs = []
        for connections in [int(c) for c in args.connections.split(",")]:
            direct = wrk(f"http://127.0.0.1:{app_port}/", args.seconds, connections)
            proxied = wrk(f"http://127.0.0.1:{proxy_port}/", args.seconds, connections)
            runs.append({"connections": connections, "direct": direct, "proxy": proxied,
                         "added_p50_ms": proxied["p50_ms"] - direct["p50_ms"],
                         "added_p99_ms": proxied["p99_ms"] - direct["p99_ms"],
                         "throughput_ratio": proxied["rps"] / direct["rps"]})
    finally:
        os.killpg(hotpod.pid, signal.SIGTERM)
        hotpod.wait(30)
        shutil.rmtree(work, ignore_errors=True)
    result = {"seconds": args.seconds, "runs": runs, "load": os.getloadavg()[0],
              "cpus": os.cpu_count()}
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "proxy.json"), "w") as f:
        json.dump(result, f, indent=2)
    print(f"| wrk, {args.seconds} s each | requests/s | p50 | p99 | added p50 | throughput |")
    print("|---|---|---|---|---|---|")
    for run in runs:
        for name in ("direct", "proxy"):
            r = run[name]
            extra = (f"| +{run['added_p50_ms']:.3f} ms | {run['throughput_ratio']:.2f}x |"
                     if name == "proxy" else "| | |")
            print(f"| -c{run['connections']} {name} | {r['rps']:.0f} | {r['p50_ms']:.3f} ms | "
                  f"{r['p99_ms']:.3f} ms {extra}")
    print(f"\nload average {result['load']:.1f} on {result['cpus']} CPUs")


if __name__ == "__main__":
    sys.exit(main())
