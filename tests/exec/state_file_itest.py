"""hotpod exec --state-file never replaces what is not a regular file: a copy of /dev/full (made
with mknod, as root) or a FIFO given as the state file is refused with exit 2 and a message that
names the path and its type, and the node is still there afterwards."""
import os
import stat
import unittest

from hotpod_harness import TempTree, run_hotpod


class StateFileTest(TempTree):
    def refused(self, path, kind):
        result = run_hotpod(["exec", "--exit-with-child", "--state-file", path, "--", "true"])
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn(f"{path} is {kind}, not a regular file", result.stderr)

    def test_a_device_file_is_not_replaced(self):
        if os.geteuid() != 0:
            self.skipTest("SKIPPED: mknod needs root")
        device = os.path.join(self.dir, "full")
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
        self.refused(device, "a character device")
        self.assertTrue(stat.S_ISCHR(os.lstat(device).st_mode))

    def test_a_fifo_is_not_replaced(self):
        fifo = os.path.join(self.dir, "exec.json")
        os.mkfifo(fifo)
        self.refused(fifo, "a named pipe (FIFO)")
        self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode))

    def test_a_regular_file_is_still_written(self):
        path = os.path.join(self.dir, "exec.json")
        result = run_hotpod(["exec", "--exit-with-child", "--state-file", path, "--", "true"])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(stat.S_ISREG(os.lstat(path).st_mode))


if __name__ == "__main__":
    unittest.main()
