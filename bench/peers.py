#!/usr/bin/env python3
"""hotpod against its peers (issue 7), workloads 2-7. Latency (workload 1) is bench/latency.py.

    peers.py WORKLOAD --hotpod HOTPOD --stamp STAMP [options] --out FILE.json

Workloads:
  cost     idle CPU % and RSS of every tool (hotpod, reflex, entr, nodemon, chokidar, the
           inotifywait loop; inotify and polling) on generated trees of --sizes files over --idle
           seconds, and start-up: the time until the first change would be seen.
  storms   `tar x` of --tar-files files, and `git checkout` between two branches of a generated
           repository, inside the watched tree: how many runs each tool triggers, and whether
           the final state was ever built (a run that started after the storm's last write).
  overlay  writes to an overlayfs lower layer (needs root and `mount -t overlay`; skipped loudly
           otherwise): which tools see them.
  e2e      save → the Gin example (examples/gin-app) answers with the new text: hotpod vs
           reflex and nodemon driving the same `go build && ./app`.
  soak     --reloads reloads (rebuild + app restart) of hotpod: RSS growth, fds, zombies.

Every tool runs `STAMP OUT -` (bench/stamp.c) as its command; peers pass its output line through
(see benchlib.StampWatcher). Every process is started in its own session and stopped by PID.
Exit status: 1 if a hotpod measurement failed (a peer's failure is a result, recorded in the
JSON), 2 bad usage.
"""

import argparse
import calendar
import ctypes
import io
import json
import os
import random
import select
import shutil
import statistics
import subprocess
import sys
import tarfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402
from e2e_wait import OldApp  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
MAX_USER_WATCHES = "/proc/sys/fs/inotify/max_user_watches"



def make_tree(root, n_files, per_dir=100):
    """Like rss.py: n_files files, per_dir per leaf directory; plus probe.txt at the root."""
    os.makedirs(root, exist_ok=True)
    exts = ["go", "c", "h", "txt", "json"]
    n_dirs = (n_files + per_dir - 1) // per_dir
    made = 0
    for d in range(n_dirs):
        leaf = os.path.join(root, f"m{d // 10:03d}", f"d{d % 10}")
        os.makedirs(leaf)
        for i in range(min(per_dir, n_files - made)):
            with open(os.path.join(leaf, f"f{i:03d}.{exts[i % len(exts)]}"), "w") as f:
                f.write(f"package m{d}\n\nvar x{i} = {i}\n")
            made += 1
    probe = os.path.join(root, "probe.txt")
    with open(probe, "w") as f:
        f.write("probe\n")
    return probe


class Raised:
    """Raise fs.inotify.max_user_watches for the run (root only), restore afterwards."""

    def __init__(self, want):
        self.want, self.old = want, None

    def __enter__(self):
        try:
            with open(MAX_USER_WATCHES) as f:
                cur = int(f.read())
            if cur < self.want and os.geteuid() == 0:
                with open(MAX_USER_WATCHES, "w") as f:
                    f.write(str(self.want))
                self.old = cur
        except OSError as e:
            bl.eprint(f"peers: could not raise max_user_watches: {e}")
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            with open(MAX_USER_WATCHES, "w") as f:
                f.write(str(self.old))


def specs_for(args, backends=("inotify", "poll")):
    out = []
    for s in bl.tool_specs(args.hotpod, backends=backends, floor=True):
        if args.only and s.key not in args.only:
            continue
        if args.no_peers and s.tool not in ("hotpod",):
            continue
        out.append(s)
    return out


def cmd_of(w, root, build, delay, mapping):
    m = dict(mapping)
    m[bl.NPM_PREFIX + "/node_modules/.bin/"] = ""
    return bl.placeholder_argv(w.argv(root, build, delay), m)


def stop_all(ws):
    for w in ws:
        try:
            w.stop()
        except Exception as e:  # noqa: BLE001 - stopping must go on
            bl.eprint(f"peers: stopping {getattr(w, 'spec', w).key}: {e}")


def ready(w, spec, root, build, cwd, logs, probe, timeout):
    """Start w and wait until it watches. Returns dict with spawn→ready-line (hotpod,
    inotifywait) and the probe bounds: the first write that made the tool run its command, and the
    write before it (the watch was established between the two)."""
    proc = w.start(root=root, build=build, delay_ms=spec.delay_ms, cwd=cwd, log_dir=logs)
    t_spawn = proc.started_ns
    out = {}
    if not isinstance(w, bl.StampWatcher):
        t = w.wait_ready(timeout)
        out["ready_line_ms"] = (t - t_spawn) / 1e6
        if w.name == "hotpod" and w.ready_record:
            out["backend"] = w.ready_record.get("backend")
        # hotpod builds once at start-up; the inotifywait loop never does.
        w.settle(quiet_s=max(0.3, spec.effective_ms / 1000 + 0.2), timeout=timeout)
        return out
    # Peers: probe. period = the tool's quiet time + 150 ms (the bound's resolution).
    period = max(spec.effective_ms, w.effective_delay_ms) / 1000.0 + 0.15
    deadline = time.monotonic() + timeout
    n = 0
    prev = t_spawn
    while time.monotonic() < deadline:
        n += 1
        with open(probe, "a") as f:
            f.write(f"probe {n}\n")
        t_write = bl.mono_ns()
        end = min(deadline, time.monotonic() + period)
        while time.monotonic() < end:
            if w.wait_build(max(0.01, end - time.monotonic())) is None:
                break
            if getattr(w, "last_stamp_ns", 0) >= t_write:
                out["probe_ms"] = (t_write - t_spawn) / 1e6
                out["probe_lower_ms"] = (prev - t_spawn) / 1e6
                out["probes"] = n
                w.settle(quiet_s=period, timeout=timeout)
                return out
        prev = t_write
    raise bl.BenchError(f"{spec.label}: did not run its command after {n} probe writes in {timeout:.0f} s:\n"
                        f"{w.proc.log_tail('stdout')}\n{w.proc.log_tail()}")


