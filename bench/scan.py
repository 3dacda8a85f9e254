#!/usr/bin/env python3
"""Issue 3's goals for large trees: poll scan vs the physical floor, idle CPU of the poll backend,
RSS of the poll and inotify backends, and inotify start-up.

Generated trees of --sizes files, 10 files in every directory (100k files: 10,000 directories
plus the root): tops t000.. with subdirectories s001.., every directory holding 10 files.

1. Poll scan vs floor, for every size. --rounds rounds; in each, in a shuffled order:
   (a) `hotpod run --backend poll --poll-interval 100ms -c CFG --log-level debug` with
       `watch: {poll_budget: 100%}` in CFG, so it scans back to back (it sleeps one scan's CPU
       time between scans); the `scan_wall_us`/`scan_cpu_us` of --scans-per-round `poll_scan`
       records after `watching` (the baseline scan before it is not counted), then hotpod is
       stopped; (b) bench/scanfloor.c walking the same tree --scans-per-round times
       (openat/fdopendir/readdir/fstatat(AT_SYMLINK_NOFOLLOW), nothing else), sleeping like hotpod
       between walks (--gap-ms 100: max(100 ms, the walk's CPU time)); it walks once more than
       counted and its first walk is dropped, as hotpod's start-up scan is.
   Goal: median hotpod wall ≤ 1.2 × median floor wall, and linear in the file count.
2. Idle CPU at the largest size: `hotpod run --backend poll --log-level debug` with the default
   budget (5 %) and interval (500 ms); after the start-up build, CPU (utime+stime from
   /proc/PID/stat) over --idle seconds; the effective interval from the `poll_interval` records.
   At the same time, on the same tree, the reference: scanfloor as a naive poller (walk, sleep
   500 ms, walk, ...), CPU read the same way. Goal: hotpod ≤ 5 % of a core.
3. RSS at the largest size (VmRSS and VmHWM from /proc/PID/status) right after `watching` and
   --rss-wait seconds after it: poll (from run 2; goal ≤ 32 MiB) and inotify (from the last
   start-up of 4; goal ≤ 16 MiB).
4. inotify start-up at the largest size: --startup-runs rounds; in each, in a shuffled order:
   hotpod --backend inotify (spawn → `watching` record), hotpod --backend poll (the same, for
   the scan's share), `inotifywait -r -m TREE` (spawn → "Watches established." on stderr) and
   one scanfloor walk. inotify watches counted in /proc/PID/fdinfo (one per directory expected).
   Goal: hotpod inotify ≤ 1 s. With strace installed, one extra start-up under `strace -f -c`
   shows which system calls the start-up spends its time in (counts exact, times inflated).

fs.inotify.max_user_watches is raised for the run if it is too low (as root) and restored.
Output: a Markdown summary on stdout, JSON in --out (default bench/results/scan.json).
Exit status: 1 if a measurement failed (hotpod did not start, died, gave no scans), else 0; a
missed goal is a result, not a failure.
"""

import argparse
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
EXTS = ["go", "c", "h", "txt", "json"]
FILES_PER_DIR = 10
MAX_USER_WATCHES = "/proc/sys/fs/inotify/max_user_watches"

GOALS = {
    "target_files": 100000,
    "scan_ratio_max": 1.2,  # hotpod scan wall / floor scan wall
    # (µs/file at the largest size / at the next smaller one), hotpod's over the floor's: the
    # kernel's own per-file cost grows with the tree (caches), hotpod must add nothing superlinear.
    "linear_growth_max": 1.25,
    "idle_cpu_pct_max": 5.0,
    "rss_poll_mib_max": 32.0,
    "rss_inotify_mib_max": 16.0,
    "startup_ms_max": 1000.0,
}


