"""The inotify watcher on real directories: late directories, renames, deletions, the root
removed and recreated, excluded directories never watched, and queue overflow → rescan."""
import os
import shutil
import signal
import unittest

from hotpod_harness import TempTree, write


class InotifyTest(TempTree):
    def setUp(self):
        super().setUp()
        self.src = os.path.join(self.dir, "src")
        self.out = os.path.join(self.dir, "out")
        os.makedirs(self.out)
        write(os.path.join(self.src, "a.txt"), "a\n")
        self.build = f'printf "%s" "$HOTPOD_CHANGED_FILES" > {self.out}/$HOTPOD_BUILD_NUMBER'

    def start_watching(self, *extra, env=None):
        hp = self.start(["--root", self.src, "--build", self.build, "--backend", "inotify",
                         *extra], env=env)
        hp.wait_for("build_finished", build=1)
        return hp

    def listed(self, record):
        """The changed files that build wrote down (its list; absent if it was cancelled first)."""
        return os.path.join(self.out, str(record["build"]))

    def files_of(self, record):
        with open(self.listed(record)) as f:
            return sorted(filter(None, f.read().split("\n")))

    def next_build(self, hp, mark):
        _, record = hp.wait_for("build_finished", after=mark)
        return self.files_of(record)

    def files_built_until(self, hp, mark, expected):
        """The changed files of the builds after mark, until every one of `expected` was built:
        a write that comes more than the lone-change delay (0.1 ms) after the first, as on a busy
        machine, goes to a build of its own. A file never seen fails at wait_for's timeout."""
        seen = set()
        while not set(expected) <= seen:
            index, record = hp.wait_for("build_finished", after=mark)
            mark = index + 1
            if os.path.exists(self.listed(record)):  # a cancelled build may not have written it
                seen |= set(self.files_of(record))
        return sorted(seen)

    def test_directories_created_later_are_watched_and_scanned(self):
        hp = self.start_watching()
        mark = hp.mark()
        # Files land in new directories before hotpod can add a watch for them.
        os.makedirs(os.path.join(self.src, "x", "y", "z"))
        write(os.path.join(self.src, "x", "y", "z", "deep.txt"), "deep\n")
        write(os.path.join(self.src, "x", "top.txt"), "top\n")
        expected = ["x/top.txt", "x/y/z/deep.txt"]
        self.assertEqual(self.files_built_until(hp, mark, expected), expected)
        mark = hp.mark()
        write(os.path.join(self.src, "x", "y", "z", "deep.txt"), "deeper\n")
        self.assertEqual(self.next_build(hp, mark), ["x/y/z/deep.txt"])

    def test_directory_moved_in_out_and_within(self):
        outside = os.path.join(self.dir, "outside")
        write(os.path.join(outside, "pkg", "m.txt"), "m\n")
        hp = self.start_watching()
        mark = hp.mark()
        os.rename(outside, os.path.join(self.src, "moved"))
        self.assertEqual(self.next_build(hp, mark), ["moved/pkg/m.txt"])
        mark = hp.mark()
        os.rename(os.path.join(self.src, "moved"), os.path.join(self.src, "renamed"))
        self.assertEqual(self.next_build(hp, mark), ["moved/pkg/m.txt", "renamed/pkg/m.txt"])
        # The renamed directory is still watched under its new name.
        mark = hp.mark()
        write(os.path.join(self.src, "renamed", "pkg", "m.txt"), "m2\n")
        self.assertEqual(self.next_build(hp, mark), ["renamed/pkg/m.txt"])
        mark = hp.mark()
        os.rename(os.path.join(self.src, "renamed"), os.path.join(self.dir, "gone"))
        self.assertEqual(self.next_build(hp, mark), ["renamed/pkg/m.txt"])
        # Moved out: changes there no longer count.
        mark = hp.mark()
        write(os.path.join(self.dir, "gone", "pkg", "m.txt"), "m3\n")
        write(os.path.join(self.src, "a.txt"), "a2\n")
        self.assertEqual(self.next_build(hp, mark), ["a.txt"])

    def test_deletions_count(self):
        write(os.path.join(self.src, "d", "b.txt"), "b\n")
        hp = self.start_watching()
        mark = hp.mark()
        os.remove(os.path.join(self.src, "a.txt"))
        self.assertEqual(self.next_build(hp, mark), ["a.txt"])
        _, changes = hp.wait_for("changes", after=mark)
        mark = hp.mark()
        shutil.rmtree(os.path.join(self.src, "d"))
        self.assertEqual(self.next_build(hp, mark), ["d/b.txt"])

    def test_root_removed_and_recreated(self):
        hp = self.start_watching()
        mark = hp.mark()
        shutil.rmtree(self.src)
        hp.wait_for("root_lost", after=mark)
        mark = hp.mark()
        write(os.path.join(self.dir, "staging", "new.txt"), "new\n")
        os.rename(os.path.join(self.dir, "staging"), self.src)
        hp.wait_for("root_back", after=mark)
        files = self.next_build(hp, mark)
        self.assertIn("new.txt", files)
        mark = hp.mark()
        write(os.path.join(self.src, "new.txt"), "newer\n")
        self.assertEqual(self.next_build(hp, mark), ["new.txt"])

    def test_excluded_directories_are_never_watched(self):
        for i in range(50):
            os.makedirs(os.path.join(self.src, "node_modules", f"p{i}", "lib"))
            os.makedirs(os.path.join(self.src, ".git", "objects", f"{i:02x}"))
        os.makedirs(os.path.join(self.src, "ignored_by_git", "sub"))
        os.makedirs(os.path.join(self.src, "kept"))
        write(os.path.join(self.src, ".gitignore"), "ignored_by_git/\n")
        hp = self.start_watching()
        _, watching = hp.wait_for("watching")
        self.assertEqual(watching["directories"], 2)  # the root and kept/
        mark = hp.mark()
        write(os.path.join(self.src, "node_modules", "p1", "lib", "x.js"), "x\n")
        write(os.path.join(self.src, "ignored_by_git", "sub", "y.txt"), "y\n")
        write(os.path.join(self.src, "kept", "z.txt"), "z\n")
        self.assertEqual(self.next_build(hp, mark), ["kept/z.txt"])

    def test_gitignore_edit_takes_effect_without_restart(self):
        write(os.path.join(self.src, "gen", "out.txt"), "o\n")
        write(os.path.join(self.src, ".gitignore"), "gen/\n")
        hp = self.start_watching()
        mark = hp.mark()
        write(os.path.join(self.src, ".gitignore"), "# nothing ignored now\n")
        self.assertEqual(self.next_build(hp, mark), [".gitignore"])
        mark = hp.mark()
        write(os.path.join(self.src, "gen", "out.txt"), "o2\n")
        self.assertEqual(self.next_build(hp, mark), ["gen/out.txt"])

    def test_queue_overflow_rescans_and_loses_nothing(self):
        if os.geteuid() != 0:
            print("SKIPPED: lowering fs.inotify.max_queued_events needs root", flush=True)
            self.skipTest("needs root")
        for d in range(10):  # watched before the flood, so every write queues events
            os.makedirs(os.path.join(self.src, "flood", str(d)))
        knob = "/proc/sys/fs/inotify/max_queued_events"
        with open(knob) as f:
            saved = f.read().strip()
        with open(knob, "w") as f:
            f.write("64")  # read by inotify_init1: only the hotpod started now gets it
        try:
            hp = self.start_watching()
        finally:
            with open(knob, "w") as f:
                f.write(saved)
        # Freeze hotpod so the kernel queue fills far past 64 events, then let it go.
        os.kill(hp.pid, signal.SIGSTOP)
        try:
            expected = []
            for i in range(500):
                rel = f"flood/{i // 50}/f{i:03d}.txt"
                write(os.path.join(self.src, rel), f"{i}\n")
                expected.append(rel)
            os.remove(os.path.join(self.src, "a.txt"))
            expected.append("a.txt")
        finally:
            os.kill(hp.pid, signal.SIGCONT)
        mark = 0
        hp.wait_for("watch_overflow")
        seen = set()
        while not set(expected) <= seen:
            mark, record = hp.wait_for("build_finished", after=mark)
            mark += 1
            if record["build"] > 1:
                with open(os.path.join(self.out, str(record["build"]))) as f:
                    seen.update(filter(None, f.read().split("\n")))
        self.assertEqual(sorted(seen), sorted(expected))


if __name__ == "__main__":
    unittest.main()
