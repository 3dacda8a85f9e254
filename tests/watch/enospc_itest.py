"""A real ENOSPC from inotify_add_watch: a new user namespace gets its own watch limit
(user.max_inotify_watches, not fs.inotify.max_user_watches, which is the host's), lowered to 5
there. hotpod names the limit, polls the directories it could not watch, and still sees changes
in them. The test checks that the host's limit is left alone."""
import os
import shutil
import subprocess
import unittest

from hotpod_harness import TempTree, skip, write

LIMIT = 5
WRAPPER = ["unshare", "--user", "--map-root-user", "sh", "-c",
           f'echo {LIMIT} > /proc/sys/user/max_inotify_watches && exec "$0" "$@"']
HOST_LIMIT = "/proc/sys/fs/inotify/max_user_watches"


def host_limit():
    with open(HOST_LIMIT) as f:
        return f.read().strip()


def user_namespace_limit_works():
    if not shutil.which("unshare"):
        return False
    before = host_limit()
    probe = subprocess.run([*WRAPPER, "cat", "/proc/sys/user/max_inotify_watches"],
                           capture_output=True, text=True)
    if host_limit() != before:
        raise AssertionError("the probe changed the host's inotify limit")
    return probe.returncode == 0 and probe.stdout.strip() == str(LIMIT)


class EnospcTest(TempTree):
    def test_watch_limit_reached_for_real_then_polling_still_sees_changes(self):
        before = host_limit()
        self.addCleanup(lambda: self.assertEqual(host_limit(), before, "host limit changed"))
        src = os.path.join(self.dir, "src")
        out = os.path.join(self.dir, "out")
        os.makedirs(out)
        for i in range(20):
            write(os.path.join(src, f"d{i:02d}", "f.txt"), "v1\n")
        build = f'printf "%s" "$HOTPOD_CHANGED_FILES" > {out}/$HOTPOD_BUILD_NUMBER'
        hp = self.start(["--root", src, "--backend", "inotify", "--poll-interval", "100ms",
                         "--build", build], wrapper=WRAPPER)
        _, limit = hp.wait_for("watch_limit")
        self.assertIn(f"user.max_inotify_watches={LIMIT} in this user namespace", limit["msg"])
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
