"""Rules per file pattern with a real app and a real shell: a config change sends SIGHUP without
a rebuild, a template change restarts without a build, a .go change builds, a `run` rule runs
its command only, static files only notify, and a mixed ChangeSet does the strongest action once
after every hit rule's command."""
import os
import sys
import unittest

from hotpod_harness import TempTree, run_hotpod, write

APP = """import signal, sys, time
def hup(*_):
    print("got SIGHUP", flush=True)
signal.signal(signal.SIGHUP, hup)
print("ready", flush=True)
while True:
    time.sleep(1)
"""


class RulesTest(TempTree):
    def setUp(self):
        super().setUp()
        self.src = os.path.join(self.dir, "src")
        self.out = os.path.join(self.dir, "out")
        os.makedirs(self.out)
        for rel in ("main.go", "config/app.yaml", "templates/index.tmpl", "api.proto",
                    "static/app.css", "README.md"):
            write(os.path.join(self.src, rel), "v1\n")
        write(os.path.join(self.dir, "app.py"), APP)
        self.config = os.path.join(self.dir, "hotpod.yaml")
        write(self.config, f"""root: src
watch:
  delay: 50ms
build:
  cmd: echo built >> {self.out}/builds
run:
  cmd: [{sys.executable}, {self.dir}/app.py]
rules:
  - match: '*.go'
    action: build
  - match: config/*.yaml
    signal: SIGHUP
  - match: templates/**
    action: restart
  - ext: [proto]
    run: echo generated >> {self.out}/runs
  - match: static/
    action: notify
    delay: 10ms
""")

    def lines(self, name):
        try:
            with open(os.path.join(self.out, name)) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def edit(self, *rels):
        for rel in rels:
            write(os.path.join(self.src, rel), f"changed {rel}\n")

    def test_each_rule_does_its_action_and_a_mix_does_the_strongest_once(self):
        hp = self.start(["-c", self.config])
        hp.wait_for("build_finished", build=1)
        _, app = hp.wait_for("app_started")
        hp.wait_for("output", source="app", msg="ready")

        with self.subTest("config change: SIGHUP, no build, no restart"):
            mark = hp.mark()
            self.edit("config/app.yaml")
            _, sent = hp.wait_for("app_signalled", after=mark)
            self.assertEqual((sent["signal"], sent["pid"]), ("SIGHUP", app["pid"]))
            hp.wait_for("output", after=mark, source="app", msg="got SIGHUP")
            self.assertEqual(hp.count("build_started"), 1)
            self.assertEqual(hp.count("app_stopping"), 0)

        with self.subTest("template change: restart without a build"):
            mark = hp.mark()
            self.edit("templates/index.tmpl")
            _, app = hp.wait_for("app_started", after=mark)
            self.assertEqual(hp.count("build_started"), 1)

        with self.subTest("go change: build, then restart"):
            mark = hp.mark()
            self.edit("main.go")
            _, built = hp.wait_for("build_finished", after=mark)
            self.assertEqual(built["result"], "success")
            _, app = hp.wait_for("app_started", after=mark)
            self.assertEqual(self.lines("builds"), ["built", "built"])

        with self.subTest("proto change: its command only"):
            mark = hp.mark()
            self.edit("api.proto")
            hp.wait_for("build_finished", after=mark)
            self.assertEqual(self.lines("runs"), ["generated"])
            self.assertEqual(self.lines("builds"), ["built", "built"])  # build.cmd did not run
            restarts = hp.count("app_stopping")

        with self.subTest("static change: notify only"):
            mark = hp.mark()
            self.edit("static/app.css")
            _, notify = hp.wait_for("notify", after=mark)
            self.assertEqual(notify["count"], 1)

        with self.subTest("mixed: run command first, then the strongest action (restart), once"):
            mark = hp.mark()
            self.edit("config/app.yaml", "templates/index.tmpl", "api.proto")
            _, changes = hp.wait_for("changes", after=mark)
            self.assertEqual(changes["count"], 3)
            _, job = hp.wait_for("build_finished", after=mark)
            _, app = hp.wait_for("app_started", after=mark)
            self.assertEqual(self.lines("runs"), ["generated", "generated"])
            self.assertEqual(self.lines("builds"), ["built", "built"])
            self.assertEqual(hp.count("app_stopping"), restarts + 1)
            self.assertEqual(len(hp.find_all("app_signalled")), 1)  # only the first subtest's
        self.assertEqual(hp.stop(), 0)

    def test_a_signal_only_change_during_a_build_is_sent_at_once_and_the_build_goes_on(self):
        release = os.path.join(self.out, "release")
        write(release, "")
        config = os.path.join(self.dir, "held.yaml")
        # The build waits until the test releases it, so the config change surely lands mid-build.
        write(config, f"""root: src
watch:
  delay: 50ms
build:
  cmd: while [ ! -e {release} ]; do sleep 0.05; done; echo built >> {self.out}/builds
  on_busy: restart
run:
  cmd: [{sys.executable}, {self.dir}/app.py]
rules:
  - match: '*.go'
    action: build
  - match: config/*.yaml
    signal: SIGHUP
""")
        hp = self.start(["-c", config])
        hp.wait_for("build_finished", build=1)
        _, app = hp.wait_for("app_started")
        hp.wait_for("output", source="app", msg="ready")
        os.remove(release)
        mark = hp.mark()
        self.edit("main.go")
        hp.wait_for("build_started", after=mark, build=2)
        self.edit("config/app.yaml")
        _, sent = hp.wait_for("app_signalled", after=mark)
        self.assertEqual((sent["signal"], sent["pid"]), ("SIGHUP", app["pid"]))
        hp.wait_for("output", after=mark, source="app", msg="got SIGHUP")
        write(release, "")
        _, done = hp.wait_for("build_finished", after=mark, build=2)
        self.assertEqual(done["result"], "success")
        hp.wait_for("app_started", after=mark)
        self.assertEqual(hp.count("build_cancelled"), 0)
        self.assertEqual(hp.count("build_started"), 2)  # the signal-only change built nothing
        self.assertEqual(hp.stop(), 0)

    def test_signal_reaches_an_app_started_from_a_shell_string(self):
        # `run.cmd` as one string runs through sh -c; hotpod execs a simple command so that
        # the app itself, not a waiting shell, receives the rule's SIGHUP.
        config = os.path.join(self.dir, "string.yaml")
        write(config, f"root: src\nrun:\n  cmd: PYTHONUNBUFFERED=1 {sys.executable} "
                      f"{self.dir}/app.py\nrules:\n  - {{match: config/*.yaml, signal: SIGHUP}}\n")
        hp = self.start(["-c", config])
        hp.wait_for("output", source="app", msg="ready")
        mark = hp.mark()
        self.edit("config/app.yaml")
        hp.wait_for("app_signalled", after=mark)
        hp.wait_for("output", after=mark, source="app", msg="got SIGHUP")
        self.assertEqual(hp.count("app_crashed"), 0)

    def test_check_lists_the_rule_for_each_file(self):
        result = run_hotpod(["check", "-c", self.config, "--list-files"], cwd=self.dir)
        self.assertEqual(result.returncode, 0, result.stderr)
        rows = dict(line.split("\t") for line in result.stdout.splitlines())
        self.assertIn("→ build", rows["main.go"])
        self.assertIn("→ signal SIGHUP", rows["config/app.yaml"])
        self.assertIn("→ restart", rows["templates/index.tmpl"])
        self.assertIn("→ run `echo generated", rows["api.proto"])
        self.assertIn("→ notify", rows["static/app.css"])
        self.assertEqual(rows["README.md"], "no rule: a change does nothing")


if __name__ == "__main__":
    unittest.main()
