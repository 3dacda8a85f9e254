#!/usr/bin/env python3
"""hotpod's cost while nothing changes (issue 20): `hotpod run` on a copy of examples/gin-app,
the app built and running, no file changing and no HTTP client (the binary's page cache dropped
first, see drop_page_cache). Measured from /proc: threads
(with their names), wake-ups per second (context switches of every thread, from
/proc/PID/task/*/status, during --idle seconds), on-CPU time, VmRSS / RssAnon / RssFile / VmHWM.
Then one GET /metrics (a scrape starts an HTTP worker) and, --linger seconds later, the threads
again: the worker must have ended.

The binary: the static one of `make dist` (dist/hotpod-*-linux-amd64) when there is one, else
--hotpod (the development build); the result says which.

    bench/idle.py --hotpod build/hotpod --out bench/results/idle.json

Goals (issue 20): ≤ 3 threads, ≤ 1 wake-up/s, VmRSS ≤ 6 MiB (static build).
Exit status: 1 if hotpod or the app did not start, else 0.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOALS = {"threads": 3, "wakeups_per_s": 1.0, "vmrss_mib": 6.0}



def threads_of(pid):
    """{tid: (name, context switches)} of the live threads."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            st = bl.proc_status(f"{pid}/task/{tid}")
            out[tid] = (st.get("Name", "?"),
                        int(st["voluntary_ctxt_switches"]) + int(st["nonvoluntary_ctxt_switches"]))
        except (OSError, KeyError, ValueError):
            pass
    return out


def drop_page_cache(path):
    """Evicts the binary's clean pages from the page cache. A binary just written by the linker
    (or strip) sits there in large folios, and a mapped large folio counts whole into RssFile:
    8 MiB instead of 5 for the same static binary. Read back from disk it is paged in like a
    downloaded one. Written back first: a binary built a minute ago still has dirty pages, which
    DONTNEED leaves (a run right after `make dist` measured 8.8 MiB, the next one 5.4)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def start(binary, app, env, timeout):
    """hotpod run in app/ until the app is started and hotpod's HTTP port is known."""
    proc = subprocess.Popen([binary, "run", "--log-format", "json", "--listen", "127.0.0.1:0"],
                            cwd=app, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    http_port = None
    deadline = time.monotonic() + timeout
    for line in proc.stderr:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("event") == "http_listening":
            http_port = record.get("port")
        if record.get("event") == "app_started":
            # Keep draining what hotpod logs (the app's output), so that it never blocks on us.
            threading.Thread(target=lambda: proc.stderr.read(), daemon=True).start()
            return proc, http_port
        if time.monotonic() > deadline:
            break
    proc.kill()
    raise bl.BenchError("hotpod did not start the Gin app in time: " + proc.stderr.read()[-500:])


def measure(binary, idle_s, linger_s, timeout):
    work = bl.make_tempdir("hotpod-bench-idle-")
    app = os.path.join(work, "gin-app")
    shutil.copytree(os.path.join(REPO, "examples", "gin-app"), app,
                    ignore=shutil.ignore_patterns(".hotpod"))
    # Without the example's dev proxy, as measured before it was turned on there.
    env = bl.clean_env({"PORT": str(bl.free_port()), "HOTPOD_PROXY_LISTEN": "off"})
    for key in ("GOCACHE", "HOME"):
        if os.environ.get(key):
            env[key] = os.environ[key]
    proc = None
    drop_page_cache(binary)
    try:
        proc, http_port = start(binary, app, env, timeout)
        pid = proc.pid
        time.sleep(2.0)  # idle on purpose: let the start-up settle before the window
        before, cpu0, t0 = threads_of(pid), bl.sched_ns(pid), time.monotonic()
        time.sleep(idle_s)  # the measurement window: nothing changes, nobody asks
        after, cpu1, t1 = threads_of(pid), bl.sched_ns(pid), time.monotonic()
        seconds = t1 - t0
        status = bl.proc_status(pid)
        per_thread = []
        for tid, (name, switches) in sorted(after.items(), key=lambda item: int(item[0])):
            delta = switches - before[tid][1] if tid in before else switches
            per_thread.append({"tid": int(tid), "name": name, "wakeups": delta,
                               "new": tid not in before})
        wakeups = sum(t["wakeups"] for t in per_thread)
        res = {
            "idle_s": round(seconds, 2),
            "threads": len(after),
            "thread_names": sorted({t["name"] for t in per_thread}),
            "per_thread": per_thread,
            "wakeups": wakeups,
            "wakeups_per_s": round(wakeups / seconds, 3),
            "on_cpu_ms": round((cpu1 - cpu0) / 1e6, 3),
            "vmrss_kib": bl.kib(status.get("VmRSS")),
            "rss_anon_kib": bl.kib(status.get("RssAnon")),
            "rss_file_kib": bl.kib(status.get("RssFile")),
            "vmhwm_kib": bl.kib(status.get("VmHWM")),
        }
        if http_port:
            with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics", timeout=5) as r:
                r.read()
            res["threads_right_after_scrape"] = len(threads_of(pid))
            time.sleep(linger_s)  # the worker's linger (2 s) plus margin: a figure, not a sync
            res["threads_after_scrape_and_linger"] = len(threads_of(pid))
            res["linger_s"] = linger_s
        return res
    finally:
        if proc is not None:
            bl.stop_process(proc)
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hotpod", required=True, help="the development build (used when dist/ has no static binary)")
    ap.add_argument("--static", help="the static binary (default: dist/hotpod-*-linux-amd64 if present)")
    ap.add_argument("--idle", type=float, default=30.0, help="seconds of the measurement window")
    ap.add_argument("--linger", type=float, default=3.0, help="seconds after the scrape before counting threads")
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--out", default=os.path.join(REPO, "bench", "results", "idle.json"))
    args = ap.parse_args()
    static = args.static or next(iter(sorted(glob.glob(os.path.join(REPO, "dist", "hotpod-*-linux-amd64")))), None)
    binary, kind = (static, "static") if static else (args.hotpod, "dynamic (no static build in dist/)")
    binary = os.path.abspath(binary)
    bl.install_signal_handlers()
    results = {"benchmark": "idle", "generated_at": bl.now_utc(), "machine": bl.machine_info(hotpod=binary),
               "params": {"idle_s": args.idle, "linger_s": args.linger}, "goals": GOALS,
               "binary": os.path.relpath(binary, REPO) if binary.startswith(REPO) else binary,
               "binary_kind": kind}
    try:
        results["gin"] = measure(binary, args.idle, args.linger, args.timeout)
    except (bl.BenchError, OSError, subprocess.SubprocessError) as e:
        results["errors"] = [str(e).splitlines()[0]]
        bl.eprint(f"idle: {results['errors'][0]}")
    bl.write_json(args.out, results)
    gin = results.get("gin")
    if gin:
        bl.eprint(f"idle.py: {kind}: {gin['threads']} threads ({', '.join(gin['thread_names'])}), "
                  f"{gin['wakeups_per_s']:.2f} wake-ups/s, VmRSS {gin['vmrss_kib'] / 1024:.1f} MiB")
    return 0 if gin else 1


if __name__ == "__main__":
    sys.exit(main())
