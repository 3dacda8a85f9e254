#!/usr/bin/env python3
"""Latency from a file's close() to the first instruction of the build command, minus the delay.

For each sample: write a file of a small tree (open/write/close), read CLOCK_MONOTONIC right
after close(), wait for the tool to report that its build finished (hotpod: the `build_finished`
JSON record; no sleeps), then read the line that the build command (`STAMP OUT`, bench/stamp.c)
appended: CLOCK_MONOTONIC at the start of its main(). latency = stamp - close - delay (for hotpod,
the 2 ms quiet period of a lone change: every sample is one).

Rows: hotpod with --delay 100ms (the default) and 0ms (if accepted); the floor, an
`inotifywait -m -r -e close_write` loop running the same command through /bin/sh -c; and
"spawn only", the bench starting `/bin/sh -c "STAMP OUT"` itself (the cost of process creation).

Every row has its own identical tree and all tools run at the same time (an idle watcher costs
nothing: inotify only wakes the watcher of the written tree). Samples are taken round-robin, in a
shuffled order per round, so that load from other processes on a shared machine hits all rows
alike. Before each sample the tool must be quiet (no build running, nothing logged) for longer
than its delay; builds that start in that time are counted as "extra".

Output: a Markdown table on stdout, JSON in --out (default bench/results/latency.json).
Exit status: 1 if hotpod produced no sample at all, or (with --strict) if any row is invalid
(missed builds, missing stamps, a tool failed, hotpod's exit code on SIGTERM not 0); 2 bad usage.
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
EXTS = ["go", "c", "h", "py", "txt"]
LONE_MS = 2  # hotpod's quiet period for a lone change (Debouncer::kLoneChangeDelay)


def make_tree(root, dirs, files_per_dir):
    """A few directories with ~50 small files; returns the file paths."""
    paths = []
    for d in range(dirs):
        sub = os.path.join(root, "src" if d == 0 else os.path.join("src", f"pkg{d}"))
        os.makedirs(sub, exist_ok=True)
        for i in range(files_per_dir):
            p = os.path.join(sub, f"file{i:02d}.{EXTS[i % len(EXTS)]}")
            with open(p, "w") as f:
                f.write(f"// file {d}/{i}\n")
            paths.append(p)
    return paths



class Row:
    """One tool at one delay, on its own tree."""

    def __init__(self, key, watcher, delay_ms, args, stamp_bin, work, spec=None, samples=None):
        self.watcher = watcher
        self.delay_ms = delay_ms
        self.spec = spec
        self.delay_arg = delay_ms if spec is None else spec.delay_ms  # what the command line says
        self.samples = args.samples if samples is None else samples
        # The quiet period the tool waits for (reflex: its fixed 300 ms batch, not subtracted).
        wait_ms = max(delay_ms or 0, getattr(watcher, "effective_delay_ms", 0))
        self.dir = os.path.join(work, key)
        self.tree = os.path.join(self.dir, "tree")
        self.files = make_tree(self.tree, args.dirs, args.files_per_dir)
        self.out = os.path.join(self.dir, "stamps.txt")
        self.build = f"{stamp_bin} {self.out}"
        self.logs = os.path.join(self.dir, "logs")
        self.cwd = os.path.join(self.dir, "cwd")  # empty: no hotpod.yaml
        os.makedirs(self.logs)
        os.makedirs(self.cwd)
        # What the tool waits for a lone change: hotpod shortens the quiet period of the first
        # change of a quiet tree (every sample here is one) to LONE_MS.
        self.subtracted_ms = min(delay_ms, LONE_MS) if isinstance(watcher, bl.HotpodRun) else delay_ms
        self.delay_ns = self.subtracted_ms * 1_000_000
        self.build_timeout = max(5.0, 20 * wait_ms / 1000.0 + 5.0)
        self.quiet_s = max(0.05, wait_ms / 1000.0 + 0.05)  # longer than the delay: catches extra builds
        self.rng = random.Random(zlib.crc32(key.encode()))
        self.alive = False
        self.res = {
            "tool": watcher.name if watcher else "spawn only",
            "key": key,
            "label": spec.label if spec else ("hotpod --delay 0ms" if key == "hotpod-0" else watcher.name if watcher else "spawn only"),
            "backend": spec.backend if spec else ("inotify" if watcher else "–"),
            "config": spec.config if spec else ("defaults (--delay 100ms)" if key == "hotpod-100" else
                                                "min delay" if key == "hotpod-0" else "floor (no delay)" if watcher else "reference"),
            "delay_ms": delay_ms,
            "subtracted_ms": self.subtracted_ms,
            "command": bl.placeholder_argv(self.argv(), {stamp_bin: "STAMP", self.out: "OUT", self.tree: "TREE", args.hotpod_abs: "HOTPOD",
                                                             bl.NPM_PREFIX + "/node_modules/.bin/": ""}),
            "samples_requested": self.samples,
            "latency_ns": [],
            "missed": 0,
            "no_stamp": 0,
            "cancelled_builds": 0,
            "premature": 0,  # build commands that started before the writer's close()
            "extra_builds": 0,
            "errors": [],
        }

    def argv(self):
        return self.watcher.argv(self.tree, self.build, self.delay_arg)

    def start(self):
        self.watcher.start(root=self.tree, build=self.build, delay_ms=self.delay_arg,
                           cwd=self.cwd, log_dir=self.logs)
        self.alive = True

    def ready(self):
        try:
            if isinstance(self.watcher, bl.StampWatcher):
                self.watcher.wait_ready(timeout=60, probe_path=self.files[-1])
            else:
                self.watcher.wait_ready(timeout=30)
            # hotpod builds once at start-up; let that (and anything else) pass first.
            self.watcher.settle(quiet_s=max(0.3, self.quiet_s), timeout=30)
        except bl.BenchError as e:
            self.fail(str(e))

    def fail(self, msg):
        self.res["errors"].append(msg)
        self.alive = False

    def sample(self, i):
        if not self.alive or i >= self.samples:
            return
        try:
            # Quiet before the write; builds that start now were not asked for by a write.
            self.res["extra_builds"] += self.watcher.settle(quiet_s=self.quiet_s + self.rng.random() * 0.02, timeout=30)
            seen = len(bl.read_stamps(self.out))
            path = self.files[i % len(self.files)]
            fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
            os.write(fd, f"// sample {i}\n".encode())
            os.close(fd)
            t_close = bl.mono_ns()
            t_done = self.watcher.wait_build(timeout=self.build_timeout)
        except bl.BenchError as e:
            self.fail(f"sample {i}: {e}")
            return
        if t_done is None:
            self.res["missed"] += 1
            self.res["errors"].append(
                f"sample {i}: no build within {self.build_timeout:.0f}s of writing {os.path.relpath(path, self.tree)}"
            )
            if self.res["missed"] >= 5 and self.res["missed"] > i // 2:
                self.fail("too many missed builds; row aborted")
            return
        stamps = bl.read_stamps(self.out)[seen:]
        if not stamps:
            self.res["no_stamp"] += 1
            self.res["errors"].append(f"sample {i}: the build finished but the stamp file gained no line")
            return
        # The build that just finished wrote the newest line; earlier new lines come from builds
        # that were cancelled (superseded) after their command had started.
        self.res["latency_ns"].append(stamps[-1] - t_close - self.delay_ns)
        self.res["premature"] += sum(1 for s in stamps if s < t_close)

    def stop(self):
        code = self.watcher.stop()
        self.res["exit_code_on_sigterm"] = code
        self.res["build_results"] = dict(self.watcher.build_results)
        self.res["cancelled_builds"] = self.watcher.build_results.get("cancelled", 0)
        self.res["builds_started"] = self.watcher.builds_started
        if isinstance(self.watcher, bl.StampWatcher):
            self.res["build_results"] = {}
        if self.watcher.name == "hotpod" and self.watcher.stopped_by_us and code not in (0, None):
            self.res["errors"].append(f"hotpod exited with {code} on SIGTERM (expected 0)")
        if self.watcher.name == "hotpod" and self.watcher.leftovers:
            self.res["errors"].append(f"hotpod left {self.watcher.leftovers} in its TMPDIR after SIGTERM")

    def finish(self):
        self.res["summary_ms"] = bl.summarize_ms(self.res["latency_ns"])
        for line in self.res["errors"][:5]:
            bl.eprint(f"latency: {self.res['tool']} delay={self.delay_ms}ms: {line}")
        if self.res["errors"]:
            bl.eprint(f"latency: logs of that row (keep them with --keep): {self.logs}")
        return self.res


class SpawnRow(Row):
    """Reference without a watcher: the bench starts `/bin/sh -c "STAMP OUT"` itself; latency =
    stamp - the clock right before the spawn: what process creation alone costs here."""

    def __init__(self, key, args, stamp_bin, work):
        super().__init__(key, None, 0, args, stamp_bin, work)
        self.env = bl.clean_env()

    def argv(self):
        return ["/bin/sh", "-c", self.build]

    def start(self):
        self.alive = True

    def ready(self):
        pass

    def sample(self, i):
        if i >= self.samples:
            return
        seen = len(bl.read_stamps(self.out))
        t0 = bl.mono_ns()
        p = subprocess.Popen(self.argv(), env=self.env, stdin=subprocess.DEVNULL, cwd=self.cwd)
        try:
            rc = p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            rc = -9
        stamps = bl.read_stamps(self.out)[seen:]
        if rc != 0 or not stamps:
            self.res["no_stamp"] += 1
            self.res["errors"].append(f"sample {i}: exit {rc}, {len(stamps)} new stamp lines")
            return
        self.res["latency_ns"].append(stamps[0] - t0)
        time.sleep(0.05)  # like the watchers' quiet time

    def stop(self):
        self.res["exit_code_on_sigterm"] = None


def delay_accepted(hotpod, delay_ms, work):
    """Does `hotpod run --delay <delay_ms>ms` start?"""
    w = bl.HotpodRun(hotpod)
    d = os.path.join(work, f"probe-{delay_ms}")
    os.makedirs(os.path.join(d, "tree"))
    try:
        w.start(root=os.path.join(d, "tree"), build="true", delay_ms=delay_ms, cwd=d, log_dir=d)
        w.wait_ready(timeout=15)
        return True, None
    except bl.BenchError as e:
        lines = str(e).strip().splitlines()
        return False, lines[-1] if lines else "failed"
    finally:
        w.stop()


def ratio_base(results, r):
    """hotpod's row to compare r with: same backend, same kind of setting (min delay or defaults)."""
    want_min = "min" in (r.get("config") or "") or r.get("config", "").startswith("floor") or r.get("tool") == "spawn only"
    backend = r.get("backend") if r.get("backend") in ("inotify", "poll") else "inotify"
    keys = {("inotify", False): "hotpod-100", ("inotify", True): "hotpod-0",
            ("poll", False): "hotpod-poll", ("poll", True): "hotpod-poll-min"}
    for x in results["runs"]:
        if x.get("key") == keys[(backend, want_min)] and x.get("summary_ms"):
            return x
    return None


