"""The command line contract: exit codes, config errors with file:line:column and key,
precedence of defaults < hotpod.yaml < HOTPOD_* < flags, init/check/version/help."""
import os
import subprocess
import unittest

from hotpod_harness import TempTree, run_hotpod, write

BAD_CONFIGS = [
    # (yaml text, line, column, key, words the message must contain)
    ("watch:\n  delai: 100ms\n", 2, 3, "watch.delai", "did you mean 'watch.delay'"),
    ("watch:\n  delay: 5x\n", 2, 10, "watch.delay", "250ms"),
    ("watch:\n  backend: nfs\n", 2, 12, "watch.backend", "auto"),
    ("run:\n  stop_signal: SIGFOO\n", 2, 16, "run.stop_signal", "SIG"),
    ("build:\n  on_busy: later\n", 2, 12, "build.on_busy", "queue"),
    ("watch:\n  include_ext: {go: 1}\n", 2, 16, "watch.include_ext", "list"),
    ("delay: 100ms\n", 1, 1, "delay", "watch.delay"),
    ("watch:\n  delay: 3s\n  max_delay: 1s\n", 3, 14, "watch.max_delay", "delay"),
    ("build:\n  cmd: [go, build]\n", 2, 8, "build.cmd", "string"),
    ("watch: [\n", None, None, None, "hotpod.yaml"),
    ("rules:\n  - match: x\n    actoin: build\n", 3, 5, "rules[0].actoin", "rules.action"),
    ("rules:\n  - match: x\n    signal: SIGNOPE\n", 3, 13, "rules[0].signal", "SIG"),
    ("rules:\n  - match: x\n", 2, 5, "rules[0]", "needs an action"),
]


class CliConfigTest(TempTree):
    def config(self, text):
        path = os.path.join(self.dir, "hotpod.yaml")
        write(path, text)
        return path

    def test_every_config_error_exits_2_with_file_line_column_and_key(self):
        for text, line, column, key, words in BAD_CONFIGS:
            with self.subTest(text=text):
                path = self.config(text)
                for command in (["check", "-c", path], ["run", "-c", path]):
                    result = run_hotpod(command, cwd=self.dir)
                    self.assertEqual(result.returncode, 2, result.stderr)
                    if line is not None:
                        self.assertIn(f"{path}:{line}:{column}: {key}", result.stderr)
                    self.assertIn(words, result.stderr)

    def test_default_config_is_read_from_the_working_directory(self):
        self.config("watch:\n  delay: soon\n")
        result = run_hotpod(["check"], cwd=self.dir)
        self.assertEqual(result.returncode, 2)
        self.assertIn("hotpod.yaml:2:10: watch.delay", result.stderr)

    def test_missing_config_file_is_a_config_error(self):
        result = run_hotpod(["check", "-c", "nope.yaml"], cwd=self.dir)
        self.assertEqual(result.returncode, 2)
        self.assertIn("nope.yaml", result.stderr)

    def test_bad_flags_and_variables_exit_2_and_name_them(self):
        cases = [
            (["run", "--delay", "fast"], {}, "--delay (or HOTPOD_DELAY)"),
            (["run", "--backend", "magic"], {}, "--backend"),
            (["run"], {"HOTPOD_LOG_FORMAT": "xml"}, "HOTPOD_LOG_FORMAT"),
            (["run", "--no-such-flag"], {}, "--no-such-flag"),
            (["frobnicate"], {}, "frobnicate"),
        ]
        for args, env, words in cases:
            with self.subTest(args=args, env=env):
                result = run_hotpod(args, cwd=self.dir, env=env)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn(words, result.stderr)

    def test_precedence_defaults_file_environment_flags(self):
        src = os.path.join(self.dir, "src")
        os.makedirs(src)

        def effective_delay(env, args):
            hp = self.start(["--root", src, *args], env=env)
            _, watching = hp.wait_for("watching")
            self.assertEqual(hp.stop(), 0)
            return watching["delay_ms"]

        self.assertEqual(effective_delay({}, []), 100)  # default
        self.config("watch:\n  delay: 300ms\n")
        self.assertEqual(effective_delay({}, []), 300)  # file over default
        self.assertEqual(effective_delay({"HOTPOD_DELAY": "200ms"}, []), 200)  # env over file
        self.assertEqual(effective_delay({"HOTPOD_DELAY": "200ms"}, ["--delay", "50ms"]), 50)

    def test_runtime_failure_exits_1(self):
        result = run_hotpod(["run", "--root", os.path.join(self.dir, "missing"), "--build", "true"],
                            cwd=self.dir)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("missing does not exist", result.stderr)

    def test_version_and_help(self):
        result = run_hotpod(["version"])
        self.assertEqual(result.returncode, 0)
        self.assertRegex(result.stdout, r"^hotpod \d+\.\d+\.\d+")
        for command in (["--help"], ["run", "--help"], ["check", "--help"], ["init", "--help"]):
            with self.subTest(command=command):
                result = run_hotpod(command)
                self.assertEqual(result.returncode, 0)
                self.assertIn("Usage", result.stdout)
        self.assertIn("--poll-interval", run_hotpod(["run", "--help"]).stdout)

    def test_init_writes_a_starter_that_check_accepts_and_never_overwrites(self):
        project = os.path.join(self.dir, "proj")
        write(os.path.join(project, "go.mod"), "module example.com/x\n\ngo 1.19\n")
        write(os.path.join(project, "main.go"), "package main\nfunc main() {}\n")
        result = run_hotpod(["init"], cwd=project)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(os.path.join(project, "hotpod.yaml")) as f:
            starter = f.read()
        self.assertIn("go build", starter)
        self.assertIn("#", starter)  # commented
        check = run_hotpod(["check"], cwd=project)
        self.assertEqual(check.returncode, 0, check.stderr)
        self.assertIn("go build", check.stdout)
        again = run_hotpod(["init"], cwd=project)
        self.assertEqual(again.returncode, 2)
        self.assertIn("--force", again.stderr)
        with open(os.path.join(project, "hotpod.yaml")) as f:
            self.assertEqual(f.read(), starter)


if __name__ == "__main__":
    unittest.main()
