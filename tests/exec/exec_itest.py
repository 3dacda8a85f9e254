"""hotpod exec, the app container's entrypoint, with real processes: as PID 1 of a real PID
namespace (unshare, the kernel mechanism behind a container) and as a plain child of the test.

The restart signal replaces the child (a new PID, the program file read from disk again) while
hotpod exec keeps its PID; a crashing child is restarted with back-off and hotpod exec stays up;
orphans are reaped; SIGTERM stops the child gracefully and hotpod exec exits with its status.
Tests wait for log events, state-file contents and PIDs; timeouts only catch hangs."""
import json
import os
import signal
import subprocess
import threading
import time
import unittest

from hotpod_harness import (HANG_TIMEOUT, TempTree, alive, can_unshare_pid, children_of,
                            namespace_pid, namespace_processes, record_ns, run_hotpod, skip,
                            wait_until, write)

UNSHARE = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"]

# A well-behaved app: says its version and PID, orphans a short-lived grandchild (a double
# fork), notes SIGTERM, SIGHUP and SIGUSR1 in a marker file. SIGTERM ends it with status 7.
# Short foreground sleeps, because a shell runs its trap only once the foreground command is
# done (`sleep 1000 & wait` loses a signal that lands between the fork and the wait).
APP = """#!/bin/sh
trap 'echo "term {version} $$" >> "{marker}"; exit 7' TERM
trap 'echo "hup {version} $$" >> "{marker}"' HUP
trap 'echo "usr1 {version} $$" >> "{marker}"' USR1
(sh -c 'sleep 0.1' &)
echo "ready {version} $$"
while :; do sleep 0.05; done
"""

CRASHING_APP = """#!/bin/sh
echo "crash {version} $$"
exit 3
"""

# Notes every signal it gets by number; tini passes all of these on, so must hotpod exec.
# SIGTSTP (20) is trapped, so the app notes it instead of stopping.
NOTING_APP = """#!/bin/sh
for n in {numbers}; do trap "echo got $n >> '{marker}'" $n; done
echo "ready {version} $$"
while :; do sleep 0.05; done
"""

# Ignores the stop signal, like a wedged app; its sleep inherits the ignored SIGTERM.
STUBBORN_APP = """#!/bin/sh
trap '' TERM
echo "ready {version} $$"
while :; do sleep 1000; done
"""


def pgid(pid):
    """The process group of pid; None once it has gone (the app's sleeps come and go)."""
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def ns_pid(pid):
    """pid's PID inside its namespace; None once it has gone."""
    try:
        return namespace_pid(pid)
    except OSError:
        return None


def cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().decode().split("\0")


