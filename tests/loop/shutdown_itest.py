"""Shutdown order: on SIGTERM the app gets its stop signal first and /healthz keeps answering
until it is gone; the HTTP server stops last. A forced stop (a second Ctrl-C) exits non-zero."""
import os
import select
import signal
import sys
import unittest

from hotpod_harness import TempTree, alive, http_request, write

PY = sys.executable
FORCED_STOP_EXIT_CODE = 128 + signal.SIGINT

# Says when SIGTERM arrives, and stays until SIGKILL.
STUBBORN_APP = (
    "import signal, time\n"
    "signal.signal(signal.SIGTERM, lambda *_: print('got SIGTERM', flush=True))\n"
    "print('ready', flush=True)\n"
    "while True: time.sleep(1000)\n")

# Says which signals it gets; SIGTERM ends it.
NOTING_APP = (
    "import signal, time\n"
    "for s in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM, signal.SIGRTMIN + 2):\n"
    "    signal.signal(s, lambda n, _: print('got', n, flush=True))\n"
    "print('ready', flush=True)\n"
    "while True: time.sleep(1000)\n")


class ShutdownTest(TempTree):
    def start_stubborn_app(self, stop_timeout):
        src = os.path.join(self.dir, "src")
        write(os.path.join(src, "main.txt"), "v1\n")
        app = os.path.join(self.dir, "stubborn.py")  # outside the watched tree
        write(app, STUBBORN_APP)
        write(os.path.join(self.dir, "hotpod.yaml"),
              f"root: src\nrun:\n  cmd: [{PY}, {app}]\n  stop_timeout: {stop_timeout}\n")
        hp = self.start(["-c", os.path.join(self.dir, "hotpod.yaml")])
        _, started = hp.wait_for("app_started")
        hp.wait_for("output", source="app", msg="ready")
        self.addCleanup(lambda: alive(started["pid"]) and os.kill(started["pid"], signal.SIGKILL))
        hp.http_port()
        return hp, started["pid"]

    def test_the_app_stops_first_and_healthz_answers_until_it_is_gone(self):
        hp, app = self.start_stubborn_app("60s")
        healthz = hp.url("/healthz")
        mark = hp.mark()
        hp.proc.send_signal(signal.SIGTERM)
        hp.wait_for("output", after=mark, source="app", msg="got SIGTERM")
        self.assertEqual(http_request(healthz), (200, "ok\n"),
                         "/healthz must answer while the app is being stopped")
        os.kill(app, signal.SIGKILL)  # the app ends: hotpod finishes its stop
        self.assertEqual(hp.stop(), 0, hp.log_tail())

    def test_a_second_ctrl_c_forces_the_stop_and_exits_non_zero(self):
        hp, app = self.start_stubborn_app("60s")
        app_ended = os.pidfd_open(app)
        self.addCleanup(os.close, app_ended)
        mark = hp.mark()
        hp.proc.send_signal(signal.SIGINT)
        hp.wait_for("output", after=mark, source="app", msg="got SIGTERM")
        code = hp.stop(signal.SIGINT)
        self.assertEqual(code, FORCED_STOP_EXIT_CODE, hp.log_tail())
        self.assertTrue(select.select([app_ended], [], [], 30)[0], "a forced stop kills the app")

    def test_stray_signals_reach_the_app_and_do_not_kill_hotpod_run(self):
        src, tmp = os.path.join(self.dir, "src"), os.path.join(self.dir, "tmp")
        write(os.path.join(src, "main.txt"), "v1\n")
        os.mkdir(tmp)
        app = os.path.join(self.dir, "noting.py")
        write(app, NOTING_APP)
        run_dir = os.path.join(self.dir, "run")  # the group journal's, kept apart
        os.mkdir(run_dir, 0o700)
        hp = self.start(["--root", src, "--", PY, app],
                        env={"TMPDIR": tmp, "XDG_RUNTIME_DIR": run_dir})
        _, started = hp.wait_for("app_started")
        hp.wait_for("output", source="app", msg="ready")
        self.addCleanup(lambda: alive(started["pid"]) and os.kill(started["pid"], signal.SIGKILL))
        # The zero-config build output (hotpod-zero-*) is meant to stay; the scratch is not.
        def scratch():
            return [n for n in os.listdir(tmp) if not n.startswith("hotpod-zero-")]
        self.assertEqual(len(scratch()), 1, "hotpod's scratch directory")
        for sig in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM, signal.SIGRTMIN + 2):
            hp.proc.send_signal(sig)
            hp.wait_for("output", source="app", msg=f"got {int(sig)}")
        self.assertIsNone(hp.proc.poll(), hp.log_tail())
        self.assertEqual(hp.count("app_started"), 1, hp.log_tail())
        self.assertEqual(hp.stop(), 0, hp.log_tail())
        self.assertFalse(alive(started["pid"]), "the app outlived hotpod run")
        self.assertEqual(scratch(), [], "hotpod's scratch directory was left behind")


if __name__ == "__main__":
    unittest.main()
