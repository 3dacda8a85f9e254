"""Shared helpers for hotpod's benchmarks (Python 3 standard library only).

The tools under test ("watchers") are small classes with one interface, so a peer (air, reflex,
watchexec, entr, ...) is one more class in WATCHERS:

    w = SomeWatcher(...)
    w.start(root=..., build=..., delay_ms=..., cwd=...)   # spawn, own session/process group
    w.wait_ready(timeout)          # until the tool says it watches (or raise BenchError)
    w.settle(quiet_s, timeout)     # until no build is running and nothing happened for quiet_s
    w.wait_build(timeout)          # until the next build (started after the last call) finished
    w.stop()                       # SIGTERM the tool, SIGKILL its process group if needed

Every process is started in its own session and stopped by its own PID / process-group id; every
wait is bounded.
"""

import collections
import http.client
import json
import os
import socket
import platform
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone


class BenchError(Exception):
    """The tool under test (or the bench's set-up) did something that makes the run invalid."""


def mono_ns():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def clean_env(extra=None):
    """The bench's environment minus HOTPOD_* (which would override flags of the tool under test)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTPOD_")}
    env.setdefault("LC_ALL", "C.UTF-8")
    if extra:
        env.update(extra)
    return env


def install_signal_handlers():
    """Turn SIGTERM/SIGHUP into KeyboardInterrupt so that `finally:` blocks stop what we started."""

    def handler(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


# --------------------------------------------------------------------------------------------
# Processes


class Proc:
    """A child in its own session (pgid == pid). Its stdout and stderr are read in the calling
    thread with poll(2), no reader threads: a thread holding the GIL could otherwise delay the
    bench's clock read after close(), the very thing being measured. Lines are also written to
    log files. The tools print little while they are not being sampled, far below a pipe's size."""

    def __init__(self, argv, cwd, env, log_dir, name):
        self.argv = list(argv)
        self.name = name
        self.log_paths = {
            "stdout": os.path.join(log_dir, f"{name}.stdout.log"),
            "stderr": os.path.join(log_dir, f"{name}.stderr.log"),
        }
        self.logs = {k: open(p, "wb") for k, p in self.log_paths.items()}
        self.started_ns = mono_ns()
        self.popen = subprocess.Popen(
            self.argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # own session + process group: pgid == pid
            close_fds=True,
        )
        self.pid = self.popen.pid
        self.exit_code = None
        self.running_at_stop = None
        self.fds = {self.popen.stdout.fileno(): "stdout", self.popen.stderr.fileno(): "stderr"}
        self.buf = {"stdout": b"", "stderr": b""}
        self.pending = collections.deque()  # (arrival ns, stream, line)
        self.poller = select.poll()
        for fd in self.fds:
            os.set_blocking(fd, False)
            self.poller.register(fd, select.POLLIN)

    def eof(self):
        return not self.fds

    def _read_ready(self, timeout_ms):
        for fd, _ in self.poller.poll(timeout_ms):
            stream = self.fds.get(fd)
            if stream is None:
                continue
            t = mono_ns()
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if not data:  # EOF
                self.poller.unregister(fd)
                del self.fds[fd]
                if self.buf[stream]:
                    self.pending.append((t, stream, self.buf[stream].decode("utf-8", "replace")))
                    self.buf[stream] = b""
                continue
            self.logs[stream].write(data)
            self.logs[stream].flush()
            *lines, self.buf[stream] = (self.buf[stream] + data).split(b"\n")
            for raw in lines:
                self.pending.append((t, stream, raw.decode("utf-8", "replace")))

    def next_line(self, deadline):
        """(arrival ns, stream, line), or None at the deadline (time.monotonic()) or at EOF of
        both streams (then self.eof() is true)."""
        while not self.pending:
            if not self.fds:
                return None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self._read_ready(max(1, int(remaining * 1000 + 0.999)))
        return self.pending.popleft()

    def alive(self):
        return self.popen.poll() is None

    def stop(self, term_timeout=5.0):
        """SIGTERM the child (by PID), wait, then SIGKILL its process group. Returns the exit code
        of the child (negative: killed by that signal); self.running_at_stop says whether it was
        still running (else the code is not a reaction to SIGTERM)."""
        self.running_at_stop = self.popen.poll() is None
        if self.running_at_stop:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + term_timeout
            while self.popen.poll() is None and time.monotonic() < deadline:
                self._read_ready(20)  # keep the pipes drained while it shuts down
        # Whatever is left in the child's own process group (builds, shells) goes too.
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.popen.poll() is None:
            self.popen.wait(timeout=5)
        self.exit_code = self.popen.returncode
        deadline = time.monotonic() + 2
        while self.fds and time.monotonic() < deadline:  # the rest of the output, for the logs
            self._read_ready(50)
        for f in (self.popen.stdout, self.popen.stderr):
            f.close()
        for f in self.logs.values():
            f.close()
        return self.exit_code

    def log_tail(self, which="stderr", lines=20):
        try:
            self.logs[which].flush()
        except ValueError:
            pass
        try:
            with open(self.log_paths[which], "rb") as f:
                data = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join(data[-lines:])
        except OSError:
            return ""