# --------------------------------------------------------------------------------------------
# cost: idle CPU and RSS, start-up


def hotpod_first_change(w, spec, probe, timeout):
    """For hotpod (which has a ready line), the same probe bound as the peers get: the first
    probe write after `watching` runs the build (checked, not assumed)."""
    with open(probe, "a") as f:
        f.write("probe after watching\n")
    t = bl.mono_ns()
    done = w.wait_build(timeout)
    return None if done is None else t


def cost(args, work, results):
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    results["params"].update({"sizes": sizes, "idle_s": args.idle, "files_per_dir": 100})
    results["cases"] = []
    ok = True
    for n in sizes:
        root = os.path.join(work, f"tree-{n}")
        probe = make_tree(root, n)
        case = {"files": n, "directories": len({os.path.dirname(p) for p in [root]}) , "startup": [], "idle": []}
        out = os.path.join(work, f"stamps-{n}.txt")
        build = f"{args.stamp} {out}"
        specs = [s for s in specs_for(args) if s.key != "hotpod-d0" and s.key != "chokidar-d0" and s.key != "chokidar-p-d0"]
        # Start-up: one tool at a time, alone on the machine (as far as this bench goes).
        for spec in specs:
            if not spec.available():
                case["startup"].append({"key": spec.key, "label": spec.label, "skipped": f"{spec.tool} not installed"})
                continue
            logs = os.path.join(work, f"logs-start-{n}-{spec.key}")
            os.makedirs(logs)
            w = spec.make()
            row = {"key": spec.key, "label": spec.label, "backend": spec.backend, "config": spec.config,
                   "command": cmd_of(w, root, "STAMP OUT", spec.delay_ms, {root: "TREE", args.hotpod: "HOTPOD"})}
            try:
                r = ready(w, spec, root, build, work, logs, probe, args.ready_timeout)
                row.update(r)
                if "ready_line_ms" in r:
                    t = hotpod_first_change(w, spec, probe, 30) if w.name == "hotpod" else None
                    row["first_change_ms"] = r["ready_line_ms"]
                    if w.name == "hotpod" and t is None:
                        row["errors"] = ["hotpod missed the first write after `watching`"]
                else:
                    row["first_change_ms"] = r["probe_ms"]
                row["usage_at_ready"] = bl.tree_usage(w.proc.pid)
            except bl.BenchError as e:
                row["errors"] = [str(e).splitlines()[0]]
                bl.eprint(f"cost: {n} files: {spec.label}: {str(e).splitlines()[0]}")
                if spec.tool == "hotpod":
                    ok = False
            finally:
                w.stop()
            case["startup"].append(row)
        # Idle: all tools at once, on the same tree (nothing changes, so they do not meet).
        ws = []
        try:
            for spec in specs:
                if not spec.available():
                    continue
                logs = os.path.join(work, f"logs-idle-{n}-{spec.key}")
                os.makedirs(logs)
                w = spec.make()
                row = {"key": spec.key, "label": spec.label, "backend": spec.backend, "config": spec.config}
                try:
                    ready(w, spec, root, build, work, logs, probe, args.ready_timeout)
                    ws.append((w, row))
                except bl.BenchError as e:
                    row["errors"] = [str(e).splitlines()[0]]
                    w.stop()
                    if spec.tool == "hotpod":
                        ok = False
                case["idle"].append(row)
            # Every tool ran its command on the other tools' probes; let them all settle.
            for w, _ in ws:
                try:
                    w.settle(quiet_s=0.5 + max(w.spec.effective_ms, getattr(w, "effective_delay_ms", 0)) / 1000, timeout=60)
                except bl.BenchError as e:
                    bl.eprint(f"cost: settle {w.spec.label}: {e}")
            u0 = {w.spec.key: bl.tree_usage(w.proc.pid) for w, _ in ws}
            runs0 = {w.spec.key: w.builds_started for w, _ in ws}
            t0 = time.monotonic()
            peak = {k: v["rss_kib"] for k, v in u0.items()}
            while time.monotonic() - t0 < args.idle:
                # Drain the tools' output (they should print nothing) and track peak RSS: a
                # measurement period, not a synchronisation.
                for w, _ in ws:
                    w.proc._read_ready(0)
                    while w.proc.pending:
                        t, stream, line = w.proc.pending.popleft()
                        w._parse(stream, line) if isinstance(w, bl.StampWatcher) else None
                time.sleep(min(1.0, max(0.0, args.idle - (time.monotonic() - t0))))
                for w, _ in ws:
                    peak[w.spec.key] = max(peak[w.spec.key], bl.tree_usage(w.proc.pid)["rss_kib"])
            secs = time.monotonic() - t0
            for w, row in ws:
                u1 = bl.tree_usage(w.proc.pid)
                k = w.spec.key
                row.update({"seconds": round(secs, 2), "cpu_ms": round(u1["cpu_ms"] - u0[k]["cpu_ms"], 1),
                            "cpu_pct": round(100 * (u1["cpu_ms"] - u0[k]["cpu_ms"]) / 1000 / secs, 3),
                            "rss_kib": u1["rss_kib"], "rss_peak_kib": peak[k], "procs": u1["procs"],
                            "runs_while_idle": w.builds_started - runs0[k]})
                try:
                    row.update(bl.tree_fd_info(w.proc.pid))
                except OSError:
                    pass
        finally:
            stop_all([w for w, _ in ws])
        case["directories"] = sum(1 for _ in os.walk(root))
        results["cases"].append(case)
        shutil.rmtree(root, ignore_errors=True)
    return ok


