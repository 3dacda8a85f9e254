"""Two hotpods on one root (issue 22, third round): A runs, B starts beside it, A is SIGKILLed.
A's app must not be orphaned for good: B stops it when A ends (a pidfd on A), and since each
hotpod keeps its own journal, so does the next hotpod for the root when B has gone meanwhile."""
import ctypes
import os
import signal
import sys
import unittest

from hotpod_harness import TempTree, alive, write

APP = "import time; print('up', flush=True); time.sleep(1000)"


def become_subreaper():
    """A's app, orphaned by A's SIGKILL, is adopted by this test (as by a container's PID 1 that
    only reaps) instead of by the machine's init, which here stops processes it adopts."""
    PR_SET_CHILD_SUBREAPER = 36
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


class TwoHotpodsTest(TempTree):
    def setUp(self):
        super().setUp()
        become_subreaper()
        self.src = os.path.join(self.dir, "src")
        write(os.path.join(self.src, "main.txt"), "v1\n")
        self.run_dir = os.path.join(self.dir, "run")  # the journals' place, for this test only
        os.mkdir(self.run_dir, 0o700)

    def start_hotpod(self):
        hp = self.start(["--root", self.src, "--", sys.executable, "-c", APP],
                        env={"XDG_RUNTIME_DIR": self.run_dir})
        _, started = hp.wait_for("app_started")
        app = started["pid"]
        self.addCleanup(lambda: alive(app) and os.kill(app, signal.SIGKILL))
        return hp, app

    def test_the_hotpod_beside_a_killed_one_stops_its_app(self):
        a, a_app = self.start_hotpod()
        b, b_app = self.start_hotpod()
        b.wait_for("another_hotpod")
        a.proc.kill()
        a.proc.wait()
        _, record = b.wait_for("stale_group_killed")  # when A ends (B holds a pidfd on A)
        self.assertEqual(record["group"], a_app, b.log_tail())
        self.assertTrue(alive(b_app), "B stopped its own app")
        self.assertEqual(b.count("another_hotpod"), 1, "said again at every sweep")
        self.assertEqual(b.stop(), 0, b.log_tail())
        self.assertFalse(alive(a_app))

    def test_a_killed_hotpods_app_is_stopped_by_a_later_one(self):
        start = self.start_hotpod
        run_dir = self.run_dir
        a, a_app = start()
        b, b_app = start()
        b.wait_for("another_hotpod")
        self.assertEqual(b.stop(), 0, b.log_tail())  # B wrote its journal, then went
        self.assertFalse(alive(b_app))
        a.proc.kill()  # SIGKILL: A cannot stop its app, which lives in its own session
        a.proc.wait()

        c, _ = start()
        _, record = c.wait_for("stale_group_killed")
        self.assertEqual(record["group"], a_app, c.log_tail())
        self.assertFalse(alive(a_app), "A's app is still running")
        self.assertEqual(c.stop(), 0, c.log_tail())
        journals = os.path.join(run_dir, f"hotpod-{os.getuid()}")
        self.assertEqual(os.listdir(journals) if os.path.exists(journals) else [], [],
                         "journals left behind")


if __name__ == "__main__":
    unittest.main()
