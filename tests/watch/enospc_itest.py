"""A real ENOSPC from inotify_add_watch: in a user namespace the watch limit is the namespace's
own, so it is lowered to 5 there (the host is untouched). hotpod names the sysctl, polls the
directories it could not watch, and still sees a change in one of them."""
import os
import shutil
import subprocess
import unittest

from hotpod_harness import TempTree, skip, write

LIMIT = 5
WRAPPER = ["unshare", "--user", "--map-root-user", "sh", "-c",
           f'echo {LIMIT} > /proc/sys/fs/inotify/max_user_watches && exec "$0" "$@"']


def user_namespace_limit_works():
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run([*WRAPPER, "cat", "/proc/sys/fs/inotify/max_user_watches"],
                           capture_output=True, text=True)
    return probe.returncode == 0 and probe.stdout.strip() == str(LIMIT)


class EnospcTest(TempTree):
    def test_watch_limit_reached_for_real_then_polling_still_sees_changes(self):
        src = os.path.join(self.dir, "src")
        out = os.path.join(self.dir, "out")
        os.makedirs(out)
        for i in range(20):
            write(os.path.join(src, f"d{i:02d}", "f.txt"), "v1\n")
        build = f'printf "%s" "$HOTPOD_CHANGED_FILES" > {out}/$HOTPOD_BUILD_NUMBER'
        hp = self.start(["--root", src, "--backend", "inotify", "--poll-interval", "100ms",
                         "--build", build], wrapper=WRAPPER)
        _, limit = hp.wait_for("watch_limit")
        self.assertIn(f"fs.inotify.max_user_watches={LIMIT}", limit["msg"])
        self.assertIn("sysctl -w fs.inotify.max_user_watches=", limit["msg"])
        _, watching = hp.wait_for("watching")
        self.assertLessEqual(watching["directories"], LIMIT)
        hp.wait_for("build_finished", build=1)
        for rel in ("d19/f.txt", "d00/f.txt"):  # surely unwatched; maybe watched
            with self.subTest(path=rel):
                mark = hp.mark()
                write(os.path.join(src, rel), "v2\n")
                _, record = hp.wait_for("build_finished", after=mark)
                with open(os.path.join(out, str(record["build"]))) as f:
                    self.assertEqual(f.read(), rel)


if __name__ == "__main__":
    if not user_namespace_limit_works():
        skip("needs unshare --user with a writable fs.inotify.max_user_watches in the namespace")
    unittest.main()
