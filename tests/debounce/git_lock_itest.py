"""A git checkout is one build however long it takes: while git holds .git/index.lock the quiet
period stays open past watch.max_delay, and the build starts after git is done, with every file
the checkout wrote. A lock that a killed git left behind stops counting after 30 s (not waited
for here: the unit of that is the stale flag, said in the log)."""
import os
import shutil
import subprocess
import time
import unittest

from hotpod_harness import TempTree, skip, write

GIT = shutil.which("git")


def git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd,
                   check=True, capture_output=True)


class GitLockTest(TempTree):
    def setUp(self):
        super().setUp()
        if not GIT:
            skip("git is not installed (scripts/install-deps.sh installs it)")
        self.repo = os.path.join(self.dir, "repo")
        self.out = os.path.join(self.dir, "out")  # outside the watched tree
        os.makedirs(self.out)
        write(os.path.join(self.repo, "main.go"), "package main\n")
        git(self.repo, "init", "-q", "-b", "a")
        git(self.repo, "add", ".")
        git(self.repo, "commit", "-q", "-m", "a")

    def start_recording(self, root):
        build = f'printf "%s" "$HOTPOD_CHANGED_FILES" > {self.out}/build-$HOTPOD_BUILD_NUMBER.txt'
        # A short cap, so that a slow git outlasts it by far.
        write(os.path.join(self.dir, "hotpod.yaml"),
              f"root: {root}\nbuild: {{cmd: '{build}'}}\nwatch: {{delay: 50ms, max_delay: 200ms}}\n")
        hp = self.start(["-c", os.path.join(self.dir, "hotpod.yaml")])
        hp.wait_for("build_finished", build=1)
        return hp

    def changed(self, number):
        with open(os.path.join(self.out, f"build-{number}.txt")) as f:
            return sorted(filter(None, f.read().split("\n")))

    def slow_git_writes(self, root, lock, names):
        """What git checkout does, slowed down: take the index lock, write the files one by one
        over far longer than max_delay, then let the lock go (git renames it over the index)."""
        write(lock, "")
        for name in names:
            write(os.path.join(root, name), f"// {name}\n")
            time.sleep(0.05)  # the slowness is the scenario, not a wait for hotpod
        os.rename(lock, lock[: -len(".lock")])

    def test_files_written_under_the_index_lock_are_one_build_after_it_goes(self):
        hp = self.start_recording(self.repo)
        mark = hp.mark()
        names = [f"f{i:02}.go" for i in range(16)]  # 0.8 s of writes against a 200 ms cap
        self.slow_git_writes(self.repo, os.path.join(self.repo, ".git", "index.lock"), names)
        _, record = hp.wait_for("build_finished", after=mark)
        self.assertEqual(record["build"], 2, hp.log_tail())
        self.assertEqual(self.changed(2), sorted(names))
        # Nothing else was built: the next save is build 3, alone.
        mark = hp.mark()
        write(os.path.join(self.repo, "main.go"), "package main\n// saved\n")
        _, record = hp.wait_for("build_finished", after=mark)
        self.assertEqual(record["build"], 3, hp.log_tail())
        self.assertEqual(self.changed(3), ["main.go"])
        self.assertEqual(hp.stop(), 0)

    def test_a_root_below_the_repository_and_a_worktree_see_the_lock_too(self):
        git(self.repo, "worktree", "add", "-q", os.path.join(self.dir, "wt"), "-b", "w")
        service = os.path.join(self.dir, "wt", "svc")
        os.makedirs(service)
        hp = self.start_recording(service)
        lock = os.path.join(self.repo, ".git", "worktrees", "wt", "index.lock")
        mark = hp.mark()
        names = [f"g{i:02}.go" for i in range(16)]
        self.slow_git_writes(service, lock, names)
        _, record = hp.wait_for("build_finished", after=mark)
        self.assertEqual(record["build"], 2, hp.log_tail())
        self.assertEqual(self.changed(2), sorted(names))
        self.assertEqual(hp.stop(), 0)

    def test_a_real_checkout_is_one_build(self):
        git(self.repo, "checkout", "-q", "-b", "b")
        for i in range(300):
            write(os.path.join(self.repo, "pkg", f"p{i:03}.go"), f"package pkg // {i}\n")
        git(self.repo, "add", ".")
        git(self.repo, "commit", "-q", "-m", "b")
        git(self.repo, "checkout", "-q", "a")
        hp = self.start_recording(self.repo)
        mark = hp.mark()
        git(self.repo, "checkout", "-q", "b")
        _, record = hp.wait_for("build_finished", after=mark)
        self.assertEqual(record["build"], 2, hp.log_tail())
        self.assertEqual(len(self.changed(2)), 300)
        self.assertEqual(hp.stop(), 0)


if __name__ == "__main__":
    unittest.main()