# --------------------------------------------------------------------------------------------
# Watchers (tools under test)


class Watcher:
    name = "?"
    kind = "watcher"

    def __init__(self):
        self.proc = None
        self.builds_started = 0
        self.builds_finished = 0  # any end, cancelled included
        self.builds_final = 0  # ended other than "cancelled" (superseded by a newer build)
        self.build_results = {}
        self.records = []  # everything seen, for debugging
        self.ready_record = None
        self.command = None  # argv with placeholders, for the report
        self.tmpdir = None
        self.leftovers = []
        self.stopped_by_us = None

    # subclasses: argv(root, build, delay_ms) -> list, _parse(stream, line) -> event or None
    # where event is one of "ready", "build_started", "build_finished", "build_cancelled", None.

    def start(self, root, build, delay_ms, cwd, log_dir, env=None):
        """Spawn the tool. Its TMPDIR is a private, empty directory, so that stop() can tell
        whether it left temp files behind."""
        argv = self.argv(root, build, delay_ms)
        self.tmpdir = tempfile.mkdtemp(prefix="tmp-", dir=log_dir)
        env = dict(env or clean_env())
        env["TMPDIR"] = self.tmpdir
        self.proc = Proc(argv, cwd=cwd, env=env, log_dir=log_dir, name=self.name)
        return self.proc

    def _next(self, deadline):
        """The next (t_ns, stream, event, line) from the tool's output, or None at the deadline.
        Raises BenchError when the tool has exited and all its output is consumed."""
        item = self.proc.next_line(deadline)
        if item is None:
            if self.proc.eof():
                try:
                    self.proc.popen.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
                raise BenchError(f"{self.name} exited with {self.proc.popen.returncode}:\n{self.proc.log_tail()}")
            return None
        t, stream, line = item
        ev = self._parse(stream, line)
        if ev == "build_started":
            self.builds_started += 1
        elif ev == "build_finished":
            self.builds_finished += 1
            self.builds_final += 1
        elif ev == "build_cancelled":
            self.builds_finished += 1
        return (t, stream, ev, line)

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            item = self._next(deadline)
            if item is None:
                raise BenchError(f"{self.name} not ready after {timeout}s:\n{self.proc.log_tail()}")
            if item[2] == "ready":
                return item[0]

    def wait_build(self, timeout):
        """Until one more build has finished (not counting builds cancelled because newer changes
        arrived) than when this was called. Returns the arrival time (ns) of the finish line, or
        None at the timeout."""
        target = self.builds_final + 1
        deadline = time.monotonic() + timeout
        item = None
        while self.builds_final < target:
            item = self._next(deadline)
            if item is None:
                return None
        return item[0]

    def settle(self, quiet_s, timeout):
        """Until no build is running and nothing was logged for quiet_s (bounded by timeout).
        Returns the number of builds that started meanwhile."""
        started0 = self.builds_started
        deadline = time.monotonic() + timeout
        while True:
            quiet_deadline = min(deadline, time.monotonic() + quiet_s)
            item = self._next(quiet_deadline)
            if item is None:
                if self.builds_started <= self.builds_finished:
                    return self.builds_started - started0
                if time.monotonic() >= deadline:
                    raise BenchError(f"{self.name}: a build is still running after {timeout}s")
            elif time.monotonic() >= deadline:
                raise BenchError(f"{self.name}: not quiet after {timeout}s (last: {item[3]!r})")

    def stop(self):
        """Stop the tool; returns its exit code. self.leftovers: what it left in its TMPDIR."""
        if self.proc is None:
            return None
        code = self.proc.stop()
        self.stopped_by_us = self.proc.running_at_stop
        try:
            self.leftovers = sorted(os.listdir(self.tmpdir))
        except OSError:
            self.leftovers = []
        return code


