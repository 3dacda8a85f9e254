#!/usr/bin/env python3
"""app.rollback (issue 21): from the start of a bad version to the old version answering again.

    rollback.py --hotpod HOTPOD --out FILE.json [--samples N] [--ready-timeout D]

A tiny HTTP app (python3) in bin/, copied there by the build from src/. Version 1 answers
GET /health with 200; the bad version answers GET / (with its text) but /health with 500, so it
never becomes ready. hotpod runs with app.health_url and app.rollback: true and otherwise the
defaults (app.ready_timeout, app.probe_interval, run.stop_timeout): the goal is that a rollback
takes at most 30 s with the defaults. Each sample saves the bad version; the measure starts when
the bad app process starts (it writes CLOCK_MONOTONIC to a file in its first statement) and ends
when the bench's GET / (every 10 ms) answers with version 1 again.

Two kinds of bad version: one that exits on SIGTERM, and one that ignores SIGTERM, so that
hotpod waits run.stop_timeout before SIGKILL (the worst case the defaults allow).
--ready-timeout overrides app.ready_timeout (the smoke run uses it to finish quickly; the report
then says that the row does not use the defaults).
Exit status: 1 if a sample failed, 2 bad usage.
"""

import argparse
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

GOAL_S = 30.0
DEFAULTS = {"ready_timeout": "20s", "probe_interval": "2s", "stop_timeout": "5s"}  # hotpod's

APP = r"""import http.server, os, signal, sys, time
started = time.monotonic_ns()
here = os.path.dirname(os.path.abspath(__file__))
version = open(os.path.join(here, "version.txt")).read().strip()
with open(os.environ["ROLLBACK_STARTS"], "a") as f:  # outside the watched tree
    f.write(f"{started} {version}\n")
if "IGNORE_TERM" in version:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        ok = self.path != "/health" or "BAD" not in version
        body = version.encode()
        self.send_response(200 if ok else 500)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer.allow_reuse_address = True
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""

KINDS = [("exits on SIGTERM", "v2 BAD"), ("ignores SIGTERM", "v2 BAD IGNORE_TERM")]


def get(url):
    text = bl.http_text(url)
    return None if text is None else text.strip()


def wait_answer(url, text, timeout, proc):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if get(url) == text:
            return bl.mono_ns()
        proc._read_ready(10)  # keep hotpod's pipes drained; also the 10 ms between GETs
        proc.pending.clear()
    return None


def bad_start_ns(work, text):
    with open(os.path.join(work, "starts.log")) as f:
        starts = [line.split(" ", 1) for line in f.read().splitlines()]
    return [int(ns) for ns, version in starts if version == text][-1]


def sample(args, work, port, bad):
    """One rollback: returns (seconds, None) or (None, error)."""
    tree = os.path.join(work, "tree")
    url = f"http://127.0.0.1:{port}/"
    with open(os.path.join(tree, "src", "version.txt"), "w") as f:
        f.write(bad + "\n")
    if wait_answer(url, bad, 60, args.proc) is None:
        return None, f"{bad}: the bad version never answered"
    t_back = wait_answer(url, "v1", GOAL_S * 3, args.proc)
    if t_back is None:
        return None, f"{bad}: version 1 did not answer again within {GOAL_S * 3:g} s"
    return (t_back - bad_start_ns(work, bad)) / 1e9, None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hotpod", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--samples", type=int, default=3, help="rollbacks per kind of bad version")
    ap.add_argument("--ready-timeout", help="app.ready_timeout instead of hotpod's default")
    args = ap.parse_args()
    args.hotpod = os.path.abspath(args.hotpod)
    if not shutil.which("python3"):
        ap.error("python3 is needed for the app")
    bl.install_signal_handlers()
    work = bl.make_tempdir("hotpod-bench-rollback-")
    results = {"benchmark": "rollback", "generated_at": bl.now_utc(), "machine": bl.machine_info(work, args.hotpod),
               "params": {"samples": args.samples, "goal_s": GOAL_S, "defaults": dict(DEFAULTS),
                          "ready_timeout": args.ready_timeout or DEFAULTS["ready_timeout"],
                          "uses_defaults": args.ready_timeout is None},
               "rows": []}
    ok = True
    try:
        tree = os.path.join(work, "tree")
        for d in ("src", "bin"):
            os.makedirs(os.path.join(tree, d))
        with open(os.path.join(tree, "src", "app.py"), "w") as f:
            f.write(APP)
        with open(os.path.join(tree, "src", "version.txt"), "w") as f:
            f.write("v1\n")
        port = bl.free_port()
        ready_timeout = f"\n  ready_timeout: {args.ready_timeout}" if args.ready_timeout else ""
        config = f"""build:
  cmd: cp src/app.py src/version.txt bin/
  artifacts: [bin/app.py, bin/version.txt]
