"""The watch backends on real filesystems: an overlayfs whose lower layer changes silently
(poll, hybrid and auto catch it, inotify provably misses it), tmpfs and bind mounts (auto picks
inotify), a FUSE mount below the root (auto polls just that part), a FUSE root (auto picks
hybrid: events for what passes through the mount, a poll for the rest), and poll's own
semantics."""
import os
import shutil
import subprocess
import unittest

from hotpod_harness import TempTree, write


def is_root():
    return os.geteuid() == 0


class BackendTest(TempTree):
    def setUp(self):
        super().setUp()
        self.out = os.path.join(self.dir, "out")
        os.makedirs(self.out)

    def mount(self, *args):
        target = args[-1]
        result = subprocess.run(["mount", *args], capture_output=True, text=True)
        if result.returncode != 0:
            self.skipTest(f"SKIPPED: mount {' '.join(args)} failed: {result.stderr.strip()}")
        # Registered after hotpod's own cleanup, so it runs first (LIFO): hotpod stops, then this.
        self.addCleanup(subprocess.run, ["umount", "-l", target], capture_output=True)

    def watch(self, name, root, *args, yaml=None):
        build = f'printf "%s" "$HOTPOD_CHANGED_FILES" > {self.out}/{name}-$HOTPOD_BUILD_NUMBER'
        extra = []
        if yaml:
            path = os.path.join(self.dir, f"{name}.yaml")
            write(path, yaml)
            extra = ["-c", path]
        hp = self.start([*extra, "--root", root, "--build", build, *args], cwd=self.dir)
        hp.wait_for("build_finished", build=1)
        return hp

    def files_of(self, name, number):
        with open(os.path.join(self.out, f"{name}-{number}")) as f:
            return sorted(filter(None, f.read().split("\n")))

    def next_build_files(self, hp, name, after):
        _, record = hp.wait_for("build_finished", after=after)
        return self.files_of(name, record["build"])

    def test_overlay_lower_layer_change_needs_polling(self):
        if not is_root():
            print("SKIPPED: mounting an overlayfs needs root", flush=True)
            self.skipTest("needs root")
        lower, upper, work, merged = (os.path.join(self.dir, d) for d in ("L", "U", "W", "M"))
        for d in (upper, work, merged):
            os.makedirs(d)
        write(os.path.join(lower, "src", "main.go"), "package main\n")
        self.mount("-t", "overlay", "overlay", "-o",
                   f"lowerdir={lower},upperdir={upper},workdir={work}", merged)
        fast = "watch:\n  verify_interval: 200ms\n"
        watchers = {
            "inotify": self.watch("inotify", merged, "--backend", "inotify"),
            "poll": self.watch("poll", merged, "--backend", "poll", "--poll-interval", "100ms"),
            "hybrid": self.watch("hybrid", merged, "--backend", "hybrid", yaml=fast),
            "auto": self.watch("auto", merged, "--backend", "auto", yaml=fast),
        }
        _, choice = watchers["auto"].wait_for("backend_choice")
        self.assertEqual(choice["backend"], "hybrid")
        marks = {name: hp.mark() for name, hp in watchers.items()}
        # Changed beneath the mount: visible through the merged view, but no inotify event.
        write(os.path.join(lower, "src", "main.go"), "package main\n// changed below\n")
        with open(os.path.join(merged, "src", "main.go")) as f:
            self.assertIn("changed below", f.read())
        for name in ("poll", "hybrid", "auto"):
            with self.subTest(backend=name):
                files = self.next_build_files(watchers[name], name, marks[name])
                self.assertEqual(files, ["src/main.go"])
        # inotify missed it: its next build, caused by a write through the merged view, holds
        # only that file.
        mark = watchers["inotify"].mark()
        write(os.path.join(merged, "sentinel.txt"), "through the mount\n")
        _, record = watchers["inotify"].wait_for("build_finished", after=mark)
        self.assertEqual(record["build"], 2, "inotify built for the lower-layer change")
        self.assertEqual(self.files_of("inotify", 2), ["sentinel.txt"])

    def test_auto_picks_inotify_on_tmpfs_and_bind_mounts(self):
        if not is_root():
            print("SKIPPED: mounting tmpfs and bind mounts needs root", flush=True)
            self.skipTest("needs root")
        tmpfs = os.path.join(self.dir, "tmpfs")
        os.makedirs(tmpfs)
        self.mount("-t", "tmpfs", "tmpfs", tmpfs)
        source, bound = os.path.join(self.dir, "host"), os.path.join(self.dir, "bound")
        os.makedirs(source)
        os.makedirs(bound)
        self.mount("--bind", source, bound)
        for name, root, write_at in (("tmpfs", tmpfs, tmpfs), ("bind", bound, source)):
            with self.subTest(mount=name):
                hp = self.watch(name, root, "--backend", "auto")
                _, choice = hp.wait_for("backend_choice")
                self.assertEqual(choice["backend"], "inotify")
                mark = hp.mark()
                # For the bind mount, write on the host side, as a container's volume would see it.
                write(os.path.join(write_at, "app.txt"), name)
                self.assertEqual(self.next_build_files(hp, name, mark), ["app.txt"])

    def test_auto_polls_a_fuse_mount_below_the_root(self):
        if not is_root() or not shutil.which("bindfs") or not os.path.exists("/dev/fuse"):
            print("SKIPPED: needs root, /dev/fuse and bindfs for a real FUSE mount", flush=True)
            self.skipTest("needs FUSE")
        root, backing = os.path.join(self.dir, "root"), os.path.join(self.dir, "backing")
        os.makedirs(os.path.join(root, "remote"))
        write(os.path.join(backing, "shared.txt"), "v1\n")
        write(os.path.join(root, "local.txt"), "v1\n")
        self._bindfs(backing, os.path.join(root, "remote"))
        hp = self.watch("mixed", root, "--backend", "auto", "--poll-interval", "100ms")
        _, choice = hp.wait_for("backend_choice")
        self.assertEqual(choice["backend"], "inotify+poll")
        mark = hp.mark()
        # Changed on the far side of the FUSE mount: only polling can see it.
        write(os.path.join(backing, "shared.txt"), "v2 from the other side\n")
        self.assertEqual(self.next_build_files(hp, "mixed", mark), ["remote/shared.txt"])
        mark = hp.mark()
        write(os.path.join(root, "local.txt"), "v2\n")
        self.assertEqual(self.next_build_files(hp, "mixed", mark), ["local.txt"])

    def test_auto_picks_hybrid_on_a_fuse_root(self):
        """Docker Desktop's VirtioFS and gRPC FUSE shares: what passes through the mount gives
        inotify events, what the host does below it may not. bindfs is such a FUSE mount."""
        if not is_root() or not shutil.which("bindfs") or not os.path.exists("/dev/fuse"):
            print("SKIPPED: needs root, /dev/fuse and bindfs for a real FUSE mount", flush=True)
            self.skipTest("needs FUSE")
        backing, root = os.path.join(self.dir, "backing"), os.path.join(self.dir, "share")
        write(os.path.join(backing, "main.go"), "package main\n")
        os.makedirs(root)
        self._bindfs(backing, root)
        hp = self.watch("share", root, "--backend", "auto", "--poll-interval", "1s")
        _, choice = hp.wait_for("backend_choice")
        self.assertEqual(choice["backend"], "hybrid", choice["msg"])
        self.assertIn("verification scan every 1s", choice["msg"])
        # Through the mount: inotify reports it, no verification scan has to find it.
        mark = hp.mark()
        write(os.path.join(root, "through.go"), "package main\n")
        self.assertEqual(self.next_build_files(hp, "share", mark), ["through.go"])
        self.assertEqual(hp.find_all("verify_found"), [], "inotify missed a write through the mount")
        # Below the mount (the host's side): the verification scan finds it.
        mark = hp.mark()
        write(os.path.join(backing, "main.go"), "package main\n// changed by the host\n")
        self.assertEqual(self.next_build_files(hp, "share", mark), ["main.go"])
        hp.wait_for("verify_found", after=mark)

    def _bindfs(self, source, target):
        result = subprocess.run(["bindfs", source, target], capture_output=True, text=True)
        if result.returncode != 0:
            self.skipTest(f"SKIPPED: bindfs failed: {result.stderr.strip()}")
        self.addCleanup(subprocess.run, ["umount", "-l", target], capture_output=True)


