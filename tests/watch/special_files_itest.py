"""FIFOs, sockets and device nodes are no source files (issue 22, third round): check does not
list them and an app that creates its socket in the watched tree triggers no build."""
import os
import socket
import stat
import unittest

from hotpod_harness import TempTree, run_hotpod, write


class SpecialFilesTest(TempTree):
    def setUp(self):
        super().setUp()
        self.src = os.path.join(self.dir, "src")
        write(os.path.join(self.src, "main.go"), "package main\n")
        self.sockets = []

    def make_socket(self, name):
        s = socket.socket(socket.AF_UNIX)
        s.bind(os.path.join(self.src, name))
        self.sockets.append(s)
        self.addCleanup(s.close)

    def test_check_lists_only_regular_files_and_symlinks(self):
        os.mkfifo(os.path.join(self.src, "pipe.go"))
        self.make_socket("app.sock")
        os.symlink("main.go", os.path.join(self.src, "link.go"))
        special = ["pipe.go", "app.sock"]
        try:
            os.mknod(os.path.join(self.src, "null.go"), stat.S_IFCHR | 0o600, os.makedev(1, 3))
            special.append("null.go")
        except PermissionError:
            pass  # no CAP_MKNOD here: FIFOs and sockets still tell
        result = run_hotpod(["check", "--root", self.src, "--list-files", "--include-ext",
                             "go,sock"], cwd=self.dir)
        self.assertEqual(result.returncode, 0, result.stderr)
        listed = result.stdout.split()
        self.assertEqual(listed, ["link.go", "main.go"], result.stdout)

    def test_a_socket_created_in_the_tree_triggers_no_build(self):
        hp = self.start(["--root", self.src, "--build", "true", "--include-ext", "go,sock"])
        hp.wait_for("build_finished", build=1)
        mark = hp.mark()
        self.make_socket("app.sock")
        os.mkfifo(os.path.join(self.src, "pipe.go"))
        # Events are ordered: once the sentinel's change is reported, the socket's would have been.
        write(os.path.join(self.src, "sentinel.go"), "package main\n")
        _, changes = hp.wait_for("changes", after=mark)
        self.assertEqual(changes["files"], "sentinel.go", hp.log_tail())
        hp.wait_for("build_finished", after=mark, build=2)


if __name__ == "__main__":
    unittest.main()
