#!/usr/bin/env python3
"""hotpod's memory and CPU while watching, and its start-up time.

Cases: a copy of examples/gin-app, and generated trees of 1k, 10k and 100k files (100 files per
directory). For each: start `hotpod run --root TREE --build true --log-format json` (no app) from
an empty directory, measure the time from spawn to the `watching` record (median of
--startup-runs starts), then, in the last start, let the start-up build pass, stay idle for
--idle seconds and read /proc/PID: VmRSS, VmHWM, CPU time (utime+stime), on-CPU ns and context
switches (wake-ups) during the idle period, threads, fds and inotify watches. Finally one file is
changed and the bench waits for the build, to check that the watch works at that size.

Output: a Markdown table on stdout, JSON in --out (default bench/results/rss.json).
Exit status: 1 if a case failed (hotpod did not start, died, or missed the change), else 0.
"""

import argparse
import os
import shutil
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
EXTS = ["go", "c", "h", "txt", "json"]


def make_tree(root, n_files, per_dir=100):
    """n_files files, per_dir per leaf directory, leaves grouped 10 per parent: m000/d0/f000.go.
    Returns (files, directories incl. root, path of one file to change)."""
    n_dirs = (n_files + per_dir - 1) // per_dir
    made = 0
    dirs = {root}
    for d in range(n_dirs):
        parent = os.path.join(root, f"m{d // 10:03d}")
        leaf = os.path.join(parent, f"d{d % 10}")
        os.makedirs(leaf)
        dirs.update((parent, leaf))
        for i in range(min(per_dir, n_files - made)):
            with open(os.path.join(leaf, f"f{i:03d}.{EXTS[i % len(EXTS)]}"), "w") as f:
                f.write(f"// generated file {d}/{i}\npackage m{d}\n\nvar x{i} = {i}\n")
            made += 1
    return made, len(dirs), os.path.join(root, "m000", "d0", "f000.go")


def count_tree(root):
    files = dirs = 0
    for _, dn, fn in os.walk(root):
        dirs += 1
        files += len(fn)
    return files, dirs


def measure(hotpod, case, root, change_path, args, work):
    logs = os.path.join(work, "logs-" + case["name"])
    cwd = os.path.join(work, "cwd")  # empty: no hotpod.yaml
    os.makedirs(logs, exist_ok=True)
    os.makedirs(cwd, exist_ok=True)
    startup_ms = []
    res = case
    res["errors"] = []
    for run in range(args.startup_runs):
        last = run == args.startup_runs - 1
        w = bl.HotpodRun(hotpod)
        try:
            proc = w.start(root=root, build="true", delay_ms=None, cwd=cwd, log_dir=logs)
            res["command"] = bl.placeholder_argv(w.argv(root, "true", None), {root: "TREE", hotpod: "HOTPOD"})
            t_ready = w.wait_ready(timeout=args.ready_timeout)
            startup_ms.append((t_ready - proc.started_ns) / 1e6)
            if not last:
                continue
            pid = proc.pid
            res["startup_cpu_ms"] = bl.cpu_ticks_ms(pid)  # 10 ms ticks
            res["startup_on_cpu_ms"] = round(bl.sched_ns(pid) / 1e6, 2)  # ns resolution, live threads
            rec = w.ready_record or {}
            res["hotpod_reports"] = {"files": rec.get("files"), "directories": rec.get("directories"), "backend": rec.get("backend")}
            # Let the start-up build and anything else settle, then idle.
            w.settle(quiet_s=0.5, timeout=60)
            st0 = bl.proc_status(pid)
            cpu0, sch0, ctx0 = bl.cpu_ticks_ms(pid), bl.sched_ns(pid), bl.ctxt_switches(pid)
            t0 = time.monotonic()
            rss_max = bl.kib(st0.get("VmRSS"))
            lines_during_idle = 0
            while time.monotonic() - t0 < args.idle:
                item = w._next(min(time.monotonic() + 0.25, t0 + args.idle))
                if item is not None:
                    lines_during_idle += 1
                rss_max = max(rss_max, bl.kib(bl.proc_status(pid).get("VmRSS")))
            idle_s = time.monotonic() - t0
            st1 = bl.proc_status(pid)
            cpu1, sch1, ctx1 = bl.cpu_ticks_ms(pid), bl.sched_ns(pid), bl.ctxt_switches(pid)
            res["idle"] = {
                "seconds": round(idle_s, 2),
                "cpu_ms": round(cpu1["user_ms"] + cpu1["sys_ms"] - cpu0["user_ms"] - cpu0["sys_ms"], 1),
                "on_cpu_ms": round((sch1 - sch0) / 1e6, 3),
                "wakeups": ctx1 - ctx0,
                "log_lines": lines_during_idle,
            }
            res["vmrss_kib"] = bl.kib(st1.get("VmRSS"))
            res["vmrss_max_idle_kib"] = rss_max
            res["vmhwm_kib"] = bl.kib(st1.get("VmHWM"))
            res["threads"] = int(st1.get("Threads", 0))
            res.update(bl.fd_info(pid))
            # One change: the watch must still work at this size.
            with open(change_path, "a") as f:
                f.write("// changed by bench/rss.py\n")
            t_change = bl.mono_ns()
            t_built = w.wait_build(timeout=30)
            if t_built is None:
                res["errors"].append(f"no build within 30 s after changing {os.path.relpath(change_path, root)}")
            else:
                res["change_to_build_finished_ms"] = round((t_built - t_change) / 1e6, 1)
                st2 = bl.proc_status(pid)
                res["vmrss_after_build_kib"] = bl.kib(st2.get("VmRSS"))
                res["vmhwm_after_build_kib"] = bl.kib(st2.get("VmHWM"))
            res["total_cpu_ms"] = bl.cpu_ticks_ms(pid)
        except bl.BenchError as e:
            res["errors"].append(str(e))
            break
        finally:
            code = w.stop()
            if w.stopped_by_us and code not in (0, None):
                res["errors"].append(f"hotpod exited with {code} on SIGTERM (expected 0)")
            if w.leftovers:
                res["errors"].append(f"hotpod left {w.leftovers} in its TMPDIR after SIGTERM")
    res["startup_ms_runs"] = [round(x, 2) for x in startup_ms]
    res["startup_ms"] = round(statistics.median(startup_ms), 2) if startup_ms else None
    exp_files, exp_dirs = res.get("files"), res.get("directories")  # what the bench created
    rep = res.get("hotpod_reports") or {}
    res["notes"] = []
    if rep.get("directories") is not None and res.get("inotify_watches") is not None:
        if res["inotify_watches"] != rep["directories"]:
            res["notes"].append(f"{res['inotify_watches']} inotify watches for {rep['directories']} directories reported")
    if rep.get("files") is not None and exp_files is not None and rep["files"] != exp_files:
        res["notes"].append(f"hotpod reports {rep['files']} files, the tree has {exp_files}")
    if rep.get("directories") is not None and exp_dirs is not None and rep["directories"] != exp_dirs:
        res["notes"].append(f"hotpod reports {rep['directories']} directories, the tree has {exp_dirs}")
    if res["errors"]:
        for line in res["errors"][:5]:
            bl.eprint(f"rss: {case['name']}: {line}")
    return res


