"""The watch root as check and run see it (issue 22, third round): a file given as --root is
"not a directory", a root this user cannot read is an error (exit 1) rather than an empty tree
watched forever, and `hotpod check` has no side effects (no zero-config directory in TMPDIR)."""
import os
import shutil
import subprocess
import unittest

from hotpod_harness import HOTPOD, HANG_TIMEOUT, TempTree, run_hotpod, write

NOBODY = 65534


def as_nobody(args, cwd):
    """Runs hotpod as an unprivileged user (root reads every directory whatever its mode)."""
    argv = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", HOTPOD, *args]
    tmp = os.path.join(cwd, "tmp-nobody")  # hotpod run's scratch and journal
    os.makedirs(tmp, exist_ok=True)
    os.chown(tmp, NOBODY, NOBODY)
    env = dict(os.environ, TMPDIR=tmp, XDG_RUNTIME_DIR="")
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=30,
                          env=env)


class CheckRootTest(TempTree):
    def setUp(self):
        super().setUp()
        self.src = os.path.join(self.dir, "src")
        write(os.path.join(self.src, "main.go"), "package main\n")

    def test_a_file_as_root_is_not_a_directory_for_check_and_run(self):
        file_root = os.path.join(self.src, "main.go")
        for command in (["check"], ["run", "--listen", "127.0.0.1:0"]):
            with self.subTest(command=command[0]):
                result = run_hotpod([*command, "--root", file_root, "--", "true"], cwd=self.dir)
                self.assertEqual(result.returncode, 1, result.stderr)
                self.assertIn(f"{file_root} is a file, not a directory", result.stderr)
                self.assertNotIn("No such file or directory", result.stderr)

    def test_a_root_this_user_cannot_read_is_an_error_not_an_empty_tree(self):
        if os.geteuid() != 0 or not shutil.which("setpriv"):
            self.skipTest("needs root to run hotpod as another user")
        os.chmod(self.dir, 0o755)
        os.chmod(self.src, 0o700)  # root's; nobody can neither list nor enter it
        for command in (["check"], ["run", "--listen", "127.0.0.1:0"]):
            with self.subTest(command=command[0]):
                result = as_nobody([*command, "--root", self.src, "--", "true"], cwd=self.dir)
                self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
                self.assertIn(f"{self.src} cannot be read by this user", result.stderr)
                self.assertNotIn("0 file(s)", result.stdout)

    def test_a_pseudo_file_system_is_refused_as_root(self):
        # inotify reports nothing on /proc or /sys, and their files are not sources.
        for root, fs in (("/proc", "proc"), ("/sys", "sysfs")):
            for command in (["check"], ["run", "--listen", "127.0.0.1:0"]):
                with self.subTest(root=root, command=command[0]):
                    result = run_hotpod([*command, "--root", root, "--", "true"], cwd=self.dir,
                                        timeout=30)
                    self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
                    self.assertIn(f"{root} is on {fs}, a pseudo file system", result.stderr)

    def test_check_creates_nothing_in_tmpdir(self):
        # A Go project without hotpod.yaml: zero config, whose build output lives in TMPDIR.
        write(os.path.join(self.src, "go.mod"), "module example.com/x\n\ngo 1.19\n")
        tmp = os.path.join(self.dir, "tmp")
        os.mkdir(tmp)
        result = run_hotpod(["check", "--root", self.src], cwd=self.src, env={"TMPDIR": tmp})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("hotpod-zero-", result.stdout)  # the output directory is named ...
        self.assertEqual(os.listdir(tmp), [], "hotpod check left files behind")  # ... not made


if __name__ == "__main__":
    unittest.main()
