"""One sync, one build: hotpod tar tells the running loop (hotpod run) which files a sync
wrote. 5,000 files are one build, started at the end of the stream (not after the quiet
period); a stream that stalls longer than the quiet period is still one build, after its end;
a cut stream builds nothing; `rm -rf` of synced files is one build of its own."""
import json
import os
import shutil
import subprocess
import time
import unittest

from hotpod_harness import HOTPOD, TempTree, wait_until, write
from tar_support import go_archive, pax_archive


class SyncBuildTest(TempTree):
    def setUp(self):
        super().setUp()
        self.src = os.path.join(self.dir, "src")
        self.out = os.path.join(self.dir, "out")
        os.makedirs(self.out)
        write(os.path.join(self.src, "main.go"), "package main\n")

    def start_loop(self, delay="200ms"):
        build = f'cp "$HOTPOD_CHANGED_FILES_FILE" {self.out}/build-$HOTPOD_BUILD_NUMBER.txt'
        hp = self.start(["--root", self.src, "--build", build, "--delay", delay])
        hp.wait_for("build_finished", build=1)
        socket = os.path.join(self.src, ".hotpod", "sync.sock")
        wait_until("the sync socket " + socket, lambda: os.path.exists(socket))
        return hp

    def tar(self, data):
        result = subprocess.run([HOTPOD, "tar", "-C", self.src, "-x", "-f", "-"], input=data,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr.decode())

    def changed(self, number):
        with open(os.path.join(self.out, f"build-{number}.txt")) as f:
            return sorted(filter(None, f.read().split("\n")))

    def half_sync(self, data, first):
        """hotpod tar with the first half of `data` written to it, once `first` is in place."""
        proc = subprocess.Popen([HOTPOD, "tar", "-C", self.src, "-x", "-f", "-"],
                                stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(proc.stderr.close)
        proc.stdin.write(data[:len(data) // 2])
        proc.stdin.flush()
        wait_until(first, lambda: os.path.exists(os.path.join(self.src, first)))
        return proc

    def cut_sync(self):
        """done.go arrives whole, then the client goes away in the middle of big.go."""
        data = pax_archive([("done.go", b"package main\n"), ("big.go", b"y" * 200_000)])
        proc = self.half_sync(data, "done.go")
        proc.stdin.close()  # the client (kubectl exec, docker exec) went away mid-stream
        self.assertEqual(proc.wait(timeout=30), 2)

    def sentinel(self, hp, expected_build):
        """A file written after everything else: its build's number proves how many ran."""
        mark = hp.mark()
        write(os.path.join(self.src, f"sentinel{expected_build}.go"), "package main\n")
        _, record = hp.wait_for("build_finished", after=mark)
        self.assertEqual(record["build"], expected_build, hp.log_tail())
        self.assertEqual(self.changed(expected_build), [f"sentinel{expected_build}.go"])

    def test_5000_files_are_one_build_started_by_the_end_of_the_sync(self):
        # A long quiet period: the build the sync's end starts says "source": "sync".
        hp = self.start_loop(delay="3s")
        names = [f"pkg/p{i // 100}/f{i}.go" for i in range(5000)]
        mark = hp.mark()
        self.tar(pax_archive([(name, b"package p\n") for name in names]))
        _, record = hp.wait_for("build_started", after=mark, timeout=30)
        self.assertEqual(record["build"], 2)
        _, changes = hp.wait_for("changes", after=mark)
        self.assertEqual(changes["source"], "sync")
        hp.wait_for("build_finished", after=mark, build=2)
        self.assertEqual(self.changed(2), sorted(names))
        self.sentinel(hp, 3)

    def test_go_archive_then_kernel_events_give_no_second_build(self):
        hp = self.start_loop()
        staging = os.path.join(self.dir, "staging")
        for i in range(50):
            write(os.path.join(staging, "web", f"h{i}.go"), "package web\n")
        mark = hp.mark()
        self.tar(go_archive(staging))
        hp.wait_for("build_finished", after=mark, build=2)
        self.assertEqual(len(self.changed(2)), 50)
        self.sentinel(hp, 3)

    def test_stalled_stream_is_one_build_after_its_end(self):
        hp = self.start_loop(delay="100ms")
        data = pax_archive([(f"a{i}.go", b"x" * 2000) for i in range(20)])
        mark = hp.mark()
        proc = self.half_sync(data, "a3.go")
        time.sleep(1.0)  # the stall under test: ten quiet periods
        self.assertEqual(hp.count("build_started"), 1, hp.log_tail())
        proc.stdin.write(data[len(data) // 2:])
        proc.stdin.close()
        self.assertEqual(proc.wait(timeout=60), 0, proc.stderr.read().decode())
        hp.wait_for("build_finished", after=mark, build=2)
        self.assertEqual(len(self.changed(2)), 20)
        self.sentinel(hp, 3)

    def test_cut_stream_builds_nothing_and_the_next_sync_builds(self):
        hp = self.start_loop(delay="100ms")
        self.cut_sync()
        hp.wait_for("sync_cut")
        self.assertEqual(sorted(n for n in os.listdir(self.src) if not n.startswith(".hotpod")),
                         ["done.go", "main.go"])  # no big.go, no temp file
        self.sentinel(hp, 2)  # nothing was built for the cut sync
        mark = hp.mark()
        self.tar(pax_archive([("done.go", b"package main\n"), ("big.go", b"y" * 200_000)]))
        hp.wait_for("build_finished", after=mark, build=3)
        self.assertEqual(self.changed(3), ["big.go", "done.go"])

    def test_rm_rf_after_a_sync_is_one_build(self):
        hp = self.start_loop(delay="100ms")
        self.tar(pax_archive([(f"gone/g{i}.go", b"package gone\n") for i in range(30)]))
        hp.wait_for("build_finished", build=2)
        mark = hp.mark()
        shutil.rmtree(os.path.join(self.src, "gone"))  # what Skaffold and Tilt run for deletes
        hp.wait_for("build_finished", after=mark, build=3)
        self.assertEqual(len(self.changed(3)), 30)
        self.sentinel(hp, 4)

    def test_the_audit_record_of_a_synced_build_says_via_sync(self):
        """audit.path: each sync batch is one record (complete or cut, with its files); a build
        set off by a sync says "via": "sync"; an edit says "watch"."""
        audit = os.path.join(self.dir, "audit.jsonl")
        write(os.path.join(self.dir, "hotpod.yaml"),
              f"root: src\nwatch:\n  delay: 100ms\nbuild:\n  cmd: 'true'\n"
              f"audit:\n  path: {audit}\n")
        hp = self.start(["-c", os.path.join(self.dir, "hotpod.yaml")])
        hp.wait_for("build_finished", build=1)
        socket = os.path.join(self.src, ".hotpod", "sync.sock")
        wait_until("the sync socket " + socket, lambda: os.path.exists(socket))
        self.cut_sync()
        hp.wait_for("sync_cut")
        self.tar(pax_archive([("api/handler.go", b"package api\n")]))
        hp.wait_for("build_finished", build=2)
        write(os.path.join(self.src, "main.go"), "package main // edited\n")
        hp.wait_for("build_finished", build=3)
        with open(audit) as f:
            records = [json.loads(line) for line in f]
        syncs = [{k: r[k] for k in ("result", "count", "files")}
                 for r in records if r["event"] == "sync"]
        # A cut sync lists what it had begun: big.go was announced, never put in place.
        self.assertEqual(syncs, [{"result": "cut", "count": 2, "files": ["big.go", "done.go"]},
                                 {"result": "complete", "count": 1, "files": ["api/handler.go"]}])
        builds = {r["build"]: r for r in records if r["event"] == "build"}
        self.assertEqual(builds[2]["trigger"]["via"], "sync", builds[2])
        self.assertEqual([x["path"] for x in builds[2]["trigger"]["files"]], ["api/handler.go"])
        self.assertEqual(builds[3]["trigger"]["via"], "watch", builds[3])


if __name__ == "__main__":
    unittest.main()
