"""`hotpod check --list-files` against git itself on generated trees: the files hotpod would
react to are exactly the files git does not ignore."""
import os
import random
import shutil
import subprocess
import unittest

from hotpod_harness import TempTree, run_hotpod, write

PATTERNS = ["*.log", "build/", "/root-only.txt", "!keep.log", "**/gen/**", "docs/**/*.tmp",
            "secret?.txt", "[ab]*.bin", "cache", "!cache/", "nested/deep/", "\\#hash.txt"]
NAMES = ["main.go", "keep.log", "x.log", "root-only.txt", "secret1.txt", "a1.bin", "c1.bin",
         "notes.md", "#hash.txt", "data.tmp", "util.go"]
DIRS = ["", "build", "src", "src/gen", "src/gen/more", "docs", "docs/api", "nested",
        "nested/deep", "pkg/cache", "cache"]


def generate(root, seed):
    rng = random.Random(seed)
    for d in DIRS:
        for name in rng.sample(NAMES, 5):
            path = os.path.join(root, d, name)
            if os.path.isdir(path):
                continue
            try:
                write(path, f"{seed}\n")
            except (IsADirectoryError, NotADirectoryError, FileExistsError):
                pass
        if rng.random() < 0.6:
            rules = rng.sample(PATTERNS, rng.randint(1, 4))
            gi = os.path.join(root, d, ".gitignore")
            if not os.path.isdir(gi):
                write(gi, "\n".join(rules) + "\n")


class ListFilesTest(TempTree):
    def empty_config(self):
        path = os.path.join(self.dir, "empty.yaml")
        write(path, "# defaults only\n")
        return path

    def git(self, *args, cwd):
        env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", HOME=self.dir, GIT_CONFIG_GLOBAL="/dev/null")
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
                              env=env).stdout

    def test_list_files_matches_git_ls_files_on_generated_trees(self):
        if not shutil.which("git"):
            self.fail("git is required (scripts/install-deps.sh installs it)")
        for seed in range(8):
            with self.subTest(seed=seed):
                root = os.path.join(self.dir, f"tree{seed}")
                os.makedirs(root)
                generate(root, seed)
                self.git("init", "-q", cwd=root)
                expected = sorted(self.git("ls-files", "--others", "--exclude-standard",
                                           cwd=root).splitlines())
                # An empty config: defaults only (no zero-config guess), the filter alone.
                result = run_hotpod(["check", "-c", self.empty_config(), "--list-files", "--root",
                                     root], cwd=self.dir)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(result.stdout.splitlines(), expected)

    def test_list_files_applies_include_ext_and_exclude(self):
        root = os.path.join(self.dir, "t")
        for rel in ["a.go", "b.txt", "vendor/c.go", "web/d.go", "web/e.js"]:
            write(os.path.join(root, rel), "x\n")
        result = run_hotpod(["check", "--list-files", "--root", root, "--include-ext", "go,js",
                             "--exclude", "vendor/"], cwd=self.dir)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.splitlines(), ["a.go", "web/d.go", "web/e.js"])

    def test_editor_scratch_files_are_never_listed(self):
        root = os.path.join(self.dir, "t")
        for rel in ["main.go", ".main.go.swp", "main.go~", "4913", ".#main.go",
                    "main.go___jb_tmp___", "main.go___jb_old___", ".git/HEAD", ".hotpod/bin/app"]:
            write(os.path.join(root, rel), "x\n")
        result = run_hotpod(["check", "-c", self.empty_config(), "--list-files", "--root", root],
                            cwd=self.dir)
        self.assertEqual(result.stdout.splitlines(), ["main.go"])


if __name__ == "__main__":
    unittest.main()