class HotpodRun(Watcher):
    """`hotpod run --log-format json`: events come as JSON records on stderr."""

    name = "hotpod"

    def __init__(self, binary, extra_args=()):
        super().__init__()
        self.binary = os.path.abspath(binary)
        self.extra_args = list(extra_args)

    def argv(self, root, build, delay_ms):
        a = [self.binary, "run", "--root", root, "--build", build, "--log-format", "json"]
        if delay_ms is not None:
            a += ["--delay", f"{delay_ms}ms"]
        return a + self.extra_args

    def _parse(self, stream, line):
        if stream != "stderr" or not line.startswith("{"):
            return None
        try:
            rec = json.loads(line)
        except ValueError:
            return None
        self.records.append(rec)
        ev = rec.get("event")
        if ev == "watching":
            self.ready_record = rec
            return "ready"
        if ev == "build_started":
            return "build_started"
        if ev == "build_finished":
            result = rec.get("result")
            self.build_results[result] = self.build_results.get(result, 0) + 1
            return "build_cancelled" if result == "cancelled" else "build_finished"
        return None


class InotifywaitLoop(Watcher):
    """The floor: `inotifywait -m -r -e close_write TREE | while read; do sh -c BUILD; echo; done`.
    The build goes through `/bin/sh -c` like hotpod's, so the shell's cost is on both sides.
    There is no debounce: delay_ms must be 0."""

    name = "inotifywait"

    def argv(self, root, build, delay_ms):
        if delay_ms not in (None, 0):
            raise BenchError("inotifywait loop has no delay")
        script = (
            'inotifywait -m -r -e close_write --format %w%f -- "$1" | '
            'while IFS= read -r f; do echo started; /bin/sh -c "$2"; echo "finished $?"; done'
        )
        return ["/bin/sh", "-c", script, "inotifywait-loop", root, build]

    def _parse(self, stream, line):
        if stream == "stderr" and line.strip() == "Watches established.":
            return "ready"
        if stream == "stdout" and line == "started":
            return "build_started"
        if stream == "stdout" and line.startswith("finished"):
            r = "success" if line == "finished 0" else "failure"
            self.build_results[r] = self.build_results.get(r, 0) + 1
            return "build_finished"
        return None


# --------------------------------------------------------------------------------------------
# /proc readers


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


def kib(v):
    return int(v.split()[0]) if v else None


def cpu_ticks_ms(pid):
    """utime+stime of the process (all threads, also exited ones), in ms (CLK_TCK resolution)."""
    with open(f"/proc/{pid}/stat") as f:
        data = f.read()
    fields = data[data.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])
    tck = os.sysconf("SC_CLK_TCK")
    return {"user_ms": utime * 1000 / tck, "sys_ms": stime * 1000 / tck}