run:
  cmd: [python3, bin/app.py, '{port}']
app:
  health_url: http://127.0.0.1:{port}/health
  rollback: true{ready_timeout}
http:
  listen: off
"""
        with open(os.path.join(tree, "hotpod.yaml"), "w") as f:
            f.write(config)
        results["params"]["config"] = config.replace(str(port), "PORT")
        argv = [args.hotpod, "run", "--log-format", "json"]
        results["params"]["command"] = bl.placeholder_argv(argv, {args.hotpod: "HOTPOD"})
        logs = os.path.join(work, "logs")
        os.makedirs(logs)
        env = bl.clean_env({"ROLLBACK_STARTS": os.path.join(work, "starts.log")})
        args.proc = bl.Proc(argv, cwd=tree, env=env, log_dir=logs, name="hotpod")
        try:
            if wait_answer(f"http://127.0.0.1:{port}/", "v1", 60, args.proc) is None:
                raise bl.BenchError("version 1 never answered:\n" + args.proc.log_tail())
            time.sleep(3)  # version 1 is kept as the last good one once its probe passes
            for label, bad in KINDS:
                row = {"bad_version": label, "samples_s": [], "errors": []}
                for _ in range(args.samples):
                    took, error = sample(args, work, port, bad)
                    if error:
                        row["errors"].append(error)
                        ok = False
                        break
                    row["samples_s"].append(round(took, 2))
                    # Back to version 1 on disk too (the rollback restored bin/, not src/).
                    with open(os.path.join(tree, "src", "version.txt"), "w") as f:
                        f.write("v1\n")
                    wait_answer(f"http://127.0.0.1:{port}/", "v1", 60, args.proc)
                    time.sleep(3)
                v = sorted(row["samples_s"])
                if v:
                    row["summary_s"] = {"n": len(v), "min": v[0], "p50": bl.percentile(v, 50), "max": v[-1]}
                    row["goal_met"] = v[-1] <= GOAL_S
                results["rows"].append(row)
                for e in row["errors"]:
                    bl.eprint(f"rollback: {e}")
        finally:
            results["exit_code_on_sigterm"] = args.proc.stop(term_timeout=15)
    except bl.BenchError as e:
        results["error"] = str(e).splitlines()[0]
        bl.eprint(f"rollback: {e}")
        ok = False
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["machine"]["loadavg_at_end"] = bl._read("/proc/loadavg")
    bl.write_json(args.out, results)
    return 0 if ok else 1


def markdown(res, w):
    """The report's section (bench/report.py)."""
    p = res["params"]
    w("## Rollback: bad version start → old version answering")
    w("")
    w(f"`bench/rollback.py`: hotpod runs a small python3 HTTP app with `app.health_url` and `app.rollback: true`"
      + (", everything else at the defaults" if p["uses_defaults"] else
         f", **`app.ready_timeout: {p['ready_timeout']}` instead of the default** (a short run), the rest at the defaults")
      + f" (`app.ready_timeout` {p['defaults']['ready_timeout']}, `app.probe_interval` {p['defaults']['probe_interval']}, "
      f"`run.stop_timeout` {p['defaults']['stop_timeout']}). Each sample saves a version that answers `/` but "
      "fails `/health` with 500, so it never becomes ready; measured from the bad app's first statement (it writes "
      "`CLOCK_MONOTONIC` to a file) to the first `GET /` (every 10 ms) that answers with the old version. "
      f"{p['samples']} sample(s) per row. Goal: at most {p['goal_s']:g} s with the defaults.")
    w("")
    w("| bad version | n | min | p50 | max | goal ≤ 30 s |")
    w("|---|---|---|---|---|---|")
    for r in res["rows"]:
        s = r.get("summary_s")
        if not s:
            w(f"| {r['bad_version']} | 0 | – | – | – | failed: {'; '.join(r['errors'])[:200]} |")
            continue
        met = "met" if r["goal_met"] else "NOT met"
        if not p["uses_defaults"]:
            met += " (not at the defaults)"
        w(f"| {r['bad_version']} | {s['n']} | {s['min']:.2f} s | {s['p50']:.2f} s | {s['max']:.2f} s | {met} |")
    w("")
    w("Where the time goes: `app.ready_timeout` (the bad version's chance to answer), then restoring "
      "`build.artifacts` and stopping the bad version (at once when it exits on SIGTERM, else after "
      "`run.stop_timeout` and SIGKILL), then the old version's start until it answers.")
    w("")


if __name__ == "__main__":
    sys.exit(main())
