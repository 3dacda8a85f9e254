"""An app that writes into the watched tree right after it starts (issue 22, third round): each
start triggers the next build and restart. hotpod says it is a reload loop, which files, and the
exclude that ends it."""
import os
import sys
import unittest

from hotpod_harness import TempTree, write

# Writes a log file into the tree it is started in, as soon as it starts, then keeps running.
APP = """import time
with open("written.log", "w") as f:
    f.write(str(time.time()))
print("up", flush=True)
while True:
    time.sleep(1000)
"""


class ReloadLoopTest(TempTree):
    def test_an_app_writing_into_the_tree_is_told_which_files_to_exclude(self):
        src = os.path.join(self.dir, "src")
        write(os.path.join(src, "main.txt"), "v1\n")
        app = os.path.join(self.dir, "app.py")  # outside the tree
        write(app, APP)
        hp = self.start(["--root", src, "--build", "true", "--", sys.executable, app])
        _, warning = hp.wait_for("reload_loop", timeout=60)
        self.assertEqual(warning["files"], "written.log")
        self.assertIn("written.log changed right after each of the last 3 app starts",
                      warning["msg"])
        self.assertIn("--exclude 'written.log'", warning["msg"])
        self.assertEqual(hp.count("reload_loop"), 1)


if __name__ == "__main__":
    unittest.main()