class ExecTest(TempTree):
    def setUp(self):
        super().setUp()
        self.app = os.path.join(self.dir, "src", "bin", "app")  # the shared volume's binary
        self.marker = os.path.join(self.dir, "marker")
        self.state_file = os.path.join(self.dir, "shared", "exec.json")
        os.makedirs(os.path.dirname(self.state_file))
        self.install_app("v1")

    def install_app(self, version, template=APP):
        """Writes the program as a build does: a new file renamed over the old one."""
        new = self.app + ".new"
        write(new, template.format(version=version, marker=self.marker))
        os.chmod(new, 0o755)
        os.rename(new, self.app)

    def start_exec(self, args, pid1):
        """Starts `hotpod exec ARGS -- APP`; returns the harness and hotpod exec's host PID."""
        hp = self.start([*args, "--", self.app], command="exec", wrapper=UNSHARE if pid1 else ())
        hp.wait_for("exec_started", pid1=pid1)
        if not pid1:
            return hp, hp.pid
        kids = children_of(hp.pid)  # unshare's one child: hotpod exec, PID 1 inside
        self.assertEqual(len(kids), 1, kids)
        self.assertEqual(namespace_pid(kids[0][0]), 1, "hotpod exec is not PID 1")
        return hp, kids[0][0]

    def markers(self):
        try:
            with open(self.marker) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def read_state(self):
        try:
            with open(self.state_file) as f:
                return json.load(f)  # never half a file: it is replaced atomically
        except FileNotFoundError:
            return None

    def wait_state(self, predicate):
        def check():
            state = self.read_state()
            return state if state and predicate(state) else None
        return wait_until(f"the state file to match (last: {self.read_state()})", check)

    def assert_no_zombies(self, exec_pid):
        """No zombie is left below hotpod exec. The app's shell reaps its own `sleep`s a moment
        after they exit, so a zombie counts only if it is still there a little later."""
        def zombies():
            return {p for p, state in namespace_processes(exec_pid) if state == "Z"}
        seen = zombies()
        if seen:
            time.sleep(0.5)
            self.assertEqual(seen & zombies(), set(), namespace_processes(exec_pid))

    def test_as_pid_1_the_restart_signal_runs_the_rebuilt_program(self):
        hp, exec_pid = self.start_exec(
            ["--state-file", self.state_file, "--log-level", "debug"], pid1=True)
        _, first = hp.wait_for("app_started")
        # The app's output passes through unchanged: a plain line, not a JSON log record.
        hp.wait_for("unparsed", msg=f"ready v1 {first['pid']}")
        state = self.wait_state(lambda s: s["state"] == "running")
        self.assertEqual((state["pid"], state["child_pid"], state["restarts"]),
                         (1, first["pid"], 0))
        # The marker the agent looks for.
        with open(f"/proc/{exec_pid}/comm") as f:
            self.assertEqual(f.read().strip(), "hotpod-exec")
        argv = cmdline(exec_pid)
        self.assertEqual((os.path.basename(argv[0]), argv[1]), ("hotpod", "exec"))

        self.install_app("v2")  # the sidecar rebuilt the binary in the shared volume
        mark = hp.mark()
        # The restart signal comes from inside the namespace, as from a sidecar that shares it.
        # From there PID 1 receives only the signals it handles (not even SIGKILL).
        subprocess.run(["nsenter", "--target", str(exec_pid), "--pid", "--",
                        "kill", "-USR2", "1"], check=True, timeout=HANG_TIMEOUT)
        hp.wait_for("restart_requested", after=mark, signal="SIGUSR2", pid=first["pid"])
        _, second = hp.wait_for("app_started", after=mark)
        self.assertNotEqual(second["pid"], first["pid"])
        hp.wait_for("unparsed", after=mark, msg=f"ready v2 {second['pid']}")
        hp.wait_for("child_restarted", after=mark, pid=second["pid"], old_pid=first["pid"])
        self.assertIn(f"term v1 {first['pid']}", self.markers(), "the old app got no SIGTERM")
        state = self.wait_state(lambda s: s["restarts"] == 1 and s["state"] == "running")
        self.assertEqual(state["child_pid"], second["pid"])
        self.assertEqual((state["last_exit"], state["last_exit_code"]), ("exit code 7", 7))
        self.assertEqual((state["pid"], state["command"], state["restart_signal"]),
                         (1, [self.app], "SIGUSR2"))

        # Each app orphaned a grandchild that exited: PID 1 reaped them; no zombie is left, and
        # all that remains in the namespace is the new app's process group.
        hp.wait_for("orphan_reaped", total=2)
        app_host_pid = [p for p, _ in children_of(exec_pid) if ns_pid(p) == second["pid"]]
        self.assertEqual(len(app_host_pid), 1)
        wait_until("the orphans to be gone",
                        lambda: [p for p, _ in children_of(exec_pid)] == app_host_pid)
        self.assertEqual([p for p, _ in namespace_processes(exec_pid)
                          if pgid(p) not in (app_host_pid[0], None)], [], "an old app survived")
        self.assert_no_zombies(exec_pid)
        self.assertEqual([p for p, _ in children_of(hp.pid)], [exec_pid], "hotpod exec changed")

        # The runtime stops the container: the app gets SIGTERM, hotpod exec exits with its 7.
        os.kill(exec_pid, signal.SIGTERM)
        self.assertEqual(hp.proc.wait(HANG_TIMEOUT), 7, hp.log_tail())
        self.assertIn(f"term v2 {second['pid']}", self.markers())
        state = self.read_state()
        self.assertEqual((state["state"], state["child_pid"], state["last_exit_code"]),
                         ("stopped", None, 7))

    def test_as_pid_1_a_crashing_child_is_restarted_with_backoff_and_exec_stays_up(self):
        self.install_app("v1", CRASHING_APP)
        hp, exec_pid = self.start_exec(["--state-file", self.state_file], pid1=True)
        mark, crashes = 0, []
        for _ in range(3):
            mark, crash = hp.wait_for("app_crashed", after=mark)
            mark += 1
            self.assertEqual(crash["exit_code"], 3)
            crashes.append(crash)
        self.assertEqual([c["backoff_ms"] for c in crashes], [500, 1000, 2000])
        # Each restart waited for its back-off.
        starts = hp.find_all("app_started")
        for crash, next_start in zip(crashes[:2], starts[1:3]):
            waited = (record_ns(next_start) - record_ns(crash)) / 1e9
            self.assertGreaterEqual(waited, crash["backoff_ms"] / 1000 * 0.9, hp.log_tail())
        state = self.wait_state(lambda s: s["state"] == "backoff" and s["restarts"] >= 2)
        self.assertEqual((state["child_pid"], state["last_exit"], state["last_exit_code"]),
                         (None, "exit code 3", 3))
        self.assertTrue(alive(exec_pid), "the container (hotpod exec) went down")
        self.assertEqual(hp.proc.poll(), None)

        # A fixed build and the restart signal: the app starts at once, not after the 4 s wait.
        self.install_app("v2")
        mark = hp.mark()
        os.kill(exec_pid, signal.SIGUSR2)
        _, requested = hp.wait_for("restart_requested", after=mark)
        _, started = hp.wait_for("app_started", after=mark)
        hp.wait_for("unparsed", after=mark, msg=f"ready v2 {started['pid']}")
        self.assertLess((record_ns(started) - record_ns(requested)) / 1e9, 1.0)
        self.wait_state(lambda s: s["state"] == "running" and s["child_pid"] == started["pid"])
        os.kill(exec_pid, signal.SIGTERM)
        self.assertEqual(hp.proc.wait(HANG_TIMEOUT), 7, hp.log_tail())

    def test_as_a_plain_child_it_is_a_subreaper_restarts_and_exits_with_the_child(self):
        hp, exec_pid = self.start_exec(["--log-level", "debug"], pid1=False)
        _, first = hp.wait_for("app_started")
        hp.wait_for("unparsed", msg=f"ready v1 {first['pid']}")
        hp.wait_for("orphan_reaped", total=1)  # the grandchild came back to the subreaper
        mark = hp.mark()
        os.kill(exec_pid, signal.SIGUSR2)
        _, second = hp.wait_for("app_started", after=mark)
        self.assertNotEqual(second["pid"], first["pid"])
        hp.wait_for("unparsed", after=mark, msg=f"ready v1 {second['pid']}")
        self.assertFalse(alive(first["pid"]))
        hp.wait_for("orphan_reaped", total=2)
        # The new app's orphan exits too and is reaped: only the app itself is left, no zombie.
        wait_until("only the new app to be left",
                        lambda: [p for p, _ in children_of(exec_pid)] == [second["pid"]])
        self.assert_no_zombies(exec_pid)
        hp.proc.send_signal(signal.SIGTERM)
        self.assertEqual(hp.proc.wait(HANG_TIMEOUT), 7, hp.log_tail())
        self.assertIn(f"term v1 {second['pid']}", self.markers())
        self.assertFalse(alive(second["pid"]))

    def test_forwarded_signals_reach_the_child_group_and_restart_nothing(self):
        hp, exec_pid = self.start_exec([], pid1=False)
        _, started = hp.wait_for("app_started")
        hp.wait_for("unparsed", msg=f"ready v1 {started['pid']}")
        for sig, word in ((signal.SIGHUP, "hup"), (signal.SIGUSR1, "usr1")):
            os.kill(exec_pid, sig)
            hp.wait_for("signal_forwarded", signal=sig.name, pid=started["pid"])
            wait_until(f"the app to note {sig.name}",
                            lambda: f"{word} v1 {started['pid']}" in self.markers())
        self.assertEqual(hp.count("app_started"), 1)
        self.assertEqual(hp.count("app_crashed") + hp.count("app_stopped"), 0, hp.log_tail())
        self.assertTrue(alive(started["pid"]))

    def test_every_signal_not_reserved_for_hotpod_exec_reaches_the_app(self):
        passed = [signal.SIGWINCH, signal.SIGALRM, signal.SIGCONT, signal.SIGTSTP, signal.SIGUSR2,
                  signal.SIGURG, signal.SIGPWR, signal.SIGRTMIN + 3, signal.SIGRTMAX]
        numbers = " ".join(str(int(s)) for s in passed)
        self.install_app("v1", NOTING_APP.replace("{numbers}", numbers))
        # With another restart signal, SIGUSR2 is the app's own.
        hp, exec_pid = self.start_exec(["--restart-signal", "SIGRTMIN+1"], pid1=False)
        _, started = hp.wait_for("app_started")
        hp.wait_for("unparsed", msg=f"ready v1 {started['pid']}")
        for sig in passed:
            os.kill(exec_pid, sig)
            wait_until(f"the app to note signal {int(sig)}",
                            lambda: f"got {int(sig)}" in self.markers())
        self.assertEqual(hp.count("app_started"), 1, hp.log_tail())
        self.assertTrue(alive(exec_pid) and alive(started["pid"]), hp.log_tail())
        hp.proc.send_signal(signal.SIGTERM)
        self.assertEqual(hp.proc.wait(HANG_TIMEOUT), 128 + signal.SIGTERM, hp.log_tail())

    def test_exit_with_child_exits_with_its_code_or_128_plus_signal(self):
        self.install_app("v1", CRASHING_APP)
        hp, _ = self.start_exec(["--exit-with-child"], pid1=False)
        self.assertEqual(hp.proc.wait(HANG_TIMEOUT), 3, hp.log_tail())
        self.assertEqual(hp.count("app_started"), 1, "it restarted the child")
        hp.wait_for("exec_exiting", exit_code=3)

        self.install_app("v1", "#!/bin/sh\nkill -KILL $$\n")
        hp, _ = self.start_exec(["--exit-with-child"], pid1=False)
        self.assertEqual(hp.proc.wait(HANG_TIMEOUT), 128 + 9, hp.log_tail())

        os.remove(self.app)  # a program that is not there, as a shell would say: 127
        hp, _ = self.start_exec(["--exit-with-child"], pid1=False)
        self.assertEqual(hp.proc.wait(HANG_TIMEOUT), 127, hp.log_tail())

    def test_a_missing_program_is_retried_until_the_build_puts_it_there(self):
        os.remove(self.app)  # the sidecar's first build has not finished yet
        hp, _ = self.start_exec(["--state-file", self.state_file], pid1=False)
        hp.wait_for("app_start_failed", backoff_ms=1000)
        self.assertEqual(self.read_state()["last_exit_code"], 127)
        self.install_app("v1")
        _, started = hp.wait_for("app_started")
        hp.wait_for("unparsed", msg=f"ready v1 {started['pid']}")
        hp.proc.send_signal(signal.SIGTERM)
        self.assertEqual(hp.proc.wait(HANG_TIMEOUT), 7, hp.log_tail())

    def test_sigint_stops_a_child_that_ignores_the_stop_signal_with_sigkill(self):
        self.install_app("v1", STUBBORN_APP)
        hp, exec_pid = self.start_exec(["--stop-timeout", "300ms"], pid1=False)
        _, started = hp.wait_for("app_started")
        hp.wait_for("unparsed", msg=f"ready v1 {started['pid']}")
        os.kill(exec_pid, signal.SIGINT)
        self.assertEqual(hp.proc.wait(HANG_TIMEOUT), 128 + 9, hp.log_tail())
        hp.wait_for("kill", pid=started["pid"])
        self.assertFalse(alive(started["pid"]))

    def test_state_file_is_always_whole_json_across_many_restarts(self):
        hp, exec_pid = self.start_exec(["--state-file", self.state_file], pid1=False)
        self.wait_state(lambda s: s["state"] == "running")
        seen, errors, done = set(), [], threading.Event()

        def reader():
            while not done.is_set():
                try:
                    with open(self.state_file) as f:
                        seen.add(json.load(f)["restarts"])
                except ValueError as e:  # a torn write would show up here
                    errors.append(repr(e))
                time.sleep(0.001)  # leave the GIL to the threads that read hotpod's log

        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        for n in range(1, 21):
            mark = hp.mark()
            os.kill(exec_pid, signal.SIGUSR2)
            _, started = hp.wait_for("app_started", after=mark)
            hp.wait_for("unparsed", after=mark, msg=f"ready v1 {started['pid']}")
        self.wait_state(lambda s: s["restarts"] == 20 and s["state"] == "running")
        done.set()
        thread.join(10)
        self.assertEqual(errors, [])
        self.assertGreater(len(seen), 1, "the reader saw only one version")
        leftovers = [n for n in os.listdir(os.path.dirname(self.state_file)) if n != "exec.json"]
        self.assertEqual(leftovers, [], "temp files left behind")
        hp.proc.send_signal(signal.SIGTERM)
        self.assertEqual(hp.proc.wait(HANG_TIMEOUT), 7, hp.log_tail())

    def test_usage_errors_exit_2_and_say_what_to_do(self):
        cases = [
            (["--restart-signal", "SIGTERM", "--", "true"], "is forwarded to the app"),
            (["--restart-signal", "KILL", "--", "true"], "cannot be caught"),
            (["--stop-timeout", "5x", "--", "true"], "--stop-timeout"),
            (["--stop-signal", "SIGNOPE", "--", "true"], "--stop-signal"),
            (["--state-file", os.path.join(self.dir, "missing", "x.json"), "--", "true"],
             "--state-file"),
            ([], "no command to run"),
        ]
        for args, expected in cases:
            result = run_hotpod(["exec", *args])
            self.assertEqual(result.returncode, 2, (args, result.stderr))
            self.assertIn(expected, result.stderr, args)


if __name__ == "__main__":
    if os.geteuid() != 0:
        skip("needs root (PID namespaces with unshare --pid) " + "!" * 20)
    if not can_unshare_pid():
        skip("needs unshare --pid (util-linux) to make a PID namespace " + "!" * 20)
    unittest.main()
