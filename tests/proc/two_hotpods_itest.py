"""Two hotpods on one root (issue 22, third round): A runs, B starts beside it, A is SIGKILLed.
A's app must not be orphaned for good: each hotpod keeps its own journal, so the next hotpod
for the root stops what A left, although B wrote its journal meanwhile."""
import os
import signal
import sys
import unittest

from hotpod_harness import TempTree, alive, write

APP = "import time; print('up', flush=True); time.sleep(1000)"


class TwoHotpodsTest(TempTree):
    def test_a_killed_hotpods_app_is_stopped_by_a_later_one(self):
        src = os.path.join(self.dir, "src")
        write(os.path.join(src, "main.txt"), "v1\n")
        run_dir = os.path.join(self.dir, "run")  # where the journals live, for this test only
        os.mkdir(run_dir, 0o700)
        env = {"XDG_RUNTIME_DIR": run_dir}

        def start():
            hp = self.start(["--root", src, "--", sys.executable, "-c", APP], env=env)
            _, started = hp.wait_for("app_started")
            self.addCleanup(lambda: alive(started["pid"]) and os.kill(started["pid"],
                                                                      signal.SIGKILL))
            return hp, started["pid"]

        a, a_app = start()
        b, b_app = start()
        b.wait_for("another_hotpod")
        a.proc.kill()  # SIGKILL: A cannot stop its app, which lives in its own session
        a.proc.wait()
        self.assertTrue(alive(a_app))
        self.assertEqual(b.stop(), 0, b.log_tail())
        self.assertFalse(alive(b_app))

        c, _ = start()
        _, record = c.wait_for("stale_group_killed")
        self.assertEqual(record["group"], a_app, c.log_tail())
        self.assertFalse(alive(a_app), "A's app is still running")
        self.assertEqual(c.stop(), 0, c.log_tail())
        self.assertEqual(os.listdir(os.path.join(run_dir, f"hotpod-{os.getuid()}"))
                         if os.path.exists(os.path.join(run_dir, f"hotpod-{os.getuid()}"))
                         else [], [], "journals left behind")


if __name__ == "__main__":
    unittest.main()
