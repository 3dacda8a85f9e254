"""A huge subtree that appears while hotpod runs (500 nested directories, each with one file,
made in a blink; 10,000 directories from one `mkdir -p` burst) is absorbed without stalling the
loop: /healthz answers 200 all along, and every file is reported."""
import os
import time
import unittest

from hotpod_harness import HANG_TIMEOUT, TempTree, http_request, write

DEPTH = 500


class DeepTreeTest(TempTree):
    def setUp(self):
        super().setUp()
        self.src = os.path.join(self.dir, "src")
        write(os.path.join(self.src, "main.txt"), "main\n")

    def start_watching(self):
        hp = self.start(["--root", self.src, "--build", "true", "--backend", "inotify"])
        hp.wait_for("build_finished", build=1)
        return hp

    def await_reported(self, hp, seen, wanted):
        """Waits until every path of `wanted` was in a `changes` record (after the first `seen`
        of them), asking /healthz all along; returns the answers that were not 200."""
        unhealthy, reported = [], set()
        deadline = time.monotonic() + HANG_TIMEOUT
        while time.monotonic() < deadline:
            status, body = http_request(hp.url("/healthz"), timeout=30)
            if status != 200:
                unhealthy.append(f"{status} {body.strip()}")
            records = hp.find_all("changes")
            for record in records[seen:]:
                reported.update(record.get("files", "").split("\n"))
            seen = len(records)
            if wanted <= reported:
                return unhealthy
            time.sleep(0.2)
        self.fail(f"{len(wanted - reported)} of {len(wanted)} files never reported; "
                  f"/healthz said {unhealthy[:3]}\n{hp.log_tail(5)}")

    def test_500_nested_directories_keep_healthz_answering(self):
        hp = self.start_watching()
        seen = hp.count("changes")
        wanted, rel = set(), ""
        for level in range(DEPTH):
            rel = os.path.join(rel, "d")
            os.makedirs(os.path.join(self.src, rel))
            write(os.path.join(self.src, rel, f"f{level}.txt"), "x\n")
            wanted.add(os.path.join(rel, f"f{level}.txt"))
        unhealthy = self.await_reported(hp, seen, wanted)
        self.assertEqual(unhealthy, [], "the loop stalled while it absorbed the deep tree")

    def test_a_mkdir_p_burst_of_10000_directories_is_absorbed(self):
        hp = self.start_watching()
        seen = hp.count("changes")
        wanted = set()
        burst = os.path.join(self.src, "burst")
        os.makedirs(burst)
        for a in range(100):
            for b in range(100):
                os.makedirs(os.path.join(burst, f"a{a}", f"b{b}"))
        for a in range(0, 100, 9):  # a file here and there, and the last directory's
            write(os.path.join(burst, f"a{a}", "b99", "x.txt"), "x\n")
            wanted.add(f"burst/a{a}/b99/x.txt")
        unhealthy = self.await_reported(hp, seen, wanted)
        self.assertEqual(unhealthy, [], "the loop stalled while it absorbed the burst")
        status, body = http_request(hp.url("/v1/status"))
        self.assertEqual(status, 200, body)


if __name__ == "__main__":
    unittest.main()
