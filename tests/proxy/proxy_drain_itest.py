"""Stop-first handover (issue 18): an answer under way when a restart comes is let finish
before the old version is stopped — in `hotpod exec` (restart signal) and `hotpod run` (a
build) — and one that does not finish is cut after the drain limit, with a log line. The app's
/slow sends half an answer, then waits for the test to close the FIFO slow-gate."""
import os
import signal
import sys
import threading
import time
import unittest

from hotpod_harness import record_ns, write
from proxy_client import ask_until
from proxy_itest import APP, ProxyCase


class DrainCase(ProxyCase):
    def setUp(self):
        super().setUp()
        os.mkfifo(os.path.join(self.dir, "slow-gate"))

    def begin_slow(self):
        """A request for /slow whose first half has arrived: the app is mid-answer."""
        return ask_until(self.proxy_port, "/slow", b"begun")

    def open_gate(self):
        """Lets the app finish /slow: opening the FIFO for writing waits until the app opens it
        for reading (it may not have yet when its first half arrives), so in a thread of its
        own; if the app is gone, nothing ever reads, and the answer shows it."""
        path = os.path.join(self.dir, "slow-gate")
        threading.Thread(target=lambda: os.close(os.open(path, os.O_WRONLY)), daemon=True).start()

    def read_to_end(self, client, received):
        while not received.endswith(b"0\r\n\r\n"):
            chunk = client.recv(4096)
            if not chunk:
                break
            received += chunk
        client.close()
        return received


class ExecDrainTest(DrainCase):
    def start_exec(self):
        write(os.path.join(self.dir, "VERSION"), "v1\n")
        hp = self.start(["--proxy-listen", f"127.0.0.1:{self.proxy_port}", "--",
                         sys.executable, APP, "{port}"], command="exec")
        hp.wait_for("proxy_ready")
        return hp

    def test_an_answer_under_way_finishes_before_the_app_restarts(self):
        hp = self.start_exec()
        client, received = self.begin_slow()
        write(os.path.join(self.dir, "VERSION"), "v2\n")
        mark = hp.mark()
        os.kill(hp.pid, signal.SIGUSR2)
        hp.wait_for("restart_requested", after=mark)
        self.open_gate()
        received = self.read_to_end(client, received)
        self.assertIn(b"v1 begun", received)
        self.assertIn(b"ended", received)  # the old version answered to the end
        self.assertTrue(received.endswith(b"0\r\n\r\n"), received)
        hp.wait_for("proxy_ready", after=mark)
        self.assertIn("v2 ", self.get()[2])
        self.assertEqual(hp.count("proxy_drain_cut"), 0)
        self.assertEqual(hp.stop(), 128 + signal.SIGTERM)

    def test_an_answer_that_does_not_end_is_cut_after_the_drain_limit(self):
        hp = self.start_exec()
        client, received = self.begin_slow()
        write(os.path.join(self.dir, "VERSION"), "v2\n")
        mark = hp.mark()
        os.kill(hp.pid, signal.SIGUSR2)
        _, cut = hp.wait_for("proxy_drain_cut", after=mark)
        self.assertEqual(cut["answering"], 1)
        hp.wait_for("proxy_ready", after=mark)
        self.assertIn("v2 ", self.get()[2])
        self.assertNotIn(b"ended", self.read_to_end(client, received))
        self.assertEqual(hp.stop(), 128 + signal.SIGTERM)

    def test_a_second_restart_does_not_push_the_limit_back(self):
        hp = self.start_exec()
        client, received = self.begin_slow()
        write(os.path.join(self.dir, "VERSION"), "v2\n")
        mark = hp.mark()
        os.kill(hp.pid, signal.SIGUSR2)
        _, first = hp.wait_for("proxy_draining", after=mark)
        time.sleep(1)  # the scenario itself: another restart request a second later
        os.kill(hp.pid, signal.SIGUSR2)
        _, cut = hp.wait_for("proxy_drain_cut", after=mark)
        # Counted from the first request (about 2 s); from the second it would be 3 s or more.
        waited = (record_ns(cut) - record_ns(first)) / 1e9
        self.assertLess(waited, 2.8)
        self.assertLess(cut["waited_ms"], 2800)
        hp.wait_for("proxy_ready", after=mark)
        self.assertIn("v2 ", self.get()[2])
        self.read_to_end(client, received)
        self.assertEqual(hp.stop(), 128 + signal.SIGTERM)


class RunDrainTest(DrainCase):
    def test_an_answer_under_way_finishes_before_a_build_restarts_the_app(self):
        hp = self.start_hotpod()
        hp.wait_for("proxy_ready")
        client, received = self.begin_slow()
        mark = hp.mark()
        write(os.path.join(self.dir, "version.txt"), "v2\n")
        hp.wait_for("proxy_draining", after=mark)  # before it, the old code had stopped the app
        self.open_gate()
        received = self.read_to_end(client, received)
        self.assertIn(b"v1 begun", received)
        self.assertTrue(received.endswith(b"ended\n\r\n0\r\n\r\n"), received)
        hp.wait_for("proxy_ready", after=mark)
        self.assertIn("v2 ", self.get()[2])
        self.assertEqual(hp.stop(), 0)


if __name__ == "__main__":
    unittest.main()