def markdown(results):
    lines = [
        "| tool | backend | configured as | delay subtracted | samples | min | p50 | p90 | p99 | max | p50 ÷ hotpod | missed | cancelled | premature | extra |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results["runs"]:
        label = r.get("label", r["tool"])
        if r.get("skipped"):
            lines.append(f"| {label} | {r.get('backend', 'inotify')} | {r.get('config', '')} | {r.get('subtracted_ms', r['delay_ms'])} ms | skipped: {r['skipped']} |" + " |" * 10)
            continue
        s = r.get("summary_ms") or {}
        base = ratio_base(results, r)
        ratio = "–"
        if base and s.get("p50") is not None and base is not r:
            ratio = f"{s['p50'] / base['summary_ms']['p50']:.2f} × ({base['label'] if 'label' in base else 'hotpod'})"
        elif base is r:
            ratio = "1 (reference)"
        lines.append(
            f"| {label} | {r.get('backend', 'inotify')} | {r.get('config', '')} | {r.get('subtracted_ms', r['delay_ms'])} ms | {s.get('n', 0)} | {bl.fmt(s.get('min'))} | {bl.fmt(s.get('p50'))} | "
            f"{bl.fmt(s.get('p90'))} | {bl.fmt(s.get('p99'))} | {bl.fmt(s.get('max'))} | {ratio} | {r['missed']} | "
            f"{r.get('cancelled_builds', 0)} | {r.get('premature', 0)} | {r['extra_builds']} |"
        )
    lines.append("")
    lone = ""
    if any(r.get("subtracted_ms", r.get("delay_ms")) != r.get("delay_ms") for r in results["runs"]):
        lone = (f"; hotpod waits only {LONE_MS} ms for a lone change of a quiet tree, which every sample is, so that "
                "is what its rows subtract")
    lines.append(
        "Milliseconds from close() to the triggered command's first instruction, minus the delay the tool was configured "
        "with (its own default when the command line sets none; reflex's fixed 300 ms batch is not a setting and is not "
        "subtracted" + lone + "). spawn only: from just before the bench spawns `/bin/sh -c STAMP` itself. "
        "p50 ÷ hotpod: against hotpod with the same backend and the same kind of setting (min delay or defaults). "
        "missed: writes without a run; cancelled: builds superseded by a newer one; "
        "premature: commands that started before close(); extra: runs after the sample's run."
    )
    return "\n".join(lines)


def timer_wake(binary, delay_ms, samples):
    """How late a timerfd wait of delay_ms returns on this machine (µs): p50, p90, max."""
    out = subprocess.run([os.path.abspath(binary), str(delay_ms), str(samples)], capture_output=True,
                         text=True, check=True).stdout
    late = sorted(float(x) for x in out.split())
    return {"delay_ms": delay_ms, "samples": len(late), "p50_us": late[len(late) // 2],
            "p90_us": late[int(0.9 * (len(late) - 1))], "max_us": late[-1]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hotpod", required=True, help="path to the hotpod binary")
    ap.add_argument("--stamp", required=True, help="path to the compiled bench/stamp.c")
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--delays", default="100,0", help="hotpod delays in ms, comma-separated (default 100,0)")
    ap.add_argument("--dirs", type=int, default=5)
    ap.add_argument("--files-per-dir", type=int, default=10)
    ap.add_argument("--no-floor", action="store_true", help="skip the inotifywait floor")
    ap.add_argument("--no-spawn", action="store_true", help="skip the spawn-only reference")
    ap.add_argument("--no-peers", action="store_true", help="skip reflex, entr, nodemon, chokidar")
    ap.add_argument("--no-poll", action="store_true", help="skip the polling rows")
    ap.add_argument("--only", help="comma-separated keys of the peer and polling rows to run (benchlib.tool_specs)")
    ap.add_argument("--poll-samples", type=int, default=100, help="samples of the polling rows (default 100)")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "latency.json"))
    ap.add_argument("--strict", action="store_true", help="exit 1 if any row is invalid (for the smoke test)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (trees, logs)")
    ap.add_argument("--timerwake", help="path to the compiled bench/timerwake.c: measures how late this machine "
                    "wakes a process from a 2 ms timer (the lone-change quiet period: the part of the default row that is not hotpod's)")
    args = ap.parse_args()
    if args.samples < 1:
        ap.error("--samples must be >= 1")
    for p in (args.hotpod, args.stamp):
        if not os.access(p, os.X_OK):
            ap.error(f"not executable: {p}")
    hotpod = args.hotpod_abs = os.path.abspath(args.hotpod)
    stamp = os.path.abspath(args.stamp)
    delays = [int(x) for x in args.delays.split(",") if x.strip() != ""]

    bl.install_signal_handlers()
    work = bl.make_tempdir("hotpod-bench-latency-")
    results = {
        "benchmark": "latency",
        "generated_at": bl.now_utc(),
        "machine": bl.machine_info(work, hotpod),
        "params": {
            "samples": args.samples,
            "tree": {"directories": args.dirs, "files": args.dirs * args.files_per_dir},
            "method": "stamp - close - delay; stamp = CLOCK_MONOTONIC at the start of the build command's main(); "
            "rows interleaved round-robin, each on its own tree",
        },
        "runs": [],
    }
    rows = []
    slots = []  # results["runs"] order: rows and skipped entries
    try:
        for d in delays:
            if d == 0:
                accepted, why = delay_accepted(hotpod, 0, work)
                if not accepted:
                    slots.append({"tool": "hotpod", "delay_ms": 0, "skipped": f"--delay 0ms rejected: {why}"})
                    continue
            rows.append(Row(f"hotpod-{d}", bl.HotpodRun(hotpod), d, args, stamp, work))
            slots.append(rows[-1])
        if not args.no_floor:
            if shutil.which("inotifywait"):
                rows.append(Row("inotifywait", bl.InotifywaitLoop(), 0, args, stamp, work))
                slots.append(rows[-1])
            else:
                bl.eprint("latency: inotifywait not found (bench/install-peers.sh installs it); floor skipped")
                slots.append({"tool": "inotifywait", "delay_ms": 0, "skipped": "inotifywait not installed"})
        if not args.no_spawn:
            rows.append(SpawnRow("spawn", args, stamp, work))
            slots.append(rows[-1])
        backends = [b for b in ("inotify", "poll") if not (b == "poll" and args.no_poll)]
        for spec in bl.tool_specs(hotpod, backends=backends, floor=False):
            if spec.key in ("hotpod", "hotpod-d0"):
                continue  # the hotpod inotify rows above
            if args.no_peers and spec.tool != "hotpod":
                continue
            if args.only and spec.key not in args.only.split(","):
                continue
            n = args.poll_samples if spec.backend == "poll" else args.samples
            if not spec.available():
                bl.eprint(f"latency: {spec.tool} not installed (bench/install-peers.sh); row {spec.label} skipped")
                slots.append({"tool": spec.tool, "key": spec.key, "label": spec.label, "backend": spec.backend,
                              "config": spec.config, "delay_ms": spec.effective_ms, "skipped": f"{spec.tool} not installed"})
                continue
            rows.append(Row(spec.key, spec.make(), spec.effective_ms, args, stamp, work, spec=spec, samples=n))
            slots.append(rows[-1])

        t0 = time.monotonic()
        try:
            for r in rows:
                r.start()
            for r in rows:
                r.ready()
            order = random.Random(42)
            for i in range(args.samples):
                for r in order.sample(rows, len(rows)):
                    r.sample(i)
        finally:
            for r in rows:
                r.stop()
        results["params"]["wall_s"] = round(time.monotonic() - t0, 1)
        if args.timerwake:
            results["timer_wake"] = timer_wake(args.timerwake, delay_ms=LONE_MS, samples=50)
        results["runs"] = [s.finish() if isinstance(s, Row) else s for s in slots]
        results["machine"]["loadavg_at_end"] = bl._read("/proc/loadavg")
        bl.write_json(args.out, results)
        print(markdown(results))
    finally:
        if args.keep:
            bl.eprint(f"latency: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    hotpod_ok = any(r["tool"] == "hotpod" and r.get("summary_ms") for r in results["runs"])
    all_ok = all(not r.get("errors") and (r.get("summary_ms") or r.get("skipped")) for r in results["runs"])
    if not hotpod_ok or (args.strict and not all_ok):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
