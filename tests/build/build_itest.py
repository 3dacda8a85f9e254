"""The build stage with real files and a real shell: one save = one build, storms are
coalesced, HOTPOD_CHANGED_FILES is right, on_busy and timeouts behave."""
import os
import subprocess
import tarfile
import unittest

from hotpod_harness import TempTree, write


class BuildTest(TempTree):
    def setUp(self):
        super().setUp()
        self.src = os.path.join(self.dir, "src")
        self.out = os.path.join(self.dir, "out")  # outside the watched tree
        os.makedirs(self.out)
        write(os.path.join(self.src, "main.go"), "package main\n")
        write(os.path.join(self.src, "pkg", "util.go"), "package pkg\n")

    def start_recording(self, extra=(), build=None):
        # The build records which files it was told about, one file per build.
        build = build or ('printf "%s" "$HOTPOD_CHANGED_FILES" > '
                          f'{self.out}/build-$HOTPOD_BUILD_NUMBER.txt')
        return self.start(["--root", self.src, "--build", build, *extra])

    def changed_files(self, number):
        with open(os.path.join(self.out, f"build-{number}.txt")) as f:
            return sorted(filter(None, f.read().split("\n")))

    def wait_build(self, hp, after, number):
        _, record = hp.wait_for("build_finished", after=after, build=number)
        return record

    def sentinel(self, hp, expected_build):
        """Touches a sentinel file and waits for its build. Because events are ordered, the
        sentinel's build number proves how many builds ran before it."""
        mark = hp.mark()
        write(os.path.join(self.src, "sentinel.go"), f"// {expected_build}\n")
        _, record = hp.wait_for("build_finished", after=mark)
        self.assertEqual(record["build"], expected_build, hp.log_tail())
        self.assertEqual(self.changed_files(expected_build), ["sentinel.go"])

    def test_vim_style_save_gives_exactly_one_build(self):
        hp = self.start_recording()
        self.wait_build(hp, 0, 1)
        mark = hp.mark()
        # What vim does on :w with its defaults: probe file 4913, backup by rename, write the
        # new file, remove the backup; plus its swap file.
        target = os.path.join(self.src, "main.go")
        write(os.path.join(self.src, ".main.go.swp"), "swap")
        probe = os.path.join(self.src, "4913")
        write(probe, "")
        os.remove(probe)
        os.rename(target, target + "~")
        write(target, "package main\n// edited\n")
        os.remove(target + "~")
        self.wait_build(hp, mark, 2)
        self.assertEqual(self.changed_files(2), ["main.go"])
        self.sentinel(hp, 3)

    def test_write_temp_then_rename_save_is_one_build(self):
        hp = self.start_recording()
        self.wait_build(hp, 0, 1)
        mark = hp.mark()
        tmp = os.path.join(self.src, "pkg", ".util.go.tmp~")
        write(tmp, "package pkg\n// v2\n")
        os.rename(tmp, os.path.join(self.src, "pkg", "util.go"))
        self.wait_build(hp, mark, 2)
        self.assertEqual(self.changed_files(2), ["pkg/util.go"])
        self.sentinel(hp, 3)

    def test_a_lone_save_builds_without_waiting_the_quiet_period(self):
        # A quiet period of an hour: only the short one of a lone change (see debouncer.h) lets
        # the build start before the test's own timeout. A storm's second change brings the full
        # quiet period back (tests/debounce/debouncer_test.cpp).
        hp = self.start_recording(extra=["--delay", "1h"])
        self.wait_build(hp, 0, 1)
        mark = hp.mark()
        write(os.path.join(self.src, "main.go"), "package main\n// saved\n")
        _, started = hp.wait_for("build_started", after=mark)
        self.assertEqual(started["build"], 2)
        self.wait_build(hp, mark, 2)
        self.assertEqual(self.changed_files(2), ["main.go"])

    def test_a_build_that_writes_a_temp_file_into_the_tree_does_not_trigger_itself(self):
        # Like `go build -o` or a `cp x.new && mv x.new x` step: a temp file next to an
        # artefact the watcher excludes, renamed over it a moment later. A lone change waits only
        # 0.1 ms; while hotpod's own build writes, its temp file must wait the full quiet period
        # and net out with the rename, or each build cancels itself (on_busy: restart).
        # A quiet period far above the build's 50 ms between the two (a busy machine stretches
        # it); a lone change still waits only 0.1 ms, which is what failed before.
        write(os.path.join(self.dir, "hotpod.yaml"), f"""
root: src
watch: {{delay: 500ms}}
build:
  cmd: mkdir -p bin && cp main.go bin/app.new && sleep 0.05 && mv bin/app.new bin/app && printf "%s" "$HOTPOD_CHANGED_FILES" > {self.out}/build-$HOTPOD_BUILD_NUMBER.txt
  artifacts: [bin/app]
""")
        hp = self.start([])
        first = self.wait_build(hp, 0, 1)
        self.assertEqual(first["result"], "success", hp.log_tail())
        mark = hp.mark()
        write(os.path.join(self.src, "main.go"), "package main\n// saved\n")
        second = self.wait_build(hp, mark, 2)
        self.assertEqual(second["result"], "success", hp.log_tail())
        self.assertEqual(self.changed_files(2), ["main.go"])
        self.sentinel(hp, 3)

    def test_tar_extract_of_5000_files_gives_at_most_two_builds(self):
        staging = os.path.join(self.dir, "staging")
        for i in range(5000):
            write(os.path.join(staging, f"d{i // 100:02d}", f"f{i:04d}.go"), f"package d\n// {i}\n")
        archive = os.path.join(self.dir, "sync.tar")
        with tarfile.open(archive, "w") as tar:
            tar.add(staging, arcname=".")
        hp = self.start_recording()
        self.wait_build(hp, 0, 1)
        mark = hp.mark()
        subprocess.run(["tar", "xf", archive, "-C", self.src], check=True)
        _, first = hp.wait_for("build_finished", after=mark)
        builds = {first["build"]}
        # Every extracted file must reach some build: wait until all 5000 were reported.
        seen = set(self.changed_files(first["build"]))
        while len([p for p in seen if p.startswith("d")]) < 5000:
            _, record = hp.wait_for("build_finished", after=mark, build=max(builds) + 1)
            builds.add(record["build"])
            seen.update(self.changed_files(record["build"]))
        self.assertLessEqual(len(builds), 2, f"builds for one tar x: {sorted(builds)}")
        self.sentinel(hp, max(builds) + 1)

    def test_changes_during_a_build_restart_it_by_default(self):
        gate = os.path.join(self.dir, "gate")
        os.mkfifo(gate)
        # Build #2 blocks on the fifo until the test has changed another file.
        build = (f'[ "$HOTPOD_BUILD_NUMBER" = 2 ] && read line < {gate}; '
                 f'printf "%s" "$HOTPOD_CHANGED_FILES" > {self.out}/build-$HOTPOD_BUILD_NUMBER.txt')
        hp = self.start_recording(build=build)
        self.wait_build(hp, 0, 1)
        mark = hp.mark()
        write(os.path.join(self.src, "main.go"), "package main\n// a\n")
        hp.wait_for("build_started", after=mark, build=2)
        write(os.path.join(self.src, "pkg", "util.go"), "package pkg\n// b\n")
        _, cancelled = hp.wait_for("build_finished", after=mark, build=2)
        self.assertEqual(cancelled["result"], "cancelled")
        self.wait_build(hp, mark, 3)
        # The restarted build covers the cancelled build's changes too.
        self.assertEqual(self.changed_files(3), ["main.go", "pkg/util.go"])

    def queue_a_change_behind_build_2(self, record):
        """on_busy: queue; build #2 (main.go) waits on a fifo until pkg/util.go has changed, so
        build #3 starts within #2's end. `record`: the shell that records what a build saw.
        Returns hotpod and the mark before #2, with #2 released."""
        gate = os.path.join(self.dir, "gate")
        os.mkfifo(gate)
        write(os.path.join(self.src, "hotpod.yaml"), "build:\n  on_busy: queue\n")
        build = f'[ "$HOTPOD_BUILD_NUMBER" = 2 ] && read line < {gate}; {record}'
        hp = self.start_recording(build=build,
                                  extra=["-c", os.path.join(self.src, "hotpod.yaml"),
                                         "--include-ext", "go"])
        self.wait_build(hp, 0, 1)
        mark = hp.mark()
        write(os.path.join(self.src, "main.go"), "package main\n// a\n")
        hp.wait_for("build_started", after=mark, build=2)
        write(os.path.join(self.src, "pkg", "util.go"), "package pkg\n// b\n")
        hp.wait_for("changes", after=mark, files="pkg/util.go")
        with open(gate, "w") as g:
            g.write("go\n")
        return hp, mark

    def test_on_busy_queue_runs_one_more_build_after(self):
        hp, mark = self.queue_a_change_behind_build_2(
            f'printf "%s" "$HOTPOD_CHANGED_FILES" > {self.out}/build-$HOTPOD_BUILD_NUMBER.txt')
        self.assertEqual(self.wait_build(hp, mark, 2)["result"], "success")
        self.wait_build(hp, mark, 3)
        self.assertEqual(self.changed_files(2), ["main.go"])
        self.assertEqual(self.changed_files(3), ["pkg/util.go"])

    def test_each_build_reads_its_own_changed_files_lists_and_they_are_removed_after(self):
        # Build #3 starts within build #2's end: its lists must survive the removal of #2's,
        # which follows the handling of #2's outcome.
        hp, mark = self.queue_a_change_behind_build_2(
            f'cp "$HOTPOD_CHANGED_FILES_FILE" {self.out}/build-$HOTPOD_BUILD_NUMBER.txt && '
            f'ls "$(dirname "$HOTPOD_CHANGED_FILES_FILE")" > {self.out}/scratch-$HOTPOD_BUILD_NUMBER')
        self.assertEqual(self.wait_build(hp, mark, 2)["result"], "success", hp.log_tail())
        self.assertEqual(self.wait_build(hp, mark, 3)["result"], "success", hp.log_tail())
        self.assertEqual(self.changed_files(3), ["pkg/util.go"])
        self.sentinel(hp, 4)
        with open(os.path.join(self.out, "scratch-4")) as f:
            lists = sorted(name for name in f.read().split() if name.startswith("changed-files"))
        self.assertEqual(lists, ["changed-files-4", "changed-files0-4"])

    def test_timeout_kills_the_whole_build_group(self):
        pidfile = os.path.join(self.out, "sleeper.pid")
        write(os.path.join(self.dir, "hotpod.yaml"),
              f"root: src\nbuild:\n  cmd: 'sleep 300 & echo $! > {pidfile}; wait'\n"
              "  timeout: 1s\n")
        hp = self.start(["-c", os.path.join(self.dir, "hotpod.yaml")])
        _, record = hp.wait_for("build_finished", build=1)
        self.assertEqual(record["result"], "timeout")
        with open(pidfile) as f:
            sleeper = int(f.read())
        self.assertFalse(os.path.exists(f"/proc/{sleeper}"),
                         "the build's background child survived the timeout")

    def test_failed_build_is_reported_with_its_output(self):
        hp = self.start(["--root", self.src, "--build", "echo 'main.go:3: syntax error'; exit 3"])
        _, record = hp.wait_for("build_finished", build=1)
        self.assertEqual(record["result"], "failure")
        self.assertEqual(record["exit_code"], 3)
        self.assertIn("main.go:3: syntax error", record["msg"])
        self.assertTrue(hp.find_all("output", source="build", msg="main.go:3: syntax error"))

    def test_a_nul_separated_list_keeps_names_with_newlines_whole(self):
        # HOTPOD_CHANGED_FILES is newline-separated: a name with a newline splits in two there.
        build = (f'cp "$HOTPOD_CHANGED_FILES0" {self.out}/build-$HOTPOD_BUILD_NUMBER.nul && '
                 f'echo "$HOTPOD_CHANGED_COUNT" > {self.out}/count-$HOTPOD_BUILD_NUMBER')
        hp = self.start_recording(build=build)
        self.wait_build(hp, 0, 1)
        mark = hp.mark()
        # Both names arrive in one rename, so they are in one build however slow the machine:
        # two separate writes can be two builds when a lone change waits only 0.1 ms.
        staging = os.path.join(self.dir, "batch")
        names = ["batch/odd\nname.go", "batch/plain.go"]
        for name in names:
            write(os.path.join(self.dir, name), "package main\n")
        os.rename(staging, os.path.join(self.src, "batch"))
        record = self.wait_build(hp, mark, 2)
        self.assertEqual(record["result"], "success", hp.log_tail())
        with open(os.path.join(self.out, "build-2.nul"), "rb") as f:
            listed = f.read()
        self.assertTrue(listed.endswith(b"\0"), listed)
        self.assertEqual(sorted(listed[:-1].decode().split("\0")), names)
        with open(os.path.join(self.out, "count-2")) as f:
            self.assertEqual(f.read().strip(), "2")


if __name__ == "__main__":
    unittest.main()
