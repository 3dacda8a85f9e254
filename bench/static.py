#!/usr/bin/env python3
"""The static binary of `make dist` against the dynamic development build, side by side:
file size, start-up (exec → `hotpod version` exited, and exec → the HTTP server listening),
idle memory of `hotpod run` on the Gin example once the app runs, and memory watching a large
generated tree with inotify and with polling (issue 20's VmHWM goals).

    bench/static.py --dynamic build/hotpod --static dist/hotpod-VERSION-linux-amd64 --out results/static.json
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402
from scan import make_tree  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def version_start_ns(binary, runs):
    samples = []
    for _ in range(runs):
        started = bl.mono_ns()
        subprocess.run([binary, "version"], stdout=subprocess.DEVNULL, check=True,
                       env=bl.clean_env())
        samples.append(bl.mono_ns() - started)
    return samples


def run_gin(binary, idle_s, timeout):
    """hotpod run on a copy of examples/gin-app: exec → http_listening, then idle memory."""
    work = bl.make_tempdir("hotpod-static-bench-")
    try:
        app = os.path.join(work, "gin-app")
        shutil.copytree(os.path.join(REPO, "examples", "gin-app"), app)
        # Without the example's dev proxy (on a fixed port, and not what is measured here).
        env = bl.clean_env({"PORT": "18080", "HOTPOD_PROXY_LISTEN": "off"})
        started = bl.mono_ns()
        proc = subprocess.Popen([binary, "run", "--log-format", "json", "--listen", "127.0.0.1:0"],
                                cwd=app, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, start_new_session=True)
        listening_ns = None
        deadline = time.monotonic() + timeout
        try:
            for line in proc.stdout:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if record.get("event") == "http_listening" and listening_ns is None:
                    listening_ns = bl.mono_ns() - started
                if record.get("event") == "app_started":
                    break
                if time.monotonic() > deadline:
                    raise bl.BenchError("the Gin app did not start in time")
            time.sleep(idle_s)  # idle on purpose: the figure is memory after idling
            status = bl.proc_status(proc.pid)
            return {"listening_ns": listening_ns, "vmrss_kib": bl.kib(status.get("VmRSS")),
                    "vmhwm_kib": bl.kib(status.get("VmHWM")),
                    "rss_anon_kib": bl.kib(status.get("RssAnon")),
                    "rss_file_kib": bl.kib(status.get("RssFile")),
                    "threads": int(status.get("Threads", 0))}
        finally:
            bl.stop_process(proc)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def watch_tree(binary, tree, backend, wait_s, timeout):
    """hotpod run --backend BACKEND on tree (build `true`, no app): memory wait_s after its
    `watching` record."""
    proc = subprocess.Popen([binary, "run", "--root", tree, "--build", "true", "--backend", backend,
                             "--log-format", "json", "--listen", "127.0.0.1:0"],
                            cwd=os.path.dirname(tree), env=bl.clean_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        for line in proc.stdout:
            if '"event":"watching"' in line:
                break
            if time.monotonic() > deadline:
                raise bl.BenchError(f"{backend}: no watching record in time")
        time.sleep(wait_s)  # idle on purpose: the figure is memory after the start-up
        status = bl.proc_status(proc.pid)
        return {key: bl.kib(status.get(name)) for key, name in
                (("vmrss_kib", "VmRSS"), ("vmhwm_kib", "VmHWM"), ("rss_anon_kib", "RssAnon"),
                 ("rss_file_kib", "RssFile"))}
    finally:
        bl.stop_process(proc)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dynamic", required=True)
    ap.add_argument("--static", required=True)
    ap.add_argument("--runs", type=int, default=30, help="`hotpod version` runs per binary")
    ap.add_argument("--idle", type=float, default=3.0, help="seconds idle before reading memory")
    ap.add_argument("--timeout", type=float, default=180)
    ap.add_argument("--tree-files", type=int, default=100_000, help="0: no large-tree rows")
    ap.add_argument("--tree-wait", type=float, default=10.0, help="seconds after `watching`")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rows = {}
    work = bl.make_tempdir("hotpod-static-tree-")
    tree = os.path.join(work, "tree")
    files, dirs = make_tree(tree, args.tree_files) if args.tree_files else (0, 0)
    for kind, binary in (("dynamic", args.dynamic), ("static", args.static)):
        binary = os.path.abspath(binary)
        needed = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True).stdout
        stripped = os.path.join(bl.make_tempdir("hotpod-strip-"), "hotpod")
        subprocess.run(["strip", "-o", stripped, binary], check=True)
        rows[kind] = {
            "binary": os.path.relpath(binary, REPO),
            "size_bytes": os.path.getsize(binary),
            "stripped_bytes": os.path.getsize(stripped),
            "shared_libraries": needed.count("(NEEDED)"),
            "version_start": bl.summarize_ms(version_start_ns(binary, args.runs)),
            "gin": run_gin(binary, args.idle, args.timeout),
            "tree": {backend: watch_tree(binary, tree, backend, args.tree_wait, args.timeout)
                     for backend in ("inotify", "poll")} if files else {},
        }
        shutil.rmtree(os.path.dirname(stripped), ignore_errors=True)
        bl.eprint(f"static.py: {kind}: {rows[kind]['size_bytes'] / 2**20:.1f} MiB, "
                  f"version p50 {rows[kind]['version_start']['p50']:.1f} ms, "
                  f"Gin idle VmRSS {rows[kind]['gin']['vmrss_kib']} KiB")
    shutil.rmtree(work, ignore_errors=True)
    bl.write_json(args.out, {"generated_at": bl.now_utc(), "machine": bl.machine_info(),
                             "params": {"runs": args.runs, "idle_s": args.idle,
                                        "tree_files": files, "tree_dirs": dirs,
                                        "tree_wait_s": args.tree_wait}, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
