"""A file name cannot forge a line of hotpod's text log or drive the terminal (issue 22, item 8):
a name holding a newline, a fake log line and escape sequences shows up written out (\\n, \\x1b)
in the text log, and a config error that quotes such a path does the same. The build's own
output is the user's and stays as it is."""
import os
import subprocess
import time
import unittest

from hotpod_harness import HANG_TIMEOUT, TempTree, run_hotpod, write

EVIL = "evil\n17:00:00.000 error hotpod| FORGED LINE\x1b]0;TITLE\x07\x1b[2J.txt"


class LogInjectionTest(TempTree):
    def test_a_file_name_cannot_forge_a_text_log_line(self):
        src = os.path.join(self.dir, "src")
        os.makedirs(src)
        proc = subprocess.Popen(
            [os.environ["HOTPOD_BIN"], "run", "--root", src, "--listen", "off", "--delay", "0ms",
             "--build", "printf 'built\\033[1m bold\\033[0m\\n'", "--log-format", "text"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.addCleanup(proc.kill)
        lines = []
        deadline = time.monotonic() + HANG_TIMEOUT
        def read_until(text, count):
            while sum(text in l for l in lines) < count:
                self.assertLess(time.monotonic(), deadline, b"".join(lines))
                line = proc.stdout.readline()
                self.assertTrue(line, b"".join(lines))
                lines.append(line)
        read_until(b"succeeded", 1)  # the first build
        write(os.path.join(src, EVIL), "x\n")
        read_until(b"succeeded", 2)
        proc.terminate()
        rest, _ = proc.communicate(timeout=HANG_TIMEOUT)
        log = b"".join(lines) + rest
        hotpod_lines = [l for l in log.splitlines() if b"hotpod" in l[:30] or b"FORGED" in l]
        self.assertFalse(any(l.startswith(b"17:00:00.000") for l in log.splitlines()), log)
        self.assertTrue(any(b"evil\\n17:00:00.000 error hotpod| FORGED LINE\\x1b]0;TITLE\\x07"
                            in l for l in hotpod_lines), log)
        self.assertNotIn(b"\x1b]0;", log)
        self.assertNotIn(b"\x1b[2J", log)
        # The build's own output keeps its escape sequences: it is the user's.
        self.assertIn(b"built\x1b[1m bold\x1b[0m", log)

    def test_a_config_error_quotes_a_path_without_its_control_characters(self):
        result = run_hotpod(["check", "-c", os.path.join(self.dir, "a\nb\x1b[2J.yaml")])
        self.assertEqual(result.returncode, 2)
        self.assertIn("a\\nb\\x1b[2J.yaml", result.stderr)
        self.assertNotIn("\x1b", result.stderr)


if __name__ == "__main__":
    unittest.main()
