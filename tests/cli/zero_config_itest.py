"""Zero-config build output goes to a private directory in $TMPDIR: hotpod creates it 0700 and
refuses one that another local user could have planted (a symlink, or writable by others),
since it runs the binary built there."""
import glob
import os
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
        first = self.check()
        self.assertEqual(first.returncode, 0, first.stderr)
        [made] = glob.glob(os.path.join(self.tmp, "hotpod-zero-*"))
        self.assertIn(made, first.stdout)
        return made

    def test_the_directory_is_private(self):
        made = self.output_dir()
        info = os.lstat(made)
        self.assertTrue(stat.S_ISDIR(info.st_mode))
        self.assertEqual(stat.S_IMODE(info.st_mode), 0o700)
        self.assertEqual(info.st_uid, os.geteuid())

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
