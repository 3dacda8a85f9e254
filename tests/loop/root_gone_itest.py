"""The watched root moved away (issue 22, third round): its files look removed, but a build in a
directory that is gone can only fail. hotpod says it waits, builds nothing, and builds once the
root is back."""
import os
import time
import unittest

from hotpod_harness import HANG_TIMEOUT, TempTree, write


class RootGoneTest(TempTree):
    def first_of(self, hp, after, *events):
        """The first record after `after` whose event is one of `events`."""
        deadline = time.monotonic() + HANG_TIMEOUT
        while time.monotonic() < deadline:
            for record in list(hp.records[after:]):
                if record.get("event") in events:
                    return record
            time.sleep(0.02)
        self.fail(f"none of {events}:\n{hp.log_tail()}")

    def test_no_build_while_the_root_is_gone_and_one_when_it_is_back(self):
        src = os.path.join(self.dir, "src")
        write(os.path.join(src, "main.go"), "package main\n")
        hp = self.start(["--root", src, "--build", "test -f main.go"])
        hp.wait_for("build_finished", build=1, result="success")
        mark = hp.mark()
        os.rename(src, src + ".moved")
        hp.wait_for("root_lost", after=mark)
        record = self.first_of(hp, mark, "root_gone_no_build", "build_started")
        self.assertEqual(record["event"], "root_gone_no_build", hp.log_tail())
        self.assertIn(f"{src} is gone", record["msg"])
        self.assertEqual(hp.count("build_started"), 1, hp.log_tail())

        mark = hp.mark()
        os.rename(src + ".moved", src)
        _, build = hp.wait_for("build_finished", after=mark, build=2)
        self.assertEqual(build["result"], "success", hp.log_tail())
        self.assertEqual(hp.count("build_finished", result="failure"), 0, hp.log_tail())


if __name__ == "__main__":
    unittest.main()
