"""`hotpod run 2>&1 | head`: when the reader of hotpod's output goes away, hotpod ignores the
SIGPIPE of its next log line and keeps running, and keeps its app; the app itself gets SIGPIPE's
default disposition. Without the HTTP server, since httplib's server ignores SIGPIPE itself."""
import os
import select
import signal
import subprocess
import time
import unittest

from hotpod_harness import HOTPOD, HANG_TIMEOUT, TempTree, alive, write

SIGPIPE_BIT = 1 << (signal.SIGPIPE - 1)


class SigpipeTest(TempTree):
    def setUp(self):
        super().setUp()
        self.src = os.path.join(self.dir, "src")
        write(os.path.join(self.src, "main.txt"), "v1\n")
        # Each app says its PID and its ignored signals (SigIgn of /proc/PID/status) into a FIFO
        # the test reads, then prints: under hotpod exec it prints into the pipe whose reader
        # has gone, so with SIGPIPE's default disposition it may be dead before the test could
        # look at /proc. Not Python: CPython ignores SIGPIPE itself. Outside the watched tree.
        self.started = os.path.join(self.dir, "started")
        os.mkfifo(self.started)
        self.started_fd = os.open(self.started, os.O_RDWR)  # stays open between writers
        self.addCleanup(os.close, self.started_fd)
        self.app = os.path.join(self.dir, "app.sh")
        write(self.app, f"echo $$ $(grep '^SigIgn:' /proc/$$/status | cut -f2) > {self.started}\n"
                        "echo ready\nexec sleep 100000\n")

    def next_app(self, hotpod):
        deadline = time.monotonic() + HANG_TIMEOUT
        while not select.select([self.started_fd], [], [], 1)[0]:
            self.assertIsNone(hotpod.poll(), "hotpod died (writing to a closed pipe?)")
            self.assertLess(time.monotonic(), deadline, "no app started")
        pid, ignored = os.read(self.started_fd, 64).decode().split("\n")[0].split()
        pid = int(pid)
        self.addCleanup(lambda: alive(pid) and os.kill(pid, signal.SIGKILL))
        self.assertEqual(int(ignored, 16) & SIGPIPE_BIT, 0,
                         "the app must get SIGPIPE's default disposition")
        return pid

    def start_piped(self, args):
        """hotpod with stdout and stderr into a pipe whose reader leaves once the app said
        "ready" (`2>&1 | head`)."""
        read_end, write_end = os.pipe()
        hotpod = subprocess.Popen([HOTPOD, *args], cwd=self.dir, stdin=subprocess.DEVNULL,
                                  stdout=write_end, stderr=write_end, start_new_session=True)
        os.close(write_end)
        self.addCleanup(lambda: hotpod.poll() is None and os.killpg(hotpod.pid, signal.SIGKILL))
        with os.fdopen(read_end) as reader:
            for line in reader:
                if "ready" in line:
                    break
        return hotpod

    def check_survives(self, hotpod, first_app, restart):
        restart()  # hotpod now logs the restart into a pipe nobody reads
        second_app = self.next_app(hotpod)
        self.assertNotEqual(second_app, first_app)
        self.assertIsNone(hotpod.poll(), "hotpod died writing to a closed pipe")
        hotpod.send_signal(signal.SIGTERM)
        hotpod.wait(60)
        self.assertFalse(alive(second_app), "hotpod left its app behind")

    def test_hotpod_run_outlives_the_reader_of_its_output(self):
        hotpod = self.start_piped(["run", "--listen", "off", "--root", self.src, "--delay",
                                   "20ms", "--", "/bin/sh", self.app])
        first = self.next_app(hotpod)
        self.check_survives(hotpod, first,
                            lambda: write(os.path.join(self.src, "main.txt"), "v2\n"))
        self.assertEqual(hotpod.returncode, 0)

    def test_hotpod_exec_outlives_the_reader_of_its_output(self):
        hotpod = self.start_piped(["exec", "--", "/bin/sh", self.app])
        first = self.next_app(hotpod)
        self.check_survives(hotpod, first, lambda: hotpod.send_signal(signal.SIGUSR2))


if __name__ == "__main__":
    unittest.main()