class PollSemanticsTest(TempTree):
    def start_poll(self, root):
        hp = self.start(["--root", root, "--backend", "poll", "--poll-interval", "50ms",
                         "--log-level", "debug", "--build", "true"])
        hp.wait_for("build_finished", build=1)
        return hp

    def kinds_until_build(self, hp, after):
        index, _ = hp.wait_for("changes", after=after)
        return {r["path"]: r["kind"] for r in hp.records[after:index] if r.get("event") == "change"}

    def test_created_modified_removed_renamed_like_inotify(self):
        root = os.path.join(self.dir, "src")
        write(os.path.join(root, "keep.go"), "k\n")
        write(os.path.join(root, "old.go"), "o\n")
        write(os.path.join(root, "gone.go"), "g\n")
        hp = self.start_poll(root)
        mark = hp.mark()
        write(os.path.join(root, "new.go"), "n\n")
        write(os.path.join(root, "keep.go"), "k2\n")
        os.remove(os.path.join(root, "gone.go"))
        os.rename(os.path.join(root, "old.go"), os.path.join(root, "sub.go"))
        kinds = self.kinds_until_build(hp, mark)
        self.assertEqual(kinds, {"new.go": "created", "keep.go": "modified",
                                 "gone.go": "removed", "old.go": "removed",
                                 "sub.go": "renamed"})

    def test_rewrite_within_one_mtime_tick_still_counts(self):
        root = os.path.join(self.dir, "src")
        path = os.path.join(root, "a.go")
        write(path, "same\n")
        st = os.stat(path)
        hp = self.start_poll(root)
        for change in ("size", "inode"):
            with self.subTest(change=change):
                mark = hp.mark()
                if change == "size":
                    write(path, "longer text\n")
                else:  # same size, replaced by another file
                    tmp = os.path.join(self.dir, "tmp.go")
                    write(tmp, "longer text\n")
                    os.rename(tmp, path)
                os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # the old mtime, to the ns
                _, record = hp.wait_for("changes", after=mark)
                self.assertEqual(record["files"], "a.go")

    def test_excluded_directories_are_never_descended(self):
        root = os.path.join(self.dir, "src")
        for i in range(20):
            os.makedirs(os.path.join(root, "node_modules", f"p{i}"))
        os.makedirs(os.path.join(root, "pkg"))
        hp = self.start_poll(root)
        _, watching = hp.wait_for("watching")
        self.assertEqual(watching["directories"], 2)  # root and pkg


if __name__ == "__main__":
    unittest.main()
