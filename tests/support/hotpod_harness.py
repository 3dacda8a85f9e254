"""Drives a real `hotpod` process for integration tests.

hotpod runs with --log-format json; every log line is parsed and kept, and tests wait for
records (build_finished, app_started, ...) instead of sleeping. Timeouts only catch hangs.
"""
import calendar
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

HOTPOD = os.environ.get("HOTPOD_BIN") or shutil.which("hotpod")
SOURCE_DIR = os.environ.get("HOTPOD_SOURCE_DIR", os.path.abspath(os.path.join(
    os.path.dirname(__file__), "..", "..")))
# The static binaries and packages of `make dist` (make test makes them before the suite runs).
DIST_DIR = os.environ.get("HOTPOD_DIST_DIR", os.path.join(SOURCE_DIR, "dist"))
HANG_TIMEOUT = 120  # seconds; only to turn a hang into a failure
# Set by `make test-asan`: the binary carries ASan's shadow memory and quarantine, so its RSS
# says nothing about hotpod's (LeakSanitizer checks leaks there instead).
SANITIZED = os.environ.get("HOTPOD_TEST_SANITIZED") == "1"


def wait_until(what, predicate, timeout=HANG_TIMEOUT, detail=lambda: "", interval=0.02):
    """Polls predicate() until it returns something true and returns that; fails after
    timeout (which only a hang reaches) with `what` and detail(). For conditions no event
    announces: a file's content, another process's state."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{detail()}")
        time.sleep(interval)


def skip(reason):
    """Exit the whole test file as SKIPPED (ctest SKIP_RETURN_CODE 77), loudly."""
    print(f"SKIPPED: {reason}", flush=True)
    sys.exit(77)


class Hotpod:
    def __init__(self, args, cwd, env=None, command="run", wrapper=(), binary=None):
        self.records = []
        self.raw = []
        self._cond = threading.Condition()
        full_env = dict(os.environ)
        full_env.update(env or {})
        # Tests run side by side: each hotpod's HTTP server takes a free port (see http_port).
        listen = []
        if command in ("run", "agent") and "--listen" not in args and "HOTPOD_LISTEN" not in full_env:
            listen = ["--listen", "127.0.0.1:0"]
        argv = [*wrapper, binary or HOTPOD, command, "--log-format", "json", *listen, *args]
        self.proc = subprocess.Popen(argv, cwd=cwd, env=full_env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
        self._readers = [threading.Thread(target=self._read, args=(s,), daemon=True)
                         for s in (self.proc.stderr, self.proc.stdout)]
        for t in self._readers:
            t.start()

    @property
    def pid(self):
        return self.proc.pid

    def _read(self, stream):
        for line in stream:
            line = line.rstrip("\n")
            with self._cond:
                self.raw.append(line)
                try:
                    record = json.loads(line)
                except ValueError:
                    record = {"event": "unparsed", "msg": line}
                self.records.append(record)
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def _drain(self):
        """Once hotpod has exited, its last lines may still be in the pipes: read them first
        (`proc.wait()` returns before the reader threads reach end of file)."""
        if self.proc.poll() is not None:
            for t in self._readers:
                t.join(5)  # as _close: a surviving grandchild may hold the pipe

    def log_tail(self, n=60):
        self._drain()
        with self._cond:
            return "\n".join(line if len(line) < 600 else line[:600] + " …"
                             for line in self.raw[-n:])

    def count(self, event, **fields):
        self._drain()
        with self._cond:
            return sum(1 for r in self.records if _matches(r, event, fields))

    def find_all(self, event, **fields):
        self._drain()
        with self._cond:
            return [r for r in self.records if _matches(r, event, fields)]

    def wait_for(self, event, after=0, timeout=HANG_TIMEOUT, **fields):
        """Waits for the first record at index >= after matching event and fields.

        Returns (index, record). Fails with the log tail if hotpod exits or time runs out.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for i in range(after, len(self.records)):
                    if _matches(self.records[i], event, fields):
                        return i, self.records[i]
                if self.proc.poll() is not None and all(not t.is_alive() for t in self._readers):
                    raise AssertionError(
                        f"hotpod exited ({self.proc.returncode}) before '{event}' {fields}:\n"
                        + self.log_tail())
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no '{event}' {fields} within {timeout}s:\n"
                                         + self.log_tail())
                self._cond.wait(min(remaining, 1.0))

    def http_port(self):
        """The port hotpod's HTTP server bound (awaits its http_listening record)."""
        return self.wait_for("http_listening")[1]["port"]

    def url(self, path):
        return f"http://127.0.0.1:{self.http_port()}{path}"

    def mark(self):
        """Index of the next record: wait_for(..., after=mark) sees only what comes next."""
        with self._cond:
            return len(self.records)

    def stop(self, sig=signal.SIGTERM, timeout=HANG_TIMEOUT):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            self._close()

    def kill(self):
        """Cleanup: a graceful stop first (so hotpod stops the app it runs), then SIGKILL."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._close()

    def _close(self):
        for t in self._readers:
            t.join(5)
        for stream in (self.proc.stdout, self.proc.stderr):
            if not stream.closed:
                stream.close()


def _matches(record, event, fields):
    if record.get("event") != event:
        return False
    return all(record.get(k) == v for k, v in fields.items())


def run_hotpod(args, cwd=None, timeout=HANG_TIMEOUT, env=None):
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([HOTPOD, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=full_env)


def assert_promtool_clean(test, metrics_text):
    """The real `promtool check metrics` accepts the exposition without a remark."""
    promtool = shutil.which("promtool")
    if promtool is None:
        test.fail("promtool is missing: run scripts/install-deps.sh (package prometheus)")
    check = subprocess.run([promtool, "check", "metrics"], input=metrics_text, text=True,
                           capture_output=True, timeout=60)
    test.assertEqual(check.returncode, 0, check.stdout + check.stderr)
    test.assertEqual(check.stdout + check.stderr, "", "promtool has remarks")


def http_get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode()


def http_request(url, method="GET", headers=None, data=None, timeout=10):
    """(status, body) for any answer, 4xx and 5xx included."""
    request = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def record_ns(record):
    """A JSON record's ts (UTC, microseconds) as nanoseconds since the epoch, time.time_ns()'s
    clock."""
    whole, _, micros = record["ts"].rstrip("Z").partition(".")
    seconds = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S"))
    return seconds * 10**9 + int(micros.ljust(6, "0")[:6]) * 1000


def write(path, text, mode="w"):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, mode) as f:
        f.write(text)


def children_of(pid):
    """PIDs whose parent is pid, with their state letter (Z = zombie)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[1]) == pid:
            out.append((int(entry), fields[0]))
    return out


