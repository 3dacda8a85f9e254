"""Migration in one command: each importer's output is accepted by `hotpod check` and drives a
real rebuild (air's own example configuration and CompileDaemon's flags on the Gin example; a
nodemon.json on a small script app)."""
import os
import shutil
import sys
import unittest

from hotpod_harness import SOURCE_DIR, TempTree, free_port, http_get, run_hotpod, write

GO_ENV = {"GO111MODULE": "off", "GOPATH": "/usr/share/gocode",
          "GOCACHE": os.path.join(SOURCE_DIR, ".cache", "go")}
FIXTURES = os.path.join(SOURCE_DIR, "tests", "migrate", "fixtures")


class MigrationTest(TempTree):
    def gin_project(self):
        project = os.path.join(self.dir, "gin-app")
        shutil.copytree(os.path.join(SOURCE_DIR, "examples", "gin-app"), project,
                        ignore=shutil.ignore_patterns(".hotpod", "hotpod.yaml"))
        return project

    def init_and_check(self, project, *args):
        result = run_hotpod(["init", *args], cwd=project)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(os.path.exists(os.path.join(project, "hotpod.yaml")))
        check = run_hotpod(["check"], cwd=project)
        self.assertEqual(check.returncode, 0, check.stderr)
        return result.stdout

    def edit_and_expect(self, hp, project, port):
        path = os.path.join(project, "main.go")
        with open(path) as f:
            text = f.read()
        hp.wait_for("output", source="app", msg=f"listening on http://127.0.0.1:{port}")
        mark = hp.mark()
        write(path, text.replace("Hello from hotpod!", "Migrated!"))
        _, built = hp.wait_for("build_finished", after=mark, timeout=300)
        self.assertEqual(built["result"], "success", hp.log_tail())
        started, _ = hp.wait_for("app_started", after=mark)
        hp.wait_for("output", after=started, source="app",
                    msg=f"listening on http://127.0.0.1:{port}")
        self.assertEqual(http_get(f"http://127.0.0.1:{port}/"), (200, "Migrated!\n"))

    def test_air_example_configuration(self):
        project = self.gin_project()
        shutil.copy(os.path.join(FIXTURES, "air_example.toml"), os.path.join(project, ".air.toml"))
        out = self.init_and_check(project, "--from-air")
        self.assertIn("not converted", out)  # e.g. post_cmd: said, never silently dropped
        port = free_port()
        hp = self.start([], cwd=project, env={**GO_ENV, "PORT": str(port)})
        _, first = hp.wait_for("build_finished", build=1, timeout=300)
        self.assertEqual(first["result"], "success", hp.log_tail())
        self.edit_and_expect(hp, project, port)

    def test_compiledaemon_flags(self):
        project = self.gin_project()
        self.init_and_check(project, "--from-compiledaemon",
                            "-build='go build -o app .' -command=./app -exclude-dir=.git")
        port = free_port()
        hp = self.start([], cwd=project, env={**GO_ENV, "PORT": str(port)})
        _, first = hp.wait_for("build_finished", build=1, timeout=300)
        self.assertEqual(first["result"], "success", hp.log_tail())
        self.edit_and_expect(hp, project, port)

    def test_nodemon_json(self):
        project = os.path.join(self.dir, "script-app")
        write(os.path.join(project, "src", "app.py"),
              "print('version 1', flush=True)\nimport time\nwhile True: time.sleep(1)\n")
        write(os.path.join(project, "nodemon.json"),
              '{"watch": ["src"], "ext": "py", "exec": "%s src/app.py", "delay": 100}'
              % sys.executable)
        self.init_and_check(project, "--from-nodemon")
        hp = self.start([], cwd=project)
        hp.wait_for("output", source="app", msg="version 1")
        mark = hp.mark()
        write(os.path.join(project, "src", "app.py"),
              "print('version 2', flush=True)\nimport time\nwhile True: time.sleep(1)\n")
        hp.wait_for("output", after=mark, source="app", msg="version 2")


if __name__ == "__main__":
    unittest.main()
