"""Flags and HOTPOD_* variables with `services:`: the watch keys a service inherits take the flag
in every service (a flag is the strongest source); a flag that names one app's program or target
is refused, naming the flag and the key to set instead."""
import os
import unittest

from hotpod_harness import TempTree, run_hotpod, write

CONFIG = """\
watch:
  include_ext: [go]
services:
  api:
    paths: [api]
    build: {cmd: "true"}
  web:
    paths: [web]
    build: {cmd: "true"}
"""


class ServicesFlagsTest(TempTree):
    def setUp(self):
        super().setUp()
        self.config = os.path.join(self.dir, "hotpod.yaml")
        write(self.config, CONFIG)
        write(os.path.join(self.dir, "api", "main.go"), "package main\n")
        write(os.path.join(self.dir, "web", "notes.txt"), "x\n")

    def listed(self, *flags, env=None):
        check = run_hotpod(["check", "--list-files", "-c", self.config, *flags], env=env)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        return dict(line.split("\t") for line in check.stdout.splitlines())

    def test_include_ext_flag_reaches_every_service(self):
        self.assertEqual(self.listed(), {"api/main.go": "api"})
        self.assertEqual(self.listed("--include-ext", "txt"), {"web/notes.txt": "web"})
        env = dict(os.environ, HOTPOD_INCLUDE_EXT="go,txt")
        self.assertEqual(self.listed(env=env), {"api/main.go": "api", "web/notes.txt": "web"})

    def test_exclude_flag_reaches_every_service(self):
        self.assertEqual(self.listed("--exclude", "main.go"), {})

    def test_a_flag_naming_one_program_is_refused(self):
        for command, flags, named in (("check", ["--build", "make"], "--build"),
                                      ("check", ["--proxy-listen", "127.0.0.1:9"], "--proxy-listen"),
                                      ("agent", ["--target-exe", "app"], "--target-exe"),
                                      ("run", ["--", "./app"], "-- CMD")):
            with self.subTest(flags=flags):
                check = run_hotpod([command, "-c", self.config, *flags])
                self.assertEqual(check.returncode, 2, check.stdout + check.stderr)
                self.assertIn(named, check.stderr)
                self.assertIn("has services:", check.stderr)
                self.assertIn("services.NAME.", check.stderr)


if __name__ == "__main__":
    unittest.main()
