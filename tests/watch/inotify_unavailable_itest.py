"""`backend: auto` when this user has no inotify instance left (inotify_init1 fails with EMFILE,
fs.inotify.max_user_instances): hotpod polls, says why and how to raise the limit, and goes on
working, instead of ending the run. The failure is injected with an LD_PRELOAD shim, so the
machine's limit is left alone; `backend: inotify` (as configured) still stops with the advice."""
import os
import shutil
import subprocess
import unittest

from hotpod_harness import HOTPOD, TempTree, skip, write

SHIM = r"""
#include <errno.h>
int inotify_init1(int flags) { (void)flags; errno = EMFILE; return -1; }
int inotify_init(void) { errno = EMFILE; return -1; }
"""


class InotifyUnavailableTest(TempTree):
    def setUp(self):
        super().setUp()
        cc = shutil.which("cc") or shutil.which("gcc")
        if not cc:
            skip("needs a C compiler for the LD_PRELOAD shim")
        ldd = subprocess.run(["ldd", HOTPOD], capture_output=True, text=True)
        if "not a dynamic executable" in ldd.stdout + ldd.stderr:
            skip("hotpod is linked statically: an LD_PRELOAD shim cannot reach it")
        source = os.path.join(self.dir, "emfile.c")
        write(source, SHIM)
        self.shim = os.path.join(self.dir, "emfile.so")
        subprocess.run([cc, "-shared", "-fPIC", "-o", self.shim, source], check=True)
        # Under `make test-asan` the shim comes before ASan's runtime, which ASan refuses unless
        # told that the order is meant (the shim replaces no function ASan intercepts).
        asan = os.environ.get("ASAN_OPTIONS", "")
        self.preload = {"LD_PRELOAD": self.shim,
                        "ASAN_OPTIONS": (asan + ":" if asan else "") + "verify_asan_link_order=0"}
        self.src, self.out = os.path.join(self.dir, "src"), os.path.join(self.dir, "out")
        write(os.path.join(self.src, "main.go"), "package main\n")
        os.makedirs(self.out)
        self.build = f'printf "%s" "$HOTPOD_CHANGED_FILES" > {self.out}/$HOTPOD_BUILD_NUMBER'

    def test_auto_polls_and_says_why(self):
        hp = self.start(["--root", self.src, "--build", self.build, "--backend", "auto",
                         "--poll-interval", "100ms"], env=self.preload)
        _, choice = hp.wait_for("backend_choice")
        self.assertEqual(choice["backend"], "poll")
        self.assertEqual(choice["level"], "warn")
        self.assertIn("fs.inotify.max_user_instances", choice["msg"])
        hp.wait_for("build_finished", build=1)
        write(os.path.join(self.src, "main.go"), "package main\n// changed\n")
        hp.wait_for("build_finished", build=2)
        with open(os.path.join(self.out, "2")) as f:
            self.assertEqual(f.read(), "main.go")

    def test_backend_inotify_as_configured_still_stops_with_the_advice(self):
        hp = self.start(["--root", self.src, "--build", "true", "--backend", "inotify"],
                        env=self.preload)
        code = hp.proc.wait(60)
        self.assertNotEqual(code, 0)
        self.assertIn("max_user_instances", hp.log_tail())


if __name__ == "__main__":
    unittest.main()
