"""/v1/status app.restarts counts the starts after the first, as hotpod exec's state file does
(issue 22, third round: it said 1 after a single start)."""
import json
import os
import sys
import unittest

from hotpod_harness import TempTree, http_get, write


class StatusRestartsTest(TempTree):
    def test_restarts_is_0_after_the_first_start_and_1_after_a_restart(self):
        src = os.path.join(self.dir, "src")
        write(os.path.join(src, "main.txt"), "v1\n")
        hp = self.start(["--root", src, "--", sys.executable, "-c",
                         "import time; print('up', flush=True); time.sleep(1000)"])
        _, first = hp.wait_for("app_started")

        def app_status():
            return json.loads(http_get(hp.url("/v1/status"))[1])["app"]

        self.assertEqual(app_status()["pid"], first["pid"])
        self.assertEqual(app_status()["restarts"], 0)
        mark = hp.mark()
        write(os.path.join(src, "main.txt"), "v2\n")
        _, second = hp.wait_for("app_started", after=mark)
        status = app_status()
        self.assertEqual((status["pid"], status["restarts"]), (second["pid"], 1))


if __name__ == "__main__":
    unittest.main()
