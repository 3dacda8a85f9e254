"""Zero-config build output goes to a private directory in $TMPDIR: hotpod run creates it 0700
(tests/base/files_test.cpp) and both run and check refuse one that another local user could have
planted (a symlink, or writable by others), since hotpod runs the binary built there. check
only names the directory; it creates nothing."""
import glob
import os
import re
import stat
import unittest

from hotpod_harness import TempTree, run_hotpod, write


class ZeroConfigDirectoryTest(TempTree):
    def setUp(self):
        super().setUp()
        self.app = os.path.join(self.dir, "app")
        write(os.path.join(self.app, "go.mod"), "module example\n")
        write(os.path.join(self.app, "main.go"), "package main\nfunc main() {}\n")
        self.tmp = os.path.join(self.dir, "tmp")
        os.makedirs(self.tmp)

    def check(self):
        return run_hotpod(["check"], cwd=self.app, env={"TMPDIR": self.tmp})

    def output_dir(self):
        """The directory check names; made as `hotpod run` makes it (check creates nothing)."""
        first = self.check()
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertEqual(glob.glob(os.path.join(self.tmp, "hotpod-zero-*")), [])
        [named] = set(re.findall(r"(/\S*/hotpod-zero-[0-9a-f-]+)/", first.stdout))
        self.assertEqual(os.path.dirname(named), self.tmp)
        os.mkdir(named, 0o700)
        return named

    def test_a_private_directory_is_used_and_left_as_it_is(self):
        made = self.output_dir()
        os.chmod(made, 0o750)  # readable by the group: fine, and check does not narrow it
        result = self.check()
        self.assertEqual(result.returncode, 0, result.stderr)
        info = os.lstat(made)
        self.assertTrue(stat.S_ISDIR(info.st_mode))
        self.assertEqual(stat.S_IMODE(info.st_mode), 0o750)

    def test_a_planted_directory_is_refused(self):
        made = self.output_dir()
        os.chmod(made, 0o777)
        result = self.check()
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(f"refusing to use {made}: group or others may write to it", result.stderr)

    def test_a_planted_symlink_is_refused(self):
        made = self.output_dir()
        os.rmdir(made)
        elsewhere = os.path.join(self.dir, "attacker")
        os.makedirs(elsewhere)
        os.symlink(elsewhere, made)
        result = self.check()
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(f"refusing to use {made}: it is a symlink", result.stderr)


if __name__ == "__main__":
    unittest.main()