def make_tree(root, n_files, per_dir=FILES_PER_DIR):
    """n_files // per_dir directories below root, per_dir files each: tops t000.. (about
    sqrt(dirs) of them), each with subdirectories s001... Returns (files, directories incl. root)."""
    n_dirs = max(1, n_files // per_dir)
    tops = math.ceil(math.sqrt(n_dirs))
    per_top = math.ceil(n_dirs / tops)
    os.makedirs(root)
    made = 0
    for i in range(n_dirs):
        top, sub = divmod(i, per_top)
        d = os.path.join(root, f"t{top:03d}") if sub == 0 else os.path.join(root, f"t{top:03d}", f"s{sub:03d}")
        os.makedirs(d)
        for k in range(per_dir):
            with open(os.path.join(d, f"file{k:02d}.{EXTS[k % len(EXTS)]}"), "w") as f:
                f.write(f"// generated {i}/{k}\n")
            made += 1
    return made, n_dirs + 1


def median(v):
    return statistics.median(v) if v else None


def pct(part, whole):
    return None if not whole else 100.0 * part / whole


class HotpodScan(bl.HotpodRun):
    """hotpod run, also classifying the poll records (the JSON record is in self.records[-1])."""

    def _parse(self, stream, line):
        ev = super()._parse(stream, line)
        if ev is None and stream == "stderr" and self.records and line.startswith("{"):
            e = self.records[-1].get("event")
            if e in ("poll_scan", "poll_interval"):
                return e
        return ev

    def by_event(self, name):
        return [r for r in self.records if r.get("event") == name]


def nonvoluntary(pid):
    """Involuntary context switches of the process' threads: how often other load preempted it."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            total += int(bl.proc_status(f"{pid}/task/{tid}")["nonvoluntary_ctxt_switches"])
        except (OSError, KeyError, ValueError):
            pass
    return total


def cpu_ms(pid):
    c = bl.cpu_ticks_ms(pid)
    return c["user_ms"] + c["sys_ms"]


def status_mem(pid):
    st = bl.proc_status(pid)
    return {k: bl.kib(st.get(k)) for k in ("VmRSS", "VmHWM", "RssAnon", "RssFile")}


def run_floor(scanfloor, root, n, gap_ms=None, timeout=300):
    """n walks (gap_ms: paced like hotpod with a 100 % budget); returns (per-walk dicts, summary)."""
    argv = [scanfloor, root, "-n", str(n)] + (["--gap-ms", str(gap_ms)] if gap_ms is not None else [])
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise bl.BenchError(f"scanfloor exited with {p.returncode}: {p.stderr.strip()}")
    rows = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
    walks = [r for r in rows if "walk" in r]
    summary = next((r for r in rows if r.get("summary")), None)
    if len(walks) != n or summary is None:
        raise bl.BenchError(f"scanfloor printed {len(walks)} walks for -n {n}")
    return walks, summary


class Bench:
    def __init__(self, args, work):
        self.args = args
        self.hotpod = args.hotpod_abs
        self.scanfloor = args.scanfloor_abs
        self.work = work
        self.cwd = os.path.join(work, "cwd")  # empty: no hotpod.yaml
        os.makedirs(self.cwd)
        self.cfg = os.path.join(work, "budget100.yaml")
        with open(self.cfg, "w") as f:
            f.write("watch:\n  poll_budget: 100%\n")
        self.logs = os.path.join(work, "logs")
        os.makedirs(self.logs)
        self.rng = random.Random(3)
        self.errors = []
        self.n_start = 0

    def hotpod_proc(self, extra):
        self.n_start += 1
        w = HotpodScan(self.hotpod, extra)
        w.name = f"hotpod-{self.n_start}"
        return w

    def stop(self, w, what):
        code = w.stop()
        if w.stopped_by_us and code not in (0, None):
            self.errors.append(f"{what}: hotpod exited with {code} on SIGTERM (expected 0)")
        return code

    # -- 1. scan vs floor ---------------------------------------------------------------------

    def hotpod_scans(self, root, k):
        w = self.hotpod_proc(["-c", self.cfg, "--backend", "poll", "--poll-interval", "100ms", "--log-level", "debug"])
        try:
            w.start(root=root, build="true", delay_ms=None, cwd=self.cwd, log_dir=self.logs)
            w.wait_ready(timeout=self.args.ready_timeout)
            baseline = len(w.by_event("poll_scan"))
            deadline = time.monotonic() + 60 + k * 10
            preempted = []  # involuntary context switches from one poll_scan record to the next
            prev = nonvoluntary(w.proc.pid)
            while len(w.by_event("poll_scan")) - baseline < k:
                item = w._next(deadline)
                if item is None:
                    raise bl.BenchError(f"hotpod: {len(w.by_event('poll_scan')) - baseline} of {k} poll_scan records in time")
                if item[2] == "poll_scan":
                    cur = nonvoluntary(w.proc.pid)
                    preempted.append(cur - prev)
                    prev = cur
            scans = w.by_event("poll_scan")[baseline : baseline + k]
            return scans, preempted, w.ready_record or {}
        finally:
            self.stop(w, "scan")

    def scan_case(self, n_files, root, files, dirs):
        a = self.args
        res = {"files": files, "directories": dirs,
               "hotpod": {"wall_us": [], "cpu_us": [], "preempted": [], "interval_ms": []},
               "floor": {"wall_us": [], "cpu_us": [], "preempted": []}, "notes": []}
        run_floor(self.scanfloor, root, 1)  # warm-up: the same cache state for both sides
        for rnd in range(a.rounds):
            for side in self.rng.sample(["hotpod", "floor"], 2):
                if side == "hotpod":
                    scans, preempted, ready = self.hotpod_scans(root, a.scans_per_round)
                    res["hotpod"]["preempted"] += preempted
                    for s in scans:
                        res["hotpod"]["wall_us"].append(s["scan_wall_us"])
                        res["hotpod"]["cpu_us"].append(s["scan_cpu_us"])
                        res["hotpod"]["interval_ms"].append(s["interval_ms"])
                    if ready.get("files") != files or ready.get("directories") != dirs:
                        note = f"hotpod reports {ready.get('files')} files in {ready.get('directories')} directories"
                        if note not in res["notes"]:
                            res["notes"].append(note)
                else:
                    # One more walk than counted: like hotpod's start-up scan, the first is not counted.
                    walks, summ = run_floor(self.scanfloor, root, a.scans_per_round + 1, gap_ms=100)
                    walks = walks[1:]
                    res["floor"]["wall_us"] += [w["wall_us"] for w in walks]
                    res["floor"]["cpu_us"] += [w["cpu_us"] for w in walks]
                    res["floor"]["preempted"] += [w.get("preempted", 0) for w in walks]
                    if summ["files"] != files or summ["dirs"] != dirs:
                        res["notes"].append(f"scanfloor saw {summ['files']} files in {summ['dirs']} directories")
        for side in ("hotpod", "floor"):
            s = res[side]
            s["median_wall_us"] = median(s["wall_us"])
            s["median_cpu_us"] = median(s["cpu_us"])
            s["min_wall_us"] = min(s["wall_us"])
            s["us_per_file"] = s["median_wall_us"] / files
            s["n"] = len(s["wall_us"])
            s["median_preempted"] = median(s["preempted"])
        res["ratio_wall"] = res["hotpod"]["median_wall_us"] / res["floor"]["median_wall_us"]
        res["ratio_cpu"] = res["hotpod"]["median_cpu_us"] / res["floor"]["median_cpu_us"]
        res["ratio_min_wall"] = res["hotpod"]["min_wall_us"] / res["floor"]["min_wall_us"]
        return res

    # -- 2 + 3 (poll). idle CPU and RSS -----------------------------------------------------------

    def idle_case(self, root, files, dirs):
        a = self.args
        res = {"files": files, "directories": dirs, "idle_s_requested": a.idle, "rss_wait_s": a.rss_wait}
        w = self.hotpod_proc(["--backend", "poll", "--log-level", "debug"])
        floor = None
        try:
            proc = w.start(root=root, build="true", delay_ms=None, cwd=self.cwd, log_dir=self.logs)
            res["command"] = bl.placeholder_argv(w.argv(root, "true", None), {root: "TREE", self.hotpod: "HOTPOD"})
            t_ready = w.wait_ready(timeout=a.ready_timeout)
            res["mem_at_ready_kib"] = status_mem(proc.pid)
            res["startup_ms"] = round((t_ready - proc.started_ns) / 1e6, 1)
            res["hotpod_reports"] = {k: (w.ready_record or {}).get(k) for k in ("files", "directories", "backend")}
            if w.wait_build(timeout=60) is None:
                raise bl.BenchError("no start-up build within 60 s")
            floor = bl.Proc([self.scanfloor, root, "--interval-ms", "500", "--duration-s", str(a.idle + 30)],
                            cwd=self.cwd, env=bl.clean_env(), log_dir=self.logs, name="scanfloor-poller")
            n_scans0 = len(w.by_event("poll_scan"))
            c0h, s0h, c0f = cpu_ms(proc.pid), bl.sched_ns(proc.pid), cpu_ms(floor.pid)
            t0 = time.monotonic()
            t_rss = t_ready / 1e9 + a.rss_wait  # mono_ns and time.monotonic share CLOCK_MONOTONIC
            t_end = t0 + a.idle
            idle_done = False
            while not idle_done or "mem_after_wait_kib" not in res:
                now = time.monotonic()
                if not idle_done and now >= t_end:
                    c1h, s1h, c1f = cpu_ms(proc.pid), bl.sched_ns(proc.pid), cpu_ms(floor.pid)
                    secs = time.monotonic() - t0
                    idle_done = True
                    scans = w.by_event("poll_scan")[n_scans0:]
                if "mem_after_wait_kib" not in res and now >= t_rss:
                    res["mem_after_wait_kib"] = status_mem(proc.pid)
                    res["mem_after_wait_at_s"] = round(now - t_ready / 1e9, 2)
                nxt = min(x for x in (t_end if not idle_done else math.inf,
                                      t_rss if "mem_after_wait_kib" not in res else math.inf))
                w._next(min(nxt, time.monotonic() + 0.5))
                if not floor.alive():
                    raise bl.BenchError("scanfloor poller exited early:\n" + floor.log_tail())
            res["mem_at_end_kib"] = status_mem(proc.pid)
            res["idle"] = {
                "seconds": round(secs, 2),
                "cpu_ms": round(c1h - c0h, 1),
                "cpu_pct": pct(c1h - c0h, secs * 1000),
                "on_cpu_ms": round((s1h - s0h) / 1e6, 1),
                "on_cpu_pct": pct((s1h - s0h) / 1e6, secs * 1000),
                "scans": len(scans),
                "scan_cpu_ms_sum": round(sum(s["scan_cpu_us"] for s in scans) / 1000, 1),
                "median_scan_cpu_ms": median([s["scan_cpu_us"] / 1000 for s in scans]),
                "median_scan_wall_ms": median([s["scan_wall_us"] / 1000 for s in scans]),
            }
            intervals = w.by_event("poll_interval")
            res["poll_interval_records"] = [{k: r.get(k) for k in ("interval_ms", "configured_ms", "scan_cpu_ms", "scan_wall_ms")}
                                            for r in intervals]
            res["effective_interval_ms"] = intervals[-1]["interval_ms"] if intervals else None
            res["scan_interval_ms"] = [s["interval_ms"] for s in scans]
            res["floor_poller"] = {
                "command": bl.placeholder_argv(floor.argv, {root: "TREE", self.scanfloor: "SCANFLOOR"}),
                "interval_ms": 500,
                "cpu_ms": round(c1f - c0f, 1),
                "cpu_pct": pct(c1f - c0f, secs * 1000),
            }
        finally:
            if floor is not None:
                floor.stop()
                try:
                    for line in open(floor.log_paths["stdout"]):
                        if line.startswith("{"):
                            res.setdefault("floor_poller", {})["summary"] = json.loads(line)
                except (OSError, ValueError):
                    pass
            self.stop(w, "idle")
        return res

    # -- 4 (+ 3 inotify). start-up ---------------------------------------------------------------

    def startup_hotpod(self, root, backend, keep_s):
        w = self.hotpod_proc(["--backend", backend])
        out = {}
        try:
            proc = w.start(root=root, build="true", delay_ms=None, cwd=self.cwd, log_dir=self.logs)
            t_ready = w.wait_ready(timeout=self.args.ready_timeout)
            out["ms"] = (t_ready - proc.started_ns) / 1e6
            out["mem_at_ready_kib"] = status_mem(proc.pid)
            c = bl.cpu_ticks_ms(proc.pid)
            out["cpu_at_ready_ms"] = {"user": c["user_ms"], "sys": c["sys_ms"]}
            out["preempted_at_ready"] = nonvoluntary(proc.pid)
            out.update(bl.fd_info(proc.pid))
            out["reports"] = {k: (w.ready_record or {}).get(k) for k in ("files", "directories", "backend")}
            out["command"] = bl.placeholder_argv(w.argv(root, "true", None), {root: "TREE", self.hotpod: "HOTPOD"})
            if keep_s:
                deadline = t_ready / 1e9 + keep_s
                while time.monotonic() < deadline:
                    w._next(deadline)
                out["mem_after_wait_kib"] = status_mem(proc.pid)
                out["mem_after_wait_at_s"] = round(time.monotonic() - t_ready / 1e9, 2)
        finally:
            self.stop(w, f"start-up {backend}")
        return out

    def startup_inotifywait(self, root):
        p = bl.Proc(["inotifywait", "-r", "-m", root], cwd=self.cwd, env=bl.clean_env(), log_dir=self.logs, name="inotifywait")
        out = {}
        try:
            deadline = time.monotonic() + self.args.ready_timeout
            while True:
                item = p.next_line(deadline)
                if item is None:
                    raise bl.BenchError("inotifywait: no 'Watches established.' in time:\n" + p.log_tail())
                t, stream, line = item
                if stream == "stderr" and line.strip() == "Watches established.":
                    break
            out["ms"] = (t - p.started_ns) / 1e6
            c = bl.cpu_ticks_ms(p.pid)
            out["cpu_at_ready_ms"] = {"user": c["user_ms"], "sys": c["sys_ms"]}
            out.update(bl.fd_info(p.pid))
            out["mem_at_ready_kib"] = status_mem(p.pid)
        finally:
            p.stop()
        return out

    def startup_case(self, root, files, dirs):
        a = self.args
        have_iw = shutil.which("inotifywait") is not None and not a.no_inotifywait
        sides = ["inotify", "poll", "floor"] + (["inotifywait"] if have_iw else [])
        res = {"files": files, "directories": dirs, "runs": a.startup_runs, "sides": {s: [] for s in sides}}
        if not have_iw:
            res["inotifywait_skipped"] = "--no-inotifywait" if a.no_inotifywait else "inotifywait not installed"
        for rnd in range(a.startup_runs):
            last = rnd == a.startup_runs - 1
            for side in self.rng.sample(sides, len(sides)):
                if side in ("inotify", "poll"):
                    r = self.startup_hotpod(root, side, a.rss_wait if (last and side == "inotify") else 0)
                elif side == "inotifywait":
                    r = self.startup_inotifywait(root)
                else:
                    walks, _ = run_floor(self.scanfloor, root, 1)
                    r = {"ms": walks[0]["wall_us"] / 1000, "cpu_ms": walks[0]["cpu_us"] / 1000}
                res["sides"][side].append(r)
        res["median_ms"] = {s: median([r["ms"] for r in v]) for s, v in res["sides"].items()}
        ino = res["sides"]["inotify"]
        res["inotify_watches"] = sorted({r.get("inotify_watches") for r in ino})
        res["hotpod_reports"] = ino[-1].get("reports")
        res["rss_inotify"] = {k: ino[-1].get(k) for k in ("mem_at_ready_kib", "mem_after_wait_kib", "mem_after_wait_at_s")}
        res["command"] = ino[-1].get("command")
        if have_iw:
            res["inotifywait_watches"] = sorted({r.get("inotify_watches") for r in res["sides"]["inotifywait"]})
            res["inotifywait_command"] = ["inotifywait", "-r", "-m", "TREE"]
        return res

    def strace_startup(self, root):
        """One inotify start-up under `strace -f -c`: which system calls take the time."""
        out_file = os.path.join(self.work, "strace.txt")
        argv = ["strace", "-f", "-c", "-o", out_file, self.hotpod, "run", "--root", root, "--backend", "inotify",
                "--build", "true", "--log-format", "json"]
        # LeakSanitizer stops the process's threads with ptrace at exit, which cannot work under
        # strace (make test-asan): only the leak check is off here, ASan's other checks stay on.
        env = bl.clean_env()
        env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "detect_leaks=0"]))
        p = bl.Proc(argv, cwd=self.cwd, env=env, log_dir=self.logs, name="strace")
        res = {"command": bl.placeholder_argv(argv, {root: "TREE", self.hotpod: "HOTPOD", out_file: "OUT"})}
        try:
            deadline = time.monotonic() + self.args.ready_timeout * 3
            while True:
                item = p.next_line(deadline)
                if item is None:
                    raise bl.BenchError("hotpod under strace: no watching record:\n" + p.log_tail())
                if item[1] == "stderr" and '"event":"watching"' in item[2]:
                    break
            res["ms_under_strace"] = (item[0] - p.started_ns) / 1e6
            # Stop hotpod itself (strace's child) by its PID; strace then writes the summary and exits.
            kids = []
            for tid in os.listdir(f"/proc/{p.pid}/task"):
                with open(f"/proc/{p.pid}/task/{tid}/children") as f:
                    kids += [int(x) for x in f.read().split()]
            for k in kids:
                os.kill(k, 15)
            t_end = time.monotonic() + 15
            while p.alive() and time.monotonic() < t_end:
                p.next_line(time.monotonic() + 0.2)
        finally:
            p.stop()
        rows = []
        try:
            with open(out_file) as f:
                for line in f:
                    parts = line.split()
                    # % time, seconds, usecs/call, calls, [errors], syscall
                    if len(parts) >= 5 and parts[0].replace(".", "").isdigit() and parts[-1] != "total":
                        errors = int(parts[4]) if len(parts) == 6 else 0
                        rows.append({"syscall": parts[-1], "pct_time": float(parts[0]), "seconds": float(parts[1]),
                                     "calls": int(parts[3]), "errors": errors})
        except OSError as e:
            raise bl.BenchError(f"no strace summary: {e}")
        res["syscalls"] = sorted(rows, key=lambda r: -r["seconds"])[:12]
        return res


def ensure_watches(need):
    """Raise fs.inotify.max_user_watches to `need` if lower (root only). Returns the old value to
    restore, or None when nothing was changed."""
    try:
        cur = int(bl._read(MAX_USER_WATCHES) or 0)
    except ValueError:
        return None
    if cur >= need:
        return None
    if os.geteuid() != 0:
        bl.eprint(f"scan: fs.inotify.max_user_watches={cur} < {need} and not root; inotify rows may fail")
        return None
    with open(MAX_USER_WATCHES, "w") as f:
        f.write(str(need))
    bl.eprint(f"scan: raised fs.inotify.max_user_watches {cur} → {need} for the run")
    return cur


# --------------------------------------------------------------------------------------------
# Verdicts and Markdown (also used by report.py)


def size_label(n):
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def mib(k):
    return None if k is None else k / 1024.0


def verdict(ok, applicable=True):
    if not applicable:
        return "n/a"
    return "–" if ok is None else ("met" if ok else "**missed**")


def goal_rows(res):
    """[(goal, measured, verdict, note)] for the issue's goals."""
    g = res["goals"]
    rows = []
    scan = res.get("scan") or []
    big = scan[-1] if scan else None
    at_target = lambda c: c is not None and c.get("files") == g["target_files"]  # noqa: E731
    tgt = f"{size_label(g['target_files'])} files"
    if big:
        rows.append((f"poll scan wall time ≤ {g['scan_ratio_max']:g} × floor ({tgt})",
                     f"{big['ratio_wall']:.2f} × ({big['hotpod']['median_wall_us'] / 1000:.0f} ms vs "
                     f"{big['floor']['median_wall_us'] / 1000:.0f} ms); CPU time {big['ratio_cpu']:.2f} ×",
                     verdict(big["ratio_wall"] <= g["scan_ratio_max"], at_target(big)), ""))
    if len(scan) >= 2:
        a, b = scan[-2], scan[-1]
        growth = b["hotpod"]["us_per_file"] / a["hotpod"]["us_per_file"]
        fgrowth = b["floor"]["us_per_file"] / a["floor"]["us_per_file"]
        rows.append((f"scan linear in files: µs/file from {size_label(a['files'])} to {size_label(b['files'])} grows "
                     f"≤ {g['linear_growth_max']:g} × as much as the floor's",
                     f"hotpod {a['hotpod']['us_per_file']:.2f} → {b['hotpod']['us_per_file']:.2f} µs/file "
                     f"({growth:.2f} ×), floor {a['floor']['us_per_file']:.2f} → {b['floor']['us_per_file']:.2f} "
                     f"({fgrowth:.2f} ×): {growth / fgrowth:.2f}",
                     verdict(growth / fgrowth <= g["linear_growth_max"], at_target(b)), ""))
    idle = res.get("idle")
    if idle and idle.get("idle"):
        rows.append((f"idle CPU, poll, default budget ≤ {g['idle_cpu_pct_max']:g} % of a core ({tgt})",
                     f"{idle['idle']['cpu_pct']:.2f} % (interval {bl.fmt(idle.get('effective_interval_ms'))} ms)",
                     verdict(idle["idle"]["cpu_pct"] <= g["idle_cpu_pct_max"], at_target(idle)), ""))
    if idle and idle.get("mem_at_ready_kib"):
        worst = max(x.get("VmHWM") or 0 for x in (idle["mem_at_ready_kib"], idle.get("mem_after_wait_kib") or {},
                                                   idle.get("mem_at_end_kib") or {}))
        rows.append((f"RSS, poll ≤ {g['rss_poll_mib_max']:g} MiB ({tgt})",
                     f"VmHWM {mib(worst):.1f} MiB",
                     verdict(mib(worst) <= g["rss_poll_mib_max"], at_target(idle)), ""))
    st = res.get("startup")
    if st and st.get("rss_inotify", {}).get("mem_at_ready_kib"):
        r = st["rss_inotify"]
        worst = max(x.get("VmHWM") or 0 for x in (r["mem_at_ready_kib"], r.get("mem_after_wait_kib") or {}))
        rows.append((f"RSS, inotify ≤ {g['rss_inotify_mib_max']:g} MiB ({tgt})", f"VmHWM {mib(worst):.1f} MiB",
                     verdict(mib(worst) <= g["rss_inotify_mib_max"], at_target(st)), ""))
    if st and st["median_ms"].get("inotify") is not None:
        rows.append((f"inotify start-up ≤ {g['startup_ms_max']:g} ms ({tgt})",
                     f"{st['median_ms']['inotify']:.0f} ms (median of {len(st['sides']['inotify'])})",
                     verdict(st["median_ms"]["inotify"] <= g["startup_ms_max"], at_target(st)), ""))
        w = st["inotify_watches"]
        one = len(w) == 1 and w[0] == st["directories"]
        rows.append(("one inotify watch per directory", f"{', '.join(map(str, w))} watches for {st['directories']} directories",
                     verdict(one), ""))
    return rows


def markdown_goals(res):
    lines = ["| goal | measured | verdict |", "|---|---|---|"]
    for goal, measured, v, _ in goal_rows(res):
        lines.append(f"| {goal} | {measured} | {v} |")
    if any(v == "n/a" for _, _, v, _ in goal_rows(res)):
        lines.append("")
        lines.append(f"n/a: measured at a size other than {res['goals']['target_files']} files (a smoke run).")
    return "\n".join(lines)


def markdown_scan(res):
    lines = [
        "| files | dirs | scans (hotpod / floor) | hotpod wall ms (median) | floor wall ms (median) | ratio wall | "
        "hotpod CPU ms | floor CPU ms | ratio CPU | ratio of minima (wall) | hotpod µs/file | floor µs/file | "
        "preempted per scan (hotpod / floor) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in res.get("scan") or []:
        h, f = c["hotpod"], c["floor"]
        lines.append(
            f"| {c['files']} | {c['directories']} | {h['n']} / {f['n']} | {h['median_wall_us'] / 1000:.2f} | "
            f"{f['median_wall_us'] / 1000:.2f} | {c['ratio_wall']:.2f} | {h['median_cpu_us'] / 1000:.2f} | "
            f"{f['median_cpu_us'] / 1000:.2f} | {c['ratio_cpu']:.2f} | {c['ratio_min_wall']:.2f} | "
            f"{h['us_per_file']:.2f} | {f['us_per_file']:.2f} | {bl.fmt(h.get('median_preempted'))} / "
            f"{bl.fmt(f.get('median_preempted'))} |"
        )
    lines.append("")
    lines.append("µs/file: median wall time / files. Preempted: median number of involuntary context switches per "
                 "scan (hotpod: from one `poll_scan` record to the next, from `/proc/PID/task/*/status`; floor: "
                 "`getrusage` around the walk) — other load on the machine taking the CPU away, the usual reason "
                 "for wall > CPU.")
    return "\n".join(lines)


def markdown_idle(res):
    i = res.get("idle")
    if not i or not i.get("idle"):
        return "(not measured)"
    d, fp = i["idle"], i.get("floor_poller") or {}
    lines = [
        "| row | interval | CPU % of a core (utime+stime) | on-CPU % (schedstat) | scans in the window | median scan CPU ms |",
        "|---|---:|---:|---:|---:|---:|",
        f"| hotpod, poll, default budget | {bl.fmt(i.get('effective_interval_ms'))} ms (configured "
        f"{bl.fmt((i.get('poll_interval_records') or [{}])[-1].get('configured_ms'))} ms) | {d['cpu_pct']:.2f} | "
        f"{bl.fmt(d['on_cpu_pct'])} | {d['scans']} | {bl.fmt(d['median_scan_cpu_ms'], 1)} |",
        f"| naive poller: scanfloor, walk + sleep 500 ms | 500 ms | {bl.fmt(fp.get('cpu_pct'))} | – | "
        f"{bl.fmt((fp.get('summary') or {}).get('walks'))} (whole run) | – |",
    ]
    return "\n".join(lines)


def markdown_rss(res):
    lines = ["| backend | files | dirs | VmRSS at `watching` | VmHWM at `watching` | VmRSS after wait | VmHWM after wait | "
             "RssAnon after wait | RssFile after wait |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    rows = []
    i = res.get("idle")
    if i and i.get("mem_at_ready_kib"):
        rows.append(("poll", i["files"], i["directories"], i["mem_at_ready_kib"], i.get("mem_after_wait_kib") or {},
                     i.get("mem_after_wait_at_s")))
    st = res.get("startup")
    if st and st.get("rss_inotify", {}).get("mem_at_ready_kib"):
        r = st["rss_inotify"]
        rows.append(("inotify", st["files"], st["directories"], r["mem_at_ready_kib"], r.get("mem_after_wait_kib") or {},
                     r.get("mem_after_wait_at_s")))
    for name, files, dirs, a, b, at in rows:
        m = lambda v: bl.fmt(mib(v), 1)  # noqa: E731
        lines.append(f"| {name} | {files} | {dirs} | {m(a.get('VmRSS'))} | {m(a.get('VmHWM'))} | {m(b.get('VmRSS'))} | "
                     f"{m(b.get('VmHWM'))} | {m(b.get('RssAnon'))} | {m(b.get('RssFile'))} |")
    lines.append("")
    lines.append(f"MiB. \"after wait\": {res['params']['rss_wait_s']:g} s after the `watching` record. RssFile is the "
                 "mapped binary and shared libraries (shared with other processes); RssAnon is hotpod's own heap and stacks.")
    return "\n".join(lines)


def markdown_startup(res):
    st = res.get("startup")
    if not st:
        return "(not measured)"
    names = {"inotify": "hotpod --backend inotify", "poll": "hotpod --backend poll (scan only, no watches)",
             "inotifywait": "inotifywait -r -m", "floor": "scanfloor, one walk (no process start)"}
    lines = ["| what | runs | median ms | min ms | max ms | CPU at ready: user / sys ms | inotify watches |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for side in ("inotify", "poll", "inotifywait", "floor"):
        v = st["sides"].get(side)
        if not v:
            continue
        ms = [r["ms"] for r in v]
        cpu = v[-1].get("cpu_at_ready_ms")
        cpu_s = f"{cpu['user']:.0f} / {cpu['sys']:.0f}" if cpu else "–"
        if side == "floor":
            cpu_s = f"{v[-1]['cpu_ms']:.0f} (user + sys)"
        watches = sorted({r.get("inotify_watches") for r in v}) if side != "floor" else []
        lines.append(f"| {names[side]} | {len(v)} | {median(ms):.0f} | {min(ms):.0f} | {max(ms):.0f} | {cpu_s} | "
                     f"{', '.join(map(str, watches)) or '–'} |")
    if st.get("inotifywait_skipped"):
        lines.append(f"| inotifywait -r -m | skipped: {st['inotifywait_skipped']} | | | | | |")
    return "\n".join(lines)


def markdown_strace(res):
    d = res.get("strace")
    if not d or not d.get("syscalls"):
        return ""
    lines = [f"One inotify start-up under `strace -f -c` (took {d['ms_under_strace']:.0f} ms under strace; times are "
             "inflated by tracing, counts are exact):", "",
             "| syscall | calls | errors | seconds | % of syscall time |", "|---|---:|---:|---:|---:|"]
    for r in d["syscalls"]:
        lines.append(f"| {r['syscall']} | {r['calls']} | {r['errors']} | {r['seconds']:.3f} | {r['pct_time']:.1f} |")
    return "\n".join(lines)


def markdown(res):
    return "\n\n".join(x for x in (markdown_goals(res), markdown_scan(res), markdown_idle(res), markdown_rss(res),
                                   markdown_startup(res), markdown_strace(res)) if x)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hotpod", required=True)
    ap.add_argument("--scanfloor", required=True, help="path to the compiled bench/scanfloor.c")
    ap.add_argument("--sizes", default="1000,10000,100000", help="tree sizes (files), comma-separated; "
                    "idle, RSS and start-up run at the largest")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds of the scan comparison")
    ap.add_argument("--scans-per-round", type=int, default=4)
    ap.add_argument("--idle", type=float, default=60.0, help="idle CPU window, seconds")
    ap.add_argument("--rss-wait", type=float, default=10.0, help="second RSS reading, seconds after `watching`")
    ap.add_argument("--startup-runs", type=int, default=5)
    ap.add_argument("--ready-timeout", type=float, default=120.0)
    ap.add_argument("--no-inotifywait", action="store_true")
    ap.add_argument("--no-strace", action="store_true", help="skip the strace -c diagnostic start-up")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "scan.json"))
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if min(args.rounds, args.scans_per_round, args.startup_runs) < 1 or args.idle <= 0 or args.rss_wait < 0:
        ap.error("--rounds, --scans-per-round, --startup-runs >= 1; --idle > 0; --rss-wait >= 0")
    for name in ("hotpod", "scanfloor"):
        p = os.path.abspath(getattr(args, name))
        if not os.access(p, os.X_OK):
            ap.error(f"not executable: {p}")
        setattr(args, name + "_abs", p)
    sizes = sorted(int(x) for x in args.sizes.split(",") if x.strip())

    bl.install_signal_handlers()
    work = bl.make_tempdir("hotpod-bench-scan-")
    results = {
        "benchmark": "scan",
        "generated_at": bl.now_utc(),
        "machine": bl.machine_info(work, args.hotpod_abs),
        "params": {"sizes": sizes, "files_per_dir": FILES_PER_DIR, "rounds": args.rounds,
                   "scans_per_round": args.scans_per_round, "idle_s": args.idle, "rss_wait_s": args.rss_wait,
                   "startup_runs": args.startup_runs, "page_cache": "warm (trees just generated, one warm-up walk)"},
        "goals": GOALS,
        "scan": [],
        "errors": [],
    }
    bench = Bench(args, work)
    restore = None
    ok = True
    t_all = time.monotonic()
    try:
        restore = ensure_watches(2 * (max(sizes) // FILES_PER_DIR + 1) + 1024)
        results["params"]["max_user_watches_raised_from"] = restore
        for n in sizes:
            root = os.path.join(work, f"tree-{n}")
            t0 = time.monotonic()
            files, dirs = make_tree(root, n)
            gen_s = round(time.monotonic() - t0, 2)
            bl.eprint(f"scan: {files} files / {dirs} dirs generated in {gen_s} s")
            try:
                c = bench.scan_case(n, root, files, dirs)
                c["generate_s"] = gen_s
                results["scan"].append(c)
                if n == sizes[-1]:
                    bl.eprint("scan: idle CPU and RSS (poll)")
                    results["idle"] = bench.idle_case(root, files, dirs)
                    bl.eprint("scan: start-up (inotify)")
                    results["startup"] = bench.startup_case(root, files, dirs)
                    if not args.no_strace and shutil.which("strace"):
                        try:
                            results["strace"] = bench.strace_startup(root)
                        except (bl.BenchError, OSError) as e:  # a diagnostic only
                            results["strace"] = {"error": str(e).splitlines()[0]}
            except bl.BenchError as e:
                results["errors"].append(f"{n} files: {e}")
                ok = False
            finally:
                shutil.rmtree(root, ignore_errors=True)
        results["errors"] += bench.errors
        ok = ok and not bench.errors
        results["params"]["wall_s"] = round(time.monotonic() - t_all, 1)
        results["machine"]["loadavg_at_end"] = bl._read("/proc/loadavg")
        bl.write_json(args.out, results)
        print(markdown(results))
        for e in results["errors"]:
            bl.eprint(f"scan: {e.splitlines()[0]}")
    finally:
        if restore is not None:
            with open(MAX_USER_WATCHES, "w") as f:
                f.write(str(restore))
            bl.eprint(f"scan: restored fs.inotify.max_user_watches={restore}")
        if args.keep:
            bl.eprint(f"scan: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