# --------------------------------------------------------------------------------------------
# storms


def make_tarball(path, n_files, per_dir=100):
    with tarfile.open(path, "w") as tar:
        for i in range(n_files):
            data = f"package s{i // per_dir}\n\nvar v{i} = {i}\n".encode()
            ti = tarfile.TarInfo(f"vendor/s{i // per_dir:03d}/f{i % per_dir:03d}.go")
            ti.size = len(data)
            ti.mtime = int(time.time())
            tar.addfile(ti, io.BytesIO(data))


def git(cwd, *a):
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", "-c", "init.defaultBranch=a", *a],
                   cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_repo(path, n_files):
    """Branch a: n_files files; branch b: a third modified, a tenth removed, a tenth added."""
    os.makedirs(path)
    git(path, "init", "-q")
    for i in range(n_files):
        d = os.path.join(path, f"pkg{i // 100:03d}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"f{i % 100:03d}.go"), "w") as f:
            f.write(f"package p\n\nvar a{i} = {i}\n")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "a")
    git(path, "checkout", "-q", "-b", "b")
    for i in range(n_files):
        p = os.path.join(path, f"pkg{i // 100:03d}", f"f{i % 100:03d}.go")
        if i % 10 == 0:
            os.unlink(p)
        elif i % 3 == 0:
            with open(p, "a") as f:
                f.write(f"var b{i} = {i}\n")
    for i in range(n_files // 10):
        d = os.path.join(path, "newpkg", f"n{i // 100:03d}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"g{i % 100:03d}.go"), "w") as f:
            f.write(f"package n\n\nvar n{i} = {i}\n")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "b")
    git(path, "checkout", "-q", "a")


def storm_one(spec, kind, args, work, tarball, repo):
    d = os.path.join(work, f"storm-{kind}-{spec.key}")
    logs = os.path.join(d, "logs")
    os.makedirs(logs)
    out = os.path.join(d, "stamps.txt")
    if kind == "tar":
        root = os.path.join(d, "tree")
        os.makedirs(os.path.join(root, "src"))
    else:
        root = os.path.join(d, "repo")
        subprocess.run(["git", "clone", "-q", "--branch", "a", repo, root], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        git(root, "branch", "-q", "b", "origin/b")
        os.makedirs(os.path.join(root, "src"))
    marker = os.path.join(root, "src", "main.go")
    with open(marker, "w") as f:
        f.write("package main\n")
    probe = os.path.join(root, "src", "probe.txt")
    with open(probe, "w") as f:
        f.write("probe\n")
    w = spec.make()
    row = {"key": spec.key, "label": spec.label, "backend": spec.backend, "config": spec.config, "storm": kind}
    try:
        ready(w, spec, root, f"{args.stamp} {out}", d, logs, probe, args.ready_timeout)
        before = len(bl.read_stamps(out))
        results_before = dict(w.build_results) if isinstance(w, bl.HotpodRun) else {}
        t_start = bl.mono_ns()
        if kind == "tar":
            # tar reads the archive from a pipe: the first half, then the bench writes the marker
            # file (a change made during the storm), then the second half.
            with open(tarball, "rb") as f:
                data = f.read()
            half = (len(data) // 2) // 512 * 512
            p = subprocess.Popen(["tar", "xf", "-", "-C", root], stdin=subprocess.PIPE)
            p.stdin.write(data[:half])
            p.stdin.flush()
            with open(marker, "a") as f:
                f.write("// changed during the storm\n")
            t_marker = bl.mono_ns()
            p.stdin.write(data[half:])
            p.stdin.close()
            rc = p.wait(timeout=120)
        else:
            p = subprocess.Popen(["git", "checkout", "-q", "b"], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            # The marker is written during the checkout, as in the tar storm: once git holds
            # its index lock (it takes it before writing the first file), not before git starts.
            lock = os.path.join(root, ".git", "index.lock")
            while not os.path.exists(lock) and p.poll() is None:
                time.sleep(0.0005)
            with open(marker, "a") as f:
                f.write("// changed during the storm\n")
            t_marker = bl.mono_ns()
            _, err = p.communicate(timeout=120)
            rc = p.returncode
        t_end = bl.mono_ns()
        if rc != 0:
            raise bl.BenchError(f"{kind} failed with {rc}")
        quiet = max(spec.effective_ms, getattr(w, "effective_delay_ms", 0)) / 1000 + args.storm_quiet
        try:
            w.settle(quiet_s=quiet, timeout=args.storm_cap)
        except bl.BenchError as e:
            # Still running its command, one run per event, after storm_cap seconds: stop
            # counting there (a result, not a failure of the bench).
            if "exited with" in str(e):
                row["tool_exited"] = True
            else:
                row["still_running_after_s"] = args.storm_cap
        row["tool_exited"] = row.get("tool_exited", False) or not w.proc.alive()
        stamps = bl.read_stamps(out)[before:]
        if isinstance(w, bl.HotpodRun):  # hotpod's own account of the storm (its build_finished records)
            res = {k: v - results_before.get(k, 0) for k, v in w.build_results.items()}
            row["builds_cancelled"] = res.get("cancelled", 0)
            row["builds_completed"] = sum(v for k, v in res.items() if k != "cancelled")
        row.update({
            "storm_ms": round((t_end - t_start) / 1e6, 1),
            "runs": len(stamps),
            "runs_during": sum(1 for s in stamps if s < t_end),
            "runs_after": sum(1 for s in stamps if s >= t_end),
            "first_run_after_start_ms": round((stamps[0] - t_start) / 1e6, 1) if stamps else None,
            "last_run_after_end_ms": round((stamps[-1] - t_end) / 1e6, 1) if stamps else None,
            # The final tree (the storm's last file and the marker) was built only by a run
            # that started after the storm's last write.
            "final_state_built": bool(stamps) and stamps[-1] >= t_end,
            "marker_seen": bool(stamps) and stamps[-1] >= t_marker,
        })
    except (bl.BenchError, subprocess.SubprocessError, OSError) as e:
        row["errors"] = [str(e).splitlines()[0]]
        bl.eprint(f"storms: {kind}: {spec.label}: {row['errors'][0]}")
    finally:
        w.stop()
        shutil.rmtree(d, ignore_errors=True)
    return row


def storms(args, work, results):
    tarball = os.path.join(work, "storm.tar")
    make_tarball(tarball, args.tar_files)
    repo = os.path.join(work, "template-repo")
    make_repo(repo, args.repo_files)
    changed = subprocess.run(["git", "diff", "--name-only", "a", "b"], cwd=repo, capture_output=True, text=True).stdout.split()
    results["params"].update({"tar_files": args.tar_files, "repo_files": args.repo_files, "checkout_changed_files": len(changed),
                              "quiet_s": args.storm_quiet, "cap_s": args.storm_cap})
    results["rows"] = []
    ok = True
    for kind in ("tar", "checkout"):
        for spec in specs_for(args):
            if not spec.available():
                results["rows"].append({"key": spec.key, "label": spec.label, "storm": kind, "skipped": f"{spec.tool} not installed"})
                continue
            row = storm_one(spec, kind, args, work, tarball, repo)
            if spec.tool == "hotpod" and row.get("errors"):
                ok = False
            results["rows"].append(row)
    return ok


# --------------------------------------------------------------------------------------------
# overlay


def overlay(args, work, results):
    results["rows"] = []
    if os.geteuid() != 0:
        results["skipped"] = "needs root for mount -t overlay"
        bl.eprint("overlay: SKIPPED: needs root for mount -t overlay")
        return True
    specs = specs_for(args)
    specs.insert(1, bl.ToolSpec("hotpod-hybrid", "hotpod", "hotpod --backend hybrid", "hybrid", "defaults (--delay 100ms, verify every 5 s)", 100, 100,
                                lambda: bl.HotpodRun(args.hotpod, ["--backend", "hybrid"])))
    auto_args = []
    if args.verify_interval:
        # The smoke run shortens hybrid's verification walk (default 5 s) with a config file.
        cfg = os.path.join(work, "verify.yaml")
        with open(cfg, "w") as f:
            f.write(f"watch:\n  verify_interval: {args.verify_interval}\n")
        auto_args = ["-c", cfg]
    specs.insert(0, bl.ToolSpec("hotpod-auto", "hotpod", "hotpod (auto)", "auto",
                                f"defaults{' but verify_interval ' + args.verify_interval if args.verify_interval else ''}", 100, 100,
                                lambda: bl.HotpodRun(args.hotpod, auto_args)))
    specs = [s for s in specs if s.key not in ("hotpod",)]  # plain --backend inotify: the blind one, kept below
    specs.append(bl.ToolSpec("hotpod-inotify", "hotpod", "hotpod --backend inotify", "inotify", "forced inotify", 100, 100,
                             lambda: bl.HotpodRun(args.hotpod, ["--backend", "inotify"])))
    if args.only:
        specs = [s for s in specs if s.key in args.only]
    ok = True
    for spec in specs:
        if not spec.available():
            results["rows"].append({"key": spec.key, "label": spec.label, "skipped": f"{spec.tool} not installed"})
            continue
        d = os.path.join(work, f"ovl-{spec.key}")
        L, U, W, M = (os.path.join(d, x) for x in ("lower", "upper", "work", "merged"))
        for x in (L, U, W, M):
            os.makedirs(x)
        os.makedirs(os.path.join(L, "src"))
        for i in range(10):
            with open(os.path.join(L, "src", f"f{i}.go"), "w") as f:
                f.write(f"package src\n\nvar v{i} = {i}\n")
        with open(os.path.join(L, "src", "probe.txt"), "w") as f:
            f.write("probe\n")
        r = subprocess.run(["mount", "-t", "overlay", "overlay", "-o", f"lowerdir={L},upperdir={U},workdir={W}", M],
                           capture_output=True, text=True)
        if r.returncode != 0:
            results["skipped"] = f"mount -t overlay failed: {r.stderr.strip()}"
            bl.eprint(f"overlay: SKIPPED: {results['skipped']}")
            shutil.rmtree(d, ignore_errors=True)
            return True
        out = os.path.join(d, "stamps.txt")
        logs = os.path.join(d, "logs")
        os.makedirs(logs)
        w = spec.make()
        row = {"key": spec.key, "label": spec.label, "backend": spec.backend, "config": spec.config}
        try:
            info = ready(w, spec, M, f"{args.stamp} {out}", d, logs, os.path.join(M, "src", "probe.txt"), args.ready_timeout)
            row["hotpod_backend"] = info.get("backend")
            before = len(bl.read_stamps(out))
            target = os.path.join(L, "src", "f3.go")  # not copied up: only the lower layer changes
            with open(target, "a") as f:
                f.write("// written to the lower layer\n")
            t_write = bl.mono_ns()
            t = w.wait_build(args.overlay_timeout)
            stamps = [s for s in bl.read_stamps(out)[before:] if s >= t_write]
            row["seen"] = bool(stamps)
            row["seen_after_ms"] = round((stamps[0] - t_write) / 1e6, 1) if stamps else None
            row["waited_s"] = args.overlay_timeout if t is None else None
            if spec.key == "hotpod-auto" and not stamps:
                ok = False
        except bl.BenchError as e:
            row["errors"] = [str(e).splitlines()[0]]
            bl.eprint(f"overlay: {spec.label}: {row['errors'][0]}")
            if spec.tool == "hotpod":
                ok = False
        finally:
            w.stop()
            subprocess.run(["umount", M], capture_output=True)
            shutil.rmtree(d, ignore_errors=True)
        results["rows"].append(row)
    results["params"]["timeout_s"] = args.overlay_timeout
    return ok


# --------------------------------------------------------------------------------------------
# e2e: save → the Gin example answers with the new text



def get(url):
    return bl.http_text(url)


def wait_answer(url, text, timeout, proc, records=None, pause_ms=5):
    """GET url until the body is text: the measurement itself (no event says that the new app
    answers). Returns the mono ns of the first right answer, or None. The tool's JSON records
    (hotpod's, on stderr) go to `records` if given. Between GETs it reads the tool's pipes for
    up to pause_ms."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = get(url)
        t = bl.mono_ns()
        if body is not None and body.strip() == text:
            return t
        proc._read_ready(pause_ms)  # keep the tool's pipes drained
        drain(proc, records)
    return None


class OutputWritten:
    """inotify on the app's directory: says when the build has written its output (a close after
    writing, or a rename onto it). e2e asks the app for the new text only from then on: GETs
    during the build load the old app, which hotpod keeps serving and the peers stop first, so
    they slowed the very build that was measured, and only for hotpod."""

    IN_CLOSE_WRITE, IN_MOVED_TO = 0x8, 0x80
    HEADER = 16  # struct inotify_event: wd, mask, cookie, len

    def __init__(self, directory, name):
        libc = ctypes.CDLL(None, use_errno=True)
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0 or libc.inotify_add_watch(self.fd, directory.encode(), self.IN_CLOSE_WRITE | self.IN_MOVED_TO) < 0:
            raise OSError(ctypes.get_errno(), f"inotify on {directory}")
        self.name = name.encode()
        self.poller = select.poll()
        self.poller.register(self.fd, select.POLLIN)

    def _written(self):
        """Reads the events queued; true if one was for the output."""
        seen = False
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return seen
            at = 0
            while at + self.HEADER <= len(data):
                length = int.from_bytes(data[at + 12:at + 16], sys.byteorder)
                seen |= data[at + self.HEADER:at + self.HEADER + length].rstrip(b"\0") == self.name
                at += self.HEADER + length

    def forget(self):
        """Drops what earlier builds wrote."""
        self._written()

    def wait(self, timeout, proc, records):
        """True once the output is written (the tool's pipes are drained meanwhile), False at the
        timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.poller.poll(5) and self._written():
                return True
            proc._read_ready(0)
            drain(proc, records)
        return False

    def close(self):
        os.close(self.fd)


def settle(proc, ms):
    """Waits ms, reading the tool's output meanwhile (_read_ready returns at its first line: a
    tool that logs after its answer, as hotpod does when it retires the old version with
    `overlap`, would otherwise be edited again within its quiet period)."""
    deadline = time.monotonic() + ms / 1000
    while (left := deadline - time.monotonic()) > 0:
        proc._read_ready(max(1, int(left * 1000)))


def drain(proc, records=None):
    """Drops the lines read so far, keeping JSON records (hotpod's, on stderr) in `records`."""
    while proc.pending:
        _, stream, line = proc.pending.popleft()
        if records is not None and stream == "stderr" and line.startswith("{"):
            try:
                records.append(json.loads(line))
            except ValueError:
                pass


def log_ns(record):
    """A hotpod JSON record's ts (UTC, microseconds) in ns since the epoch."""
    ts = record["ts"].rstrip("Z")
    whole, _, frac = ts.partition(".")
    seconds = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S"))
    return seconds * 10**9 + int((frac + "000000")[:6]) * 1000


def hotpod_part(records, save_wall_ns, answer_wall_ns):
    """hotpod's own part of one save → new answer: the total minus the build's duration and the
    app's own start-up, both from hotpod's records (build_started → build_finished of the build
    that succeeded; app_started → the first right answer, or → app_promoted behind the proxy with
    `overlap`). None if a record is missing."""
    ev = lambda name: [r for r in records if r.get("event") == name]  # noqa: E731
    ok = [r for r in ev("build_finished") if r.get("result") == "success"]
    if not ok:
        return None
    number = ok[-1].get("build")
    started = [r for r in ev("build_started") if r.get("build") == number]
    apps = [r for r in ev("app_started") if log_ns(r) >= log_ns(ok[-1])]
    if not started or not apps:
        return None
    build_ns = log_ns(ok[-1]) - log_ns(started[0])
    app_ns = answer_wall_ns - log_ns(apps[0])
    # Behind the proxy with `overlap`, the app's own start-up ends when hotpod's readiness probe
    # finds it ready (app_promoted); the switch, the old version's retirement and the proxy's hop
    # to the first right answer are hotpod's.
    promoted = [r for r in ev("app_promoted") if log_ns(r) >= log_ns(apps[0])]
    split = {}
    if promoted:
        app_ns = log_ns(promoted[0]) - log_ns(apps[0])
        split["promoted_to_answer_ms"] = round((answer_wall_ns - log_ns(promoted[0])) / 1e6, 2)
    stopped = [r for r in ev("app_stopped") if log_ns(ok[-1]) <= log_ns(r) <= log_ns(apps[0])]
    if stopped:  # the old app's graceful exit, then hotpod's start of the new one
        split = {"old_app_exit_ms": round((log_ns(stopped[0]) - log_ns(ok[-1])) / 1e6, 2),
                 "stopped_to_started_ms": round((log_ns(apps[0]) - log_ns(stopped[0])) / 1e6, 2)}
    return {**split, "total_ms": round((answer_wall_ns - save_wall_ns) / 1e6, 2),
            "save_to_build_started_ms": round((log_ns(started[0]) - save_wall_ns) / 1e6, 2),
            "build_ms": round(build_ns / 1e6, 2),
            "build_finished_to_app_started_ms": round((log_ns(apps[0]) - log_ns(ok[-1])) / 1e6, 2),
            "app_startup_ms": round(app_ns / 1e6, 2),
            "hotpod_ms": round((answer_wall_ns - save_wall_ns - build_ns - app_ns) / 1e6, 2),
            "builds_started": len(ev("build_started")),
            "builds_cancelled": sum(1 for r in ev("build_finished") if r.get("result") == "cancelled")}


class E2E(bl.Watcher):
    """A tool that builds and runs the app; events are not needed (the HTTP answer is)."""

    def __init__(self, name, argv):
        super().__init__()
        self.name = name
        self._argv = argv

    def argv(self, root, build, delay_ms):
        return self._argv

    def _parse(self, stream, line):
        return None


OVERLAP = "hotpod (proxy, overlap)"


def e2e(args, work, results):
    src = args.app or os.path.join(REPO, "examples", "gin-app")
    results["rows"] = []
    if not shutil.which("go"):
        results["skipped"] = "go not installed (scripts/install-deps.sh installs golang-go)"
        bl.eprint(f"e2e: SKIPPED: {results['skipped']}")
        return True
    # A build cache that outlives the run (outside the repository), so that the smoke run's
    # tiny app does not recompile the standard library every time.
    gocache = os.environ.get("HOTPOD_BENCH_GOCACHE", "/var/cache/hotpod-bench/go-build")
    try:
        os.makedirs(gocache, exist_ok=True)
    except OSError:
        gocache = os.path.join(work, "gocache")
    env_extra = {"GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "GOCACHE": gocache, "GOFLAGS": ""}
    build = "go build -o app ."
    # hotpod (proxy, overlap): its hotpod.yaml (written below) puts the proxy on the port the
    # bench asks and starts the new version beside the old one: the old app's stop is off the path.
    tools = [("hotpod", lambda port: [args.hotpod, "run", "--build", build, "--log-format", "json", "--", "./app"], "hotpod"),
             (OVERLAP, lambda port: [args.hotpod, "run", "--log-format", "json"], "hotpod"),
             ("reflex", lambda port: ["reflex", "-d", "none", "-s", "-r", r"\.go$", "--", "/bin/sh", "-c", f"{build} && exec ./app"], "reflex"),
             ("nodemon", lambda port: [bl.npm_bin("nodemon") or "nodemon", "--no-colours", "-e", "go", "--signal", "SIGTERM", "--exec",
                                       f"{build} && exec ./app"], "nodemon")]
    if args.no_peers:
        tools = tools[:2]
    results["params"].update({"edits": args.edits, "build": build, "app": os.path.relpath(src, REPO) if src.startswith(REPO) else src,
                              "env": "GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=(warm, shared by the tools)",
                              "gets_from": "the build's output written and the old app gone (bench/e2e_wait.py)"})
    # Warm the build cache once, so that every tool's first build is incremental.
    warm = os.path.join(work, "warm")
    shutil.copytree(src, warm, ignore=shutil.ignore_patterns(".hotpod", "app"))
    t0 = time.monotonic()
    try:
        r = subprocess.run(["go", "build", "-o", "app", "."], cwd=warm, env=bl.clean_env(env_extra), capture_output=True, text=True,
                           timeout=args.warm_timeout)
    except subprocess.TimeoutExpired:
        # A cold cache (first run on this machine) compiles the standard library; the cache is
        # kept, so the next run is warm. The smoke run gives up here instead of running long.
        results["skipped"] = f"the warm-up `go build` took more than {args.warm_timeout:g} s (cold build cache {gocache}; kept for the next run)"
        bl.eprint(f"e2e: SKIPPED: {results['skipped']}")
        return True
    results["params"]["warm_build_s"] = round(time.monotonic() - t0, 1)
    if r.returncode != 0:
        results["skipped"] = f"go build of {src} failed: {r.stderr.strip()[:300]}"
        bl.eprint(f"e2e: SKIPPED: {results['skipped']}")
        return False
    ok = True
    # Every tool runs at once (idle, each on its own copy and port) and the edits take turns,
    # one tool after the other, the order turning each round: `go build` moves by ±10 % over
    # minutes, and one tool's ten edits in a row would take all of one drift.
    live = []
    for name, mk, avail in tools:
        if avail != "hotpod" and not bl.peer_available(avail):
            results["rows"].append({"tool": name, "skipped": f"{name} not installed"})
            continue
        live.append(start_e2e_tool(args, work, src, build, env_extra, name, mk, avail))
    try:
        for t in live:
            if not t["row"]["errors"]:
                settle(t["w"].proc, 300)  # the start-up build just wrote into the tree
        for i in range(args.edits):
            shift = i % len(live) if live else 0
            for t in live[shift:] + live[:shift]:
                if t["row"]["errors"]:
                    continue
                e2e_edit(args, t, i)
    finally:
        for t in live:
            if t["output"]:
                t["output"].close()
            t["w"].stop()
            shutil.rmtree(t["dir"], ignore_errors=True)
    for t in live:
        row = t["row"]
        v = sorted(row["samples_ms"])
        if v:
            row["summary_ms"] = {"n": len(v), "min": v[0], "p50": bl.percentile(v, 50), "max": v[-1], "mean": sum(v) / len(v)}
        if row.get("parts"):
            row["parts_p50_ms"] = {k: bl.percentile(sorted(p[k] for p in row["parts"] if k in p), 50)
                                   for k in row["parts"][0] if k.endswith("_ms")}
        if t["avail"] == "hotpod" and (row["errors"] or not v):
            ok = False
        for e in row["errors"][:3]:
            bl.eprint(f"e2e: {row['tool']}: {e}")
        results["rows"].append(row)
    return ok


def start_e2e_tool(args, work, src, build, env_extra, name, mk, avail):
    """Starts one tool on its copy of the app; returns its state (row, process, …) once the app
    answered the first time (or with the error in its row)."""
    d = os.path.join(work, f"e2e-{name}")
    shutil.copytree(src, d, ignore=shutil.ignore_patterns(".hotpod", "app", "hotpod.yaml"))
    port = bl.free_port()
    argv = mk(port)
    # As zero-config does for Go: only .go files (not the ./app the build writes).
    config = (f"watch: {{include_ext: [go]}}, build: {{cmd: '{build}'}}, run: {{cmd: ./app}}, "
              f"proxy: {{listen: '127.0.0.1:{port}', handover: overlap}}")
    if name == OVERLAP:
        with open(os.path.join(d, "hotpod.yaml"), "w") as f:
            f.write("{" + config + "}\n")
    w = E2E(name, argv)
    row = {"tool": name, "command": bl.placeholder_argv(argv, {args.hotpod: "HOTPOD", bl.NPM_PREFIX + "/node_modules/.bin/": ""}),
           "samples_ms": [], "errors": []}
    if name == OVERLAP:
        row["config"] = config.replace(str(port), "PORT")
    t = {"w": w, "row": row, "dir": d, "avail": avail, "output": None, "url": f"http://127.0.0.1:{port}/", "port": port,
         "cur": "Hello from hotpod!"}
    env = bl.peer_env()
    env.update(env_extra)
    env["PORT"] = str(port)
    logs = os.path.join(work, f"logs-e2e-{name}")  # outside the watched tree
    os.makedirs(logs)
    env["TMPDIR"] = logs
    try:
        w.proc = bl.Proc(argv, cwd=d, env=env, log_dir=logs, name=name)
        t_first = wait_answer(t["url"], t["cur"], args.answer_timeout, w.proc)
        if t_first is None:
            raise bl.BenchError(f"{name}: the app never answered:\n{w.proc.log_tail('stdout')}\n{w.proc.log_tail()}")
        row["first_answer_s"] = round((t_first - w.proc.started_ns) / 1e9, 2)
        with open(os.path.join(d, "main.go")) as f:
            t["text"] = f.read()
        t["output"] = OutputWritten(d, "app")
    except bl.BenchError as e:
        row["errors"].append(str(e).splitlines()[0])
    return t


def e2e_edit(args, t, i):
    """One save of tool t's main.go and the wait for its new answer; quiet afterwards (the old
    app gone, the tool settled) before anything else is edited."""
    w, row, name = t["w"], t["row"], t["row"]["tool"]
    new = f"Hello, edit {i} by {name}!"
    t["text"] = t["text"].replace(f'const greeting = "{t["cur"]}"', f'const greeting = "{new}"')
    records = [] if t["avail"] == "hotpod" else None
    drain(w.proc)  # what the previous edit logged after its answer
    t["output"].forget()
    old_app = OldApp(t["port"], w.proc.pid)  # before the save: the version that answers now
    # The save's moment: its content written, its close called. Not after the close returns:
    # ext4 starts writing back a file truncated and rewritten in its ->release, which runs
    # after the close's inotify event is queued, and on this machine that took about 1 ms, so
    # a tool woken by the event was early against such a time (hotpod's build_started was
    # logged 0.07 ms *before* one of them).
    with open(os.path.join(t["dir"], "main.go"), "w") as f:
        f.write(t["text"])
        f.flush()
        t_save, wall_save = bl.mono_ns(), time.time_ns()
    t["output"].wait(args.answer_timeout, w.proc, records)  # no GETs during the build
    gone = old_app.wait_gone(args.answer_timeout)  # nor during the old app's graceful stop
    old_app.close()
    if not gone:
        row["errors"].append(f"edit {i}: the old app (pid {old_app.pid}) still ran after {args.answer_timeout:g} s")
        return
    t_ans = wait_answer(t["url"], new, args.answer_timeout, w.proc, records, pause_ms=1)
    if t_ans is None:
        row["errors"].append(f"edit {i}: no answer with the new text within {args.answer_timeout:g} s")
        return
    wall_ans = wall_save + (t_ans - t_save)
    row["samples_ms"].append(round((t_ans - t_save) / 1e6, 1))
    if records is not None:
        w.proc._read_ready(50)  # the records logged just before the answer
        drain(w.proc, records)
        part = hotpod_part(records, wall_save, wall_ans)
        if part:
            row.setdefault("parts", []).append(part)
    t["cur"] = new
    settle(w.proc, 300)


# --------------------------------------------------------------------------------------------
# soak: 1,000 reloads


class HotpodApp(bl.HotpodRun):
    def __init__(self, binary, extra_args=()):
        super().__init__(binary, extra_args)
        self.app_starts = 0

    def _parse(self, stream, line):
        ev = super()._parse(stream, line)
        if self.records and self.records[-1].get("event") == "app_started" and line.startswith("{") and '"app_started"' in line:
            self.app_starts += 1
            self.records.clear()  # 1,000 reloads: keep memory flat on the bench's side
            return "app_started"
        if len(self.records) > 100:
            self.records.clear()
        return ev


def zombies_under(pid):
    z = 0
    for p in bl.proc_tree_pids(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                data = f.read()
            if data[data.rindex(")") + 2] == "Z":
                z += 1
        except OSError:
            pass
    return z


def soak(args, work, results):
    root = os.path.join(work, "tree")
    os.makedirs(os.path.join(root, "src"))
    f = os.path.join(root, "src", "main.go")
    with open(f, "w") as fh:
        fh.write("package main\n")
    logs = os.path.join(work, "logs-soak")
    os.makedirs(logs)
    w = HotpodApp(args.hotpod, ["--delay", f"{args.soak_delay_ms}ms", "--", "/bin/sleep", "100000"])
    res = {"reloads_requested": args.reloads, "delay_ms": args.soak_delay_ms, "samples": [], "errors": []}
    results["params"].update({"reloads": args.reloads, "delay_ms": args.soak_delay_ms})
    ok = True
    try:
        proc = w.start(root=root, build="true", delay_ms=None, cwd=work, log_dir=logs)
        res["command"] = bl.placeholder_argv(w.argv(root, "true", None), {root: "TREE", args.hotpod: "HOTPOD"})
        w.wait_ready(30)
        pid = proc.pid

        def until_app_start(n, timeout=30):
            deadline = time.monotonic() + timeout
            while w.app_starts < n:
                if w._next(deadline) is None:
                    return False
            return True

        if not until_app_start(1):
            raise bl.BenchError("the app never started")

        def snap(i):
            st = bl.proc_status(pid)
            fi = bl.fd_info(pid)
            return {"reload": i, "vmrss_kib": bl.kib(st.get("VmRSS")), "vmhwm_kib": bl.kib(st.get("VmHWM")),
                    "fds": fi["fds"], "threads": int(st.get("Threads", 0)), "zombies": zombies_under(pid),
                    "processes": len(bl.proc_tree_pids(pid))}

        every = max(1, args.reloads // 50)
        t0 = time.monotonic()
        for i in range(1, args.reloads + 1):
            with open(f, "a") as fh:
                fh.write(f"// {i}\n")
            if not until_app_start(w.app_starts + 1):
                res["errors"].append(f"reload {i}: no app_started within 30 s")
                break
            res["reloads_done"] = i
            if i == 1 or i % every == 0 or i == args.reloads:
                res["samples"].append(snap(i))
        res["wall_s"] = round(time.monotonic() - t0, 1)
        # Let the last restart settle, then the final state.
        w.settle(quiet_s=0.5, timeout=30)
        res["final"] = snap(res.get("reloads_done", 0))
        res["build_results"] = dict(w.build_results)
    except bl.BenchError as e:
        res["errors"].append(str(e).splitlines()[0])
    finally:
        code = w.stop()
        res["exit_code_on_sigterm"] = code
        res["leftovers"] = w.leftovers
    s = res["samples"]
    if len(s) >= 2:
        # Baseline: after the first tenth of the reloads (allocator and caches warm).
        base = next((x for x in s if x["reload"] >= args.reloads // 10), s[0])
        end = res.get("final") or s[-1]
        res["baseline"] = base
        res["rss_growth_pct"] = round(100.0 * (end["vmrss_kib"] - base["vmrss_kib"]) / base["vmrss_kib"], 2)
        res["rss_growth_from_first_pct"] = round(100.0 * (end["vmrss_kib"] - s[0]["vmrss_kib"]) / s[0]["vmrss_kib"], 2)
    if res["errors"] or res.get("reloads_done", 0) < args.reloads:
        ok = False
    results["soak"] = res
    return ok


# --------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workload", choices=["cost", "storms", "overlay", "e2e", "soak"])
    ap.add_argument("--hotpod", required=True)
    ap.add_argument("--stamp", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--idle", type=float, default=60.0)
    ap.add_argument("--ready-timeout", type=float, default=180.0)
    ap.add_argument("--tar-files", type=int, default=5000)
    ap.add_argument("--repo-files", type=int, default=3000)
    ap.add_argument("--storm-quiet", type=float, default=2.0, help="quiet seconds (beyond the tool's delay) that end a storm")
    ap.add_argument("--storm-cap", type=float, default=45.0, help="stop counting a storm's runs after this many seconds")
    ap.add_argument("--overlay-timeout", type=float, default=15.0)
    ap.add_argument("--verify-interval", help="hotpod (auto)'s watch.verify_interval for the overlay case (default: hotpod's, 5s)")
    ap.add_argument("--edits", type=int, default=30)  # go build alone varies by ±10 %: 10 medians flipped rankings
    ap.add_argument("--warm-timeout", type=float, default=600.0, help="give up (skip e2e) if the warm-up build takes longer")
    ap.add_argument("--answer-timeout", type=float, default=90.0)
    ap.add_argument("--app", help="Go app directory for e2e (default examples/gin-app)")
    ap.add_argument("--reloads", type=int, default=1000)
    ap.add_argument("--soak-delay-ms", type=int, default=20)
    ap.add_argument("--only", help="comma-separated tool keys (see benchlib.tool_specs)")
    ap.add_argument("--no-peers", action="store_true", help="hotpod only")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    args.hotpod = os.path.abspath(args.hotpod)
    args.stamp = os.path.abspath(args.stamp)
    args.only = set(args.only.split(",")) if args.only else None
    for p in (args.hotpod, args.stamp):
        if not os.access(p, os.X_OK):
            ap.error(f"not executable: {p}")
    bl.install_signal_handlers()
    work = bl.make_tempdir(f"hotpod-bench-{args.workload}-")
    results = {"benchmark": args.workload, "generated_at": bl.now_utc(), "machine": bl.machine_info(work, args.hotpod),
               "params": {}, "peers_skipped": sorted({s.tool for s in bl.tool_specs(args.hotpod) if not s.available()})}
    for t in results["peers_skipped"]:
        bl.eprint(f"{args.workload}: {t} is not installed (bench/install-peers.sh): its rows are skipped")
    ok = False
    try:
        with Raised(1048576):
            ok = {"cost": cost, "storms": storms, "overlay": overlay, "e2e": e2e, "soak": soak}[args.workload](args, work, results)
        results["machine"]["loadavg_at_end"] = bl._read("/proc/loadavg")
        bl.write_json(args.out, results)
    finally:
        if args.keep:
            bl.eprint(f"{args.workload}: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
