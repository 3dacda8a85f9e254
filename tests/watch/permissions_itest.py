"""A directory whose permissions come back is watched again: hotpod, as an unprivileged user,
cannot read `sub` while it is mode 000, so a directory made in it meanwhile cannot be watched and
an edit in it cannot be read; once `chmod 755 sub` (IN_ATTRIB) lets it in, both are reported and
later edits in the new directory are seen too."""
import os
import shutil
import subprocess
import time
import unittest

from hotpod_harness import HANG_TIMEOUT, TempTree, skip, write

NOBODY = 65534
AS_NOBODY = ("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups")


def can_drop_privileges():
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        return False
    return subprocess.run([*AS_NOBODY, "true"], capture_output=True).returncode == 0


class PermissionsComeBackTest(TempTree):
    def setUp(self):
        if not can_drop_privileges():
            skip("needs root and setpriv to run hotpod as an unprivileged user (uid 65534)")
        super().setUp()
        self.src, self.out = os.path.join(self.dir, "src"), os.path.join(self.dir, "out")
        write(os.path.join(self.src, "main.txt"), "main\n")
        write(os.path.join(self.src, "sub", "a.txt"), "a\n")
        os.makedirs(self.out)
        for top, dirs, files in os.walk(self.dir):
            for name in [*dirs, *files]:
                os.chown(os.path.join(top, name), NOBODY, NOBODY)
        os.chown(self.dir, NOBODY, NOBODY)
        # Restore access before cleanup removes the tree.
        self.addCleanup(os.chmod, os.path.join(self.src, "sub"), 0o755)
        build = f'printf "%s" "$HOTPOD_CHANGED_FILES" > {self.out}/$HOTPOD_BUILD_NUMBER'
        self.hp = self.start(["--root", self.src, "--build", build, "--backend", "inotify"],
                             wrapper=AS_NOBODY, env={"TMPDIR": self.dir})
        self.hp.wait_for("build_finished", build=1)

    def built_files(self):
        """Every file named by a build after the first one."""
        files = set()
        for record in self.hp.find_all("build_finished"):
            if record["build"] > 1:
                with open(os.path.join(self.out, str(record["build"]))) as f:
                    files.update(filter(None, f.read().split("\n")))
        return files

    def await_built(self, path):
        deadline = time.monotonic() + HANG_TIMEOUT
        while path not in self.built_files():
            if time.monotonic() > deadline:
                self.fail(f"{path} was never reported; built: {sorted(self.built_files())}\n"
                          + self.hp.log_tail(15))
            time.sleep(0.1)

    def test_a_directory_made_while_its_parent_was_closed_is_watched_once_it_opens(self):
        sub = os.path.join(self.src, "sub")
        os.chmod(sub, 0o000)
        write(os.path.join(sub, "a.txt"), "edited while closed\n")
        os.makedirs(os.path.join(sub, "newdir"))
        write(os.path.join(sub, "newdir", "n.txt"), "n\n")
        for path in (os.path.join(sub, "newdir"), os.path.join(sub, "newdir", "n.txt")):
            os.chown(path, NOBODY, NOBODY)
        self.hp.wait_for("watch_failed", dir="sub/newdir")
        os.chmod(sub, 0o755)
        self.await_built("sub/newdir/n.txt")
        self.await_built("sub/a.txt")
        # And the new directory is watched from now on.
        write(os.path.join(sub, "newdir", "later.txt"), "later\n")
        self.await_built("sub/newdir/later.txt")


if __name__ == "__main__":
    unittest.main()