def can_unshare_pid():
    """True when this process may make a PID namespace (root and util-linux's unshare)."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"],
                           capture_output=True)
    return probe.returncode == 0


def namespace_processes(host_pid):
    """(pid, state) of host_pid's descendants, read from the host's /proc."""
    found, frontier = [], [host_pid]
    while frontier:
        parent = frontier.pop()
        for pid, state in children_of(parent):
            found.append((pid, state))
            frontier.append(pid)
    return found


def namespace_pid(host_pid):
    """The PID that host_pid has inside its own (innermost) PID namespace."""
    with open(f"/proc/{host_pid}/status") as f:
        return int([line for line in f if line.startswith("NSpid:")][0].split()[-1])


def open_fds(pid):
    """What a process has open, by kind ("pipe", "anon_inode:[pidfd]", a path …): a leak
    adds to it, while a reused descriptor number does not change it."""
    kinds = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue  # closed meanwhile
        kinds.append(target.split(":[")[0] if target.startswith(("pipe:", "socket:")) else target)
    return sorted(kinds)


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except OSError:
        return False


class TempTree(unittest.TestCase):
    """A test case with a fresh temporary directory in self.dir."""

    def setUp(self):
        if not HOTPOD or not os.path.exists(HOTPOD):
            self.fail("HOTPOD_BIN is not set to the hotpod binary")
        self.dir = tempfile.mkdtemp(prefix="hotpod-itest-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        self.hotpods = []

    def start(self, args, cwd=None, **kw):
        hp = Hotpod(args, cwd or self.dir, **kw)
        self.hotpods.append(hp)
        self.addCleanup(hp.kill)
        return hp
