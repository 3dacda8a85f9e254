"""Hostile and unlucky config input (issue 22, third round): files that never end or are huge,
a second YAML document, stop signals that cannot stop an app, and rules numbered one way."""
import os
import unittest

from hotpod_harness import HANG_TIMEOUT, TempTree, run_hotpod, write

MIB = 1 << 20


class HostileConfigTest(TempTree):
    def setUp(self):
        super().setUp()
        self.src = os.path.join(self.dir, "src")
        write(os.path.join(self.src, "main.go"), "package main\n")
        self.path = os.path.join(self.dir, "hotpod.yaml")

    def check(self, *args, config=None):
        return run_hotpod(["check", "-c", config or self.path, *args], cwd=self.dir)

    def test_a_config_that_never_ends_is_refused_at_the_size_limit(self):
        # /dev/zero used to be read until memory ran out (4 GB and on).
        result = run_hotpod(["check", "-c", "/dev/zero"], cwd=self.dir, timeout=HANG_TIMEOUT)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("/dev/zero", result.stderr)
        self.assertIn("larger than 1 MiB", result.stderr)

    def test_a_config_over_one_mib_is_refused_naming_the_file_and_the_limit(self):
        # Valid YAML that is only too big: a comment of 2 MiB after a real setting.
        write(self.path, f"root: src\n#{'x' * (2 * MIB)}\n")
        result = self.check()
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertIn(self.path, result.stderr)
        self.assertIn("larger than 1 MiB", result.stderr)

    def test_an_oversized_ignore_file_is_not_read_and_says_so(self):
        # A .hotpodignore link to a huge file: its patterns are not used (like git with an
        # oversized pattern file), and the warning names the file and the limit.
        write(self.path, "root: src\n")
        huge = os.path.join(self.dir, "huge.txt")
        write(huge, "#" + "x" * (2 * MIB) + "\nmain.go\n")
        os.symlink(huge, os.path.join(self.src, ".hotpodignore"))
        result = self.check("--list-files")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("main.go", result.stdout.split())
        self.assertIn(".hotpodignore", result.stderr)
        self.assertIn("larger than 1 MiB", result.stderr)

    def test_a_second_yaml_document_is_refused_even_an_invalid_one(self):
        for second in ("watch:\n  delay: 1s\n", "kind: Pod\nspec: [unclosed\n"):
            with self.subTest(second=second):
                write(self.path, "root: src\n---\n" + second)
                for command in ("check", "run"):
                    result = run_hotpod([command, "-c", self.path], cwd=self.dir)
                    self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
                    self.assertIn(f"{self.path}:2:1", result.stderr)
                    self.assertIn("second YAML document", result.stderr)
        write(self.path, "---\nroot: src\n")  # one document with its marker is fine
        self.assertEqual(self.check().returncode, 0)

    def test_stop_signals_that_cannot_stop_the_app_are_refused(self):
        for name in ("SIGKILL", "SIGSTOP", "SIGCHLD", "9"):
            with self.subTest(name=name):
                write(self.path, f"root: src\nrun:\n  cmd: [sleep, '100']\n  stop_signal: {name}\n")
                result = self.check()
                self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
                self.assertIn(f"{self.path}:4:16: run.stop_signal", result.stderr)
                self.assertIn("does not ask the app to stop", result.stderr)
                flag = run_hotpod(["exec", "--stop-signal", name, "--", "true"])
                self.assertEqual(flag.returncode, 2, flag.stderr)
                self.assertIn("--stop-signal", flag.stderr)

    def test_rules_are_numbered_from_0_in_errors_and_in_check(self):
        rules = ("rules:\n"
                 "  - match: '*.md'\n"
                 "    action: notify\n"
                 "  - match: '*.go'\n"
                 "    action: build\n")
        write(self.path, "root: src\n" + rules)
        listed = self.check("--list-files")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertIn("main.go\trules[1] (line 5): *.go → build", listed.stdout)
        write(self.path, "root: src\n" + rules + "    sgnal: x\n")
        error = self.check()
        self.assertEqual(error.returncode, 2)
        self.assertIn("rules[1].sgnal", error.stderr)


if __name__ == "__main__":
    unittest.main()