def mib(k):
    return None if k is None else k / 1024.0


def markdown(results):
    lines = [
        "| case | files | dirs | watches | start-up ms (median) | CPU ms at ready | VmRSS MiB | VmHWM MiB | idle CPU ms | idle wake-ups/s | threads |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in results["cases"]:
        idle = c.get("idle") or {}
        scpu = c.get("startup_on_cpu_ms")
        wps = idle["wakeups"] / idle["seconds"] if idle.get("seconds") else None
        rep = c.get("hotpod_reports") or {}
        lines.append(
            f"| {c['name']} | {bl.fmt(rep.get('files', c.get('files')))} | {bl.fmt(rep.get('directories', c.get('directories')))} | "
            f"{bl.fmt(c.get('inotify_watches'))} | {bl.fmt(c.get('startup_ms'), 1)} | {bl.fmt(scpu, 1)} | "
            f"{bl.fmt(mib(c.get('vmrss_kib')), 1)} | {bl.fmt(mib(c.get('vmhwm_kib')), 1)} | "
            f"{bl.fmt(idle.get('on_cpu_ms'), 2)} | {bl.fmt(wps, 1)} | {bl.fmt(c.get('threads'))} |"
        )
    idle_s = results["params"]["idle_s"]
    lines.append("")
    lines.append(
        f"files/dirs: as reported in hotpod's `watching` record. Start-up: spawn to the `watching` record; "
        f"CPU ms at ready: hotpod's on-CPU time, read just after that record (may include forking the start-up build). "
        f"Memory from /proc/PID/status after {idle_s:g} s idle; idle CPU = on-CPU time of all threads during those "
        f"{idle_s:g} s; wake-ups = context switches per second."
    )
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hotpod", required=True)
    ap.add_argument("--sizes", default="1000,10000,100000", help="generated tree sizes (files), comma-separated")
    ap.add_argument("--idle", type=float, default=10.0, help="idle seconds per case")
    ap.add_argument("--startup-runs", type=int, default=3)
    ap.add_argument("--ready-timeout", type=float, default=120.0)
    ap.add_argument("--no-gin", action="store_true", help="skip the examples/gin-app case")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "rss.json"))
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if args.startup_runs < 1 or args.idle <= 0:
        ap.error("--startup-runs >= 1 and --idle > 0")
    hotpod = os.path.abspath(args.hotpod)
    if not os.access(hotpod, os.X_OK):
        ap.error(f"not executable: {hotpod}")
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]

    bl.install_signal_handlers()
    work = bl.make_tempdir("hotpod-bench-rss-")
    results = {
        "benchmark": "rss",
        "generated_at": bl.now_utc(),
        "machine": bl.machine_info(work, hotpod),
        "params": {"idle_s": args.idle, "startup_runs": args.startup_runs, "files_per_dir": 100, "sizes": sizes},
        "cases": [],
    }
    ok = True
    try:
        if not args.no_gin:
            src = os.path.join(REPO, "examples", "gin-app")
            root = os.path.join(work, "gin-app")
            # As in a fresh checkout: without .hotpod/ (the example's gitignored build output).
            shutil.copytree(src, root, symlinks=True, ignore=shutil.ignore_patterns(".hotpod"))
            files, dirs = count_tree(root)
            case = {"name": "examples/gin-app", "files": files, "directories": dirs}
            r = measure(hotpod, case, root, os.path.join(root, "handlers.go"), args, work)
            results["cases"].append(r)
            ok = ok and not r["errors"]
            shutil.rmtree(root, ignore_errors=True)
        for n in sizes:
            root = os.path.join(work, f"tree-{n}")
            t0 = time.monotonic()
            files, dirs, change = make_tree(root, n)
            case = {"name": f"{n // 1000}k files" if n % 1000 == 0 else f"{n} files", "files": files,
                    "directories": dirs, "generate_s": round(time.monotonic() - t0, 2)}
            r = measure(hotpod, case, root, change, args, work)
            results["cases"].append(r)
            ok = ok and not r["errors"]
            shutil.rmtree(root, ignore_errors=True)
        results["machine"]["loadavg_at_end"] = bl._read("/proc/loadavg")
        bl.write_json(args.out, results)
        print(markdown(results))
    finally:
        if args.keep:
            bl.eprint(f"rss: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
