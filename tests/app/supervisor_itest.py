"""The app supervisor with real processes: stop escalation, no zombies, no leaked fds,
clean shutdown, crash back-off, and no overlap between the old and the new app."""
import os
import signal
import socket
import sys
import unittest

from hotpod_harness import TempTree, alive, children_of, free_port, open_fds, write

PY = sys.executable


class SupervisorTest(TempTree):
    def setUp(self):
        super().setUp()
        self.src = os.path.join(self.dir, "src")
        write(os.path.join(self.src, "app.txt"), "v1\n")

    def app_script(self, name, body):
        path = os.path.join(self.dir, name)  # outside the watched tree
        write(path, body)
        return path

    def touch(self, n):
        write(os.path.join(self.src, "app.txt"), f"v{n}\n")

    def test_app_that_ignores_sigterm_is_killed_after_stop_timeout(self):
        app = self.app_script("stubborn.py", (
            "import signal, sys, time\n"
            "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "print('ready', flush=True)\n"
            "while True: time.sleep(1)\n"))
        write(os.path.join(self.dir, "hotpod.yaml"),
              f"root: src\nrun:\n  cmd: [{PY}, {app}]\n  stop_timeout: 1s\n")
        hp = self.start(["-c", os.path.join(self.dir, "hotpod.yaml")])
        _, started = hp.wait_for("app_started")
        hp.wait_for("output", source="app", msg="ready")
        mark = hp.mark()
        self.touch(2)
        _, stopped = hp.wait_for("app_stopped", after=mark)
        self.assertIn("killed by SIGKILL", stopped["msg"])
        hp.wait_for("kill", after=mark, pid=started["pid"])
        self.assertFalse(alive(started["pid"]))
        _, restarted = hp.wait_for("app_started", after=mark)
        self.assertNotEqual(restarted["pid"], started["pid"])

    def test_200_restarts_of_an_app_with_grandchildren_leave_no_zombies_or_fds(self):
        # The app orphans a grandchild (reparented to hotpod, the subreaper) and keeps a child.
        app = self.app_script("forky.sh", (
            "#!/bin/sh\n"
            "(sleep 1000 &)\n"
            "sleep 1000 &\n"
            "echo ready\n"
            "wait\n"))
        os.chmod(app, 0o755)
        hp = self.start(["--root", self.src, "--delay", "20ms", "--log-level", "debug", "--", app])
        hp.wait_for("output", source="app", msg="ready")
        baseline_fds = open_fds(hp.pid)
        for n in range(2, 202):
            mark = hp.mark()
            self.touch(n)
            hp.wait_for("app_started", after=mark)
            hp.wait_for("output", after=mark, source="app", msg="ready")
        self.assertEqual(hp.count("app_started"), 201, hp.log_tail())
        hp.wait_for("orphan_reaped", total=200)  # each old app's orphaned grandchild
        # Everything of the old groups is gone and reaped: only the live app's group remains.
        _, last = hp.wait_for("app_started", after=mark)
        kids = children_of(hp.pid)
        zombies = [pid for pid, state in kids if state == "Z"]
        self.assertEqual(zombies, [], "zombie children of hotpod")
        self.assertLessEqual(len(kids), 2, f"children of hotpod: {kids}")  # app + orphan
        for pid, _ in kids:
            self.assertEqual(os.getpgid(pid), last["pid"], "a process of an old app survived")
        self.assertEqual(open_fds(hp.pid), baseline_fds, "hotpod leaked file descriptors")

    def test_a_daemon_the_app_double_forked_goes_with_its_generation(self):
        # The daemon leaves the app's session (setsid) and is adopted by hotpod, the subreaper;
        # it ignores SIGTERM, so only the SIGKILL after stop_timeout ends it.
        daemons = os.path.join(self.dir, "daemons")
        app = self.app_script("daemonizing.py", (
            "import os, signal, time\n"
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    if os.fork() == 0:\n"
            "        signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            f"        with open({daemons!r}, 'a') as f: f.write(f'{{os.getpid()}}\\n')\n"
            "        print('daemon ready', flush=True)\n"
            "        while True: time.sleep(1000)\n"
            "    os._exit(0)\n"
            "os.wait()\n"
            "while True: time.sleep(1000)\n"))
        write(os.path.join(self.dir, "hotpod.yaml"),
              f"root: src\nrun:\n  cmd: [{PY}, {app}]\n  stop_timeout: 1s\n")
        hp = self.start(["-c", os.path.join(self.dir, "hotpod.yaml")])
        hp.wait_for("output", source="app", msg="daemon ready")

        def last_daemon():
            with open(daemons) as f:
                return int(f.read().split()[-1])
        old_daemon = last_daemon()
        self.addCleanup(lambda: alive(old_daemon) and os.kill(old_daemon, signal.SIGKILL))
        self.assertNotEqual(os.getsid(old_daemon), hp.find_all("app_started")[-1]["pid"])
        mark = hp.mark()
        self.touch(2)
        hp.wait_for("app_started", after=mark)
        self.assertFalse(alive(old_daemon), "the old app's daemon survived the restart")
        hp.wait_for("output", after=mark, source="app", msg="daemon ready")
        new_daemon = last_daemon()
        self.assertNotEqual(new_daemon, old_daemon)
        self.assertTrue(alive(new_daemon), "the new generation's daemon was killed")

        self.assertEqual(hp.stop(), 0, hp.log_tail())
        self.assertFalse(alive(new_daemon), "the daemon survived hotpod's stop")

    def test_sigterm_to_hotpod_stops_the_app_and_exits_0(self):
        app = self.app_script("server.py", (
            "import socket, time\n"
            "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
            "print('ready', flush=True)\n"
            "while True: time.sleep(1)\n"))
        hp = self.start(["--root", self.src, "--", PY, app])
        _, started = hp.wait_for("app_started")
        hp.wait_for("output", source="app", msg="ready")
        self.assertEqual(hp.stop(signal.SIGTERM), 0, hp.log_tail())
        self.assertFalse(alive(started["pid"]), "the app outlived hotpod")
        self.assertTrue(hp.find_all("app_stopped"))

    def test_sigint_to_hotpod_exits_0_too(self):
        hp = self.start(["--root", self.src, "--", "sleep", "1000"])
        _, started = hp.wait_for("app_started")
        self.assertEqual(hp.stop(signal.SIGINT), 0, hp.log_tail())
        self.assertFalse(alive(started["pid"]))

    def test_crashing_app_is_restarted_with_growing_backoff(self):
        app = self.app_script("crash.sh", "echo crashing; exit 3\n")
        hp = self.start(["--root", self.src, "--", "/bin/sh", app])
        backoffs = []
        mark = 0
        for _ in range(3):
            mark, crash = hp.wait_for("app_crashed", after=mark)
            mark += 1
            self.assertEqual(crash["exit_code"], 3)
            backoffs.append(crash["backoff_ms"])
        self.assertEqual(backoffs, [500, 1000, 2000])
        # A change restarts it at once and resets the back-off.
        self.touch(2)
        _, after = hp.wait_for("app_crashed", after=mark)
        self.assertEqual(after["backoff_ms"], 500, hp.log_tail())

    def test_new_app_starts_only_after_the_old_one_released_its_port(self):
        port = free_port()
        # Slow to shut down, and binds without SO_REUSEADDR: an overlap would be EADDRINUSE.
        app = self.app_script("slowstop.py", (
            "import signal, socket, sys, time\n"
            "s = socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()\n"
            "def bye(*_):\n"
            "    time.sleep(0.3); sys.exit(0)\n"
            "signal.signal(signal.SIGTERM, bye)\n"
            "print('ready', flush=True)\n"
            "while True: time.sleep(1)\n"))
        hp = self.start(["--root", self.src, "--delay", "1ms", "--", PY, app, str(port)])
        hp.wait_for("output", source="app", msg="ready")
        for n in range(2, 7):
            mark = hp.mark()
            self.touch(n)
            hp.wait_for("output", after=mark, source="app", msg="ready")
        self.assertEqual(hp.count("app_crashed"), 0, hp.log_tail())
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass


if __name__ == "__main__":
    unittest.main()