def sched_ns(pid):
    """Sum of on-CPU time (ns) of the process' live threads, from /proc/PID/task/*/schedstat."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def ctxt_switches(pid):
    """Voluntary + involuntary context switches of all live threads (≈ wake-ups)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            st = proc_status(f"{pid}/task/{tid}")
            total += int(st["voluntary_ctxt_switches"]) + int(st["nonvoluntary_ctxt_switches"])
        except (OSError, KeyError, ValueError):
            pass
    return total


def journal_dir_inodes(pid):
    """Inodes of the directories where a hotpod keeps its process-group journals
    ($XDG_RUNTIME_DIR, else $TMPDIR, else /tmp, then hotpod-UID), read from its environment: it
    watches that directory for other hotpods of its root, one watch that is not the tree's."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            env = dict(item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item)
        uid = os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return set()
    inodes = set()
    for base in (env.get(b"XDG_RUNTIME_DIR"), env.get(b"TMPDIR"), b"/tmp"):
        if base:
            try:
                inodes.add(os.stat(os.path.join(base.decode(), f"hotpod-{uid}")).st_ino)
            except OSError:
                pass
    return inodes


def fd_info(pid):
    """Number of open fds and of inotify watches held by the process (a hotpod's watch on its
    journals' directory is not counted: the watches are the tree's)."""
    fds = 0
    watches = 0
    inotify_fds = 0
    journal_dirs = journal_dir_inodes(pid)
    for fd in os.listdir(f"/proc/{pid}/fd"):
        fds += 1
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target == "anon_inode:inotify":
            inotify_fds += 1
            try:
                with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                    for line in f:
                        if line.startswith("inotify wd:"):
                            ino = next((int(field[4:], 16) for field in line.split() if field.startswith("ino:")), None)
                            watches += ino not in journal_dirs
            except OSError:
                pass
    return {"fds": fds, "inotify_fds": inotify_fds, "inotify_watches": watches}


# --------------------------------------------------------------------------------------------
# Statistics, machine, output


def percentile(sorted_vals, p):
    """Linear interpolation between closest ranks (numpy's default, 'inclusive')."""
    if not sorted_vals:
        return None
    if len(sorted_vals) == 1:
        return sorted_vals[0]
    k = (len(sorted_vals) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (k - lo)


def summarize_ms(values_ns):
    v = sorted(x / 1e6 for x in values_ns)
    if not v:
        return None
    return {
        "n": len(v),
        "min": v[0],
        "p50": percentile(v, 50),
        "p90": percentile(v, 90),
        "p99": percentile(v, 99),
        "max": v[-1],
        "mean": sum(v) / len(v),
    }


def _read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def machine_info(path_for_fs=None, hotpod=None):
    cpu = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_kib = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_kib = int(line.split()[1])
    except OSError:
        pass
    fs = None
    if path_for_fs and shutil.which("stat"):
        try:
            fs = subprocess.run(["stat", "-f", "-c", "%T", path_for_fs], capture_output=True, text=True, timeout=5).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    info = {
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "kernel": platform.release(),
        "cpu_model": cpu,
        "mem_total_mib": mem_kib // 1024 if mem_kib else None,
        "os": (_read("/etc/debian_version") and f"Debian {_read('/etc/debian_version')}") or platform.platform(),
        "python": platform.python_version(),
        "loadavg_at_start": _read("/proc/loadavg"),
        "tmp_fs": fs,
        "max_user_watches": _read("/proc/sys/fs/inotify/max_user_watches"),
    }
    if hotpod:
        try:
            info["hotpod_version"] = subprocess.run(
                [hotpod, "version"], capture_output=True, text=True, timeout=10, env=clean_env()
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            info["hotpod_version"] = None
    return info


def now_utc():
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def write_json(path, obj):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=False)
        f.write("\n")
    os.replace(tmp, path)


def fmt(v, digits=2):
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def shell_join(argv):
    return " ".join(shlex.quote(a) for a in argv)


def placeholder_argv(argv, mapping):
    """argv with temp paths replaced by names (TREE, STAMP, ...) for the report."""
    out = []
    for a in argv:
        for real, name in mapping.items():
            a = a.replace(real, name)
        out.append(a)
    return out


def make_tempdir(prefix):
    return tempfile.mkdtemp(prefix=prefix)


def eprint(*a):
    print(*a, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Peers (issue 7). They run the same triggered command as hotpod, `STAMP OUT -`, which also
# prints "hotpod-bench-stamp NS" on stdout; every peer passes its command's output through, so
# that line is the "build finished" event (stamp.c exits right after printing it). None of the
# peers says reliably when its watches are established, so readiness is probed: write a file of
# the tree until the command runs (Watcher.probe_ready).

STAMP_TAG = "hotpod-bench-stamp "
NPM_PREFIX = os.environ.get("HOTPOD_BENCH_NPM", "/var/cache/hotpod-bench/npm")
PEER_EXTS = "go,c,h,py,txt,json,tmpl"  # nodemon watches only listed extensions


def npm_bin(name):
    p = os.path.join(NPM_PREFIX, "node_modules", ".bin", name)
    return p if os.access(p, os.X_OK) else None


def peer_env():
    """chokidar-cli runs its command with $SHELL -c; make that /bin/sh for every tool."""
    return clean_env({"SHELL": "/bin/sh", "NO_COLOR": "1", "FORCE_COLOR": "0"})


class StampWatcher(Watcher):
    """A peer: the build event is the stamp line of the triggered command."""

    ready_line = None  # substring of a line that says the tool is watching (informational)
    effective_delay_ms = 0  # built-in batching the tool adds (reflex: 300 ms); for quiet times
    backend = "inotify"

    def __init__(self, label=None, config="defaults", extra=()):
        super().__init__()
        self.label = label or self.name
        self.config = config
        self.extra = list(extra)

    def start(self, root, build, delay_ms, cwd, log_dir, env=None):
        return super().start(root, build, delay_ms, cwd, log_dir, env=env or peer_env())

    def _parse(self, stream, line):
        if STAMP_TAG in line:
            try:
                self.last_stamp_ns = int(line.split(STAMP_TAG, 1)[1].split()[0])
            except (ValueError, IndexError):
                pass
            self.builds_started += 1
            self.build_results["success"] = self.build_results.get("success", 0) + 1
            return "build_finished"
        if self.ready_line and self.ready_line in line:
            return "ready_hint"
        return None

    def wait_ready(self, timeout, probe_path=None, period=None):
        """Probe: write probe_path until the command runs; returns the time of that write."""
        if probe_path is None:
            raise BenchError(f"{self.name}: readiness needs a probe file")
        return self.probe_ready(probe_path, timeout, period)

    def probe_ready(self, probe_path, timeout, period=None):
        period = period or (self.effective_delay_ms / 1000.0 + 0.4)
        deadline = time.monotonic() + timeout
        n = 0
        while time.monotonic() < deadline:
            n += 1
            with open(probe_path, "a") as f:
                f.write(f"probe {n}\n")
            t_write = mono_ns()
            # Only a run that started after this write counts (entr and nodemon also run once at start).
            end = min(deadline, time.monotonic() + period)
            while time.monotonic() < end:
                if self.wait_build(max(0.01, end - time.monotonic())) is None:
                    break
                if getattr(self, "last_stamp_ns", 0) >= t_write:
                    return t_write
        raise BenchError(f"{self.label}: never ran its command after {n} probe writes in {timeout}s:\n{self.proc.log_tail('stdout')}\n{self.proc.log_tail()}")


class Reflex(StampWatcher):
    """`reflex -d none -- sh -c 'STAMP OUT -'`: no delay option; it batches events for 300 ms."""

    name = "reflex"
    effective_delay_ms = 300

    def argv(self, root, build, delay_ms):
        # reflex watches its working directory; start it in the tree (cwd is ignored).
        return ["/bin/sh", "-c", 'cd "$1" && shift && exec reflex -d none "$@"', "reflex", root] + self.extra + [
            "--", "/bin/sh", "-c", build + " -"]


class Entr(StampWatcher):
    """entr's documented loop for new files: `while :; do find TREE -type f | entr -n -d -s CMD;
    [ $? -eq 2 ] || exit; done` (-d: exit 2 when a directory gains a file, so the loop re-lists).
    entr has no delay option. It runs CMD once at each start."""

    name = "entr"

    def argv(self, root, build, delay_ms):
        script = ('while :; do find "$1" -type f -not -path "*/.git/*" | entr -n -d -s "$2"; rc=$?; '
                  '[ "$rc" -eq 2 ] || exit "$rc"; done')
        return ["/bin/sh", "-c", script, "entr-loop", root, build + " -"]


class Nodemon(StampWatcher):
    """`nodemon --watch TREE -e EXTS --exec 'STAMP OUT -'` (default delay: none); --legacy-watch
    (-L) polls (chokidar's fs.watchFile, 100 ms)."""

    name = "nodemon"

    def argv(self, root, build, delay_ms):
        a = [npm_bin("nodemon") or "nodemon", "--watch", root, "-e", PEER_EXTS, "--no-colours"]
        if delay_ms:
            a += ["--delay", f"{delay_ms}ms"]
        return a + self.extra + ["--exec", build + " -"]


class Chokidar(StampWatcher):
    """`chokidar TREE -c 'STAMP OUT -' [-d MS]` (chokidar-cli; default debounce 400 ms);
    --polling: fs.watchFile, 100 ms."""

    name = "chokidar"
    ready_line = "Watching"

    def argv(self, root, build, delay_ms):
        a = [npm_bin("chokidar") or "chokidar", root, "-i", "**/.git/**", "-c", build + " -", "--silent"]
        if delay_ms is not None:
            a += ["-d", str(delay_ms)]
        return a + self.extra


def peer_available(name):
    if name == "reflex":
        return shutil.which("reflex")
    if name == "entr":
        return shutil.which("entr")
    if name == "inotifywait":
        return shutil.which("inotifywait")
    if name in ("nodemon", "chokidar"):
        return npm_bin(name)
    return True


class ToolSpec:
    """One configured tool: `make()` returns a fresh Watcher. delay_ms is what the command line
    sets (None: the tool's default); effective_ms is the quiet period the tool waits for
    (subtracted from latencies); config says 'defaults', 'min delay' or both."""

    def __init__(self, key, tool, label, backend, config, delay_ms, effective_ms, factory):
        self.key, self.tool, self.label, self.backend = key, tool, label, backend
        self.config, self.delay_ms, self.effective_ms, self.factory = config, delay_ms, effective_ms, factory

    def make(self):
        w = self.factory()
        w.spec = self
        return w

    def available(self):
        return peer_available(self.tool)


def tool_specs(hotpod, backends=("inotify", "poll"), floor=True):
    """Every tool configuration of the comparison, hotpod first."""
    H = lambda *extra: (lambda: HotpodRun(hotpod, list(extra)))  # noqa: E731
    specs = []
    if "inotify" in backends:
        specs += [
            ToolSpec("hotpod", "hotpod", "hotpod", "inotify", "defaults (--delay 100ms)", 100, 100, H("--backend", "inotify")),
            ToolSpec("hotpod-d0", "hotpod", "hotpod --delay 0ms", "inotify", "min delay", 0, 0, H("--backend", "inotify")),
            ToolSpec("reflex", "reflex", "reflex", "inotify", "defaults = min (no delay option; 300 ms batch built in)", None, 0, lambda: Reflex()),
            ToolSpec("entr", "entr", "entr", "inotify", "defaults = min (no delay option)", None, 0, lambda: Entr()),
            ToolSpec("nodemon", "nodemon", "nodemon", "inotify", "defaults = min (no delay by default)", None, 0, lambda: Nodemon()),
            ToolSpec("chokidar-d0", "chokidar", "chokidar -d 0", "inotify", "min delay", 0, 0, lambda: Chokidar()),
            ToolSpec("chokidar", "chokidar", "chokidar", "inotify", "defaults (-d 400)", None, 400, lambda: Chokidar()),
        ]
        if floor:
            specs.append(ToolSpec("inotifywait", "inotifywait", "inotifywait loop", "inotify", "floor (no delay)", 0, 0, lambda: InotifywaitLoop()))
    if "poll" in backends:
        specs += [
            ToolSpec("hotpod-poll", "hotpod", "hotpod --backend poll", "poll", "defaults (500 ms interval, --delay 100ms)", 100, 100, H("--backend", "poll")),
            ToolSpec("hotpod-poll-min", "hotpod", "hotpod --backend poll --poll-interval 100ms --delay 0ms", "poll", "min delay, 100 ms interval like the peers", 0, 0,
                     H("--backend", "poll", "--poll-interval", "100ms")),
            ToolSpec("nodemon-L", "nodemon", "nodemon --legacy-watch", "poll", "defaults = min (100 ms interval)", None, 0, lambda: Nodemon(extra=["--legacy-watch"])),
            ToolSpec("chokidar-p-d0", "chokidar", "chokidar --polling -d 0", "poll", "min delay (100 ms interval)", 0, 0, lambda: Chokidar(extra=["--polling"])),
            ToolSpec("chokidar-p", "chokidar", "chokidar --polling", "poll", "defaults (-d 400, 100 ms interval)", None, 400, lambda: Chokidar(extra=["--polling"])),
        ]
    return specs


def start_and_ready(w, root, build, delay_ms, cwd, log_dir, probe_path, timeout=60):
    """Start a watcher and wait until it is watching. Returns (spawn ns, ready ns): for hotpod and
    inotifywait, the time of their ready line; for peers, the time of the probe write that ran
    the command (an upper bound)."""
    proc = w.start(root=root, build=build, delay_ms=delay_ms, cwd=cwd, log_dir=log_dir)
    if isinstance(w, StampWatcher):
        t = w.wait_ready(timeout, probe_path=probe_path)
    else:
        t = w.wait_ready(timeout)
    return proc.started_ns, t


def proc_tree_pids(pid):
    """pid and all its descendants (from /proc/*/stat ppid)."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                data = f.read()
            ppid = int(data[data.rindex(")") + 2 :].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def tree_usage(pid):
    """Sum over the process and its descendants: VmRSS KiB, CPU ms (utime+stime), process
    count. Peers are wrappers (sh → entr; node → ...): the whole tree is the tool's cost."""
    rss = cpu = n = 0
    for p in proc_tree_pids(pid):
        try:
            rss += kib(proc_status(p).get("VmRSS")) or 0
            c = cpu_ticks_ms(p)
            cpu += c["user_ms"] + c["sys_ms"]
            n += 1
        except (OSError, ValueError):
            pass
    return {"rss_kib": rss, "cpu_ms": cpu, "procs": n}


def tree_fd_info(pid):
    """fd_info summed over the process and its descendants (entr and the inotifywait loop are
    wrapped in sh)."""
    tot = {"fds": 0, "inotify_fds": 0, "inotify_watches": 0}
    for p in proc_tree_pids(pid):
        try:
            for k, v in fd_info(p).items():
                tot[k] += v
        except OSError:
            pass
    return tot


def read_stamps(path):
    """The monotonic timestamps bench/stamp.c appended to PATH (none yet: [])."""
    try:
        with open(path) as f:
            return [int(x) for x in f.read().split()]
    except FileNotFoundError:
        return []


def http_text(url, timeout=1.0):
    """GET url: its body as text, or None when there is no whole answer (refused, reset, timed
    out, or cut short: an app stopped between the headers and the body gives IncompleteRead,
    which is no OSError)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.read().decode("utf-8", "replace")
    except (OSError, ValueError, http.client.HTTPException):
        return None


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago (bind to 0, read it, close)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def stop_process(proc, grace_s=30):
    """SIGTERM, then SIGKILL to its process group if it is still there after grace_s."""
    proc.terminate()
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()
