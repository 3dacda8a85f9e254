"""Hot reload stays out of production (docs/security.md, "Hot reload and production").

The runtime guard, with the real binary, in each environment signal: HOTPOD_ENVIRONMENT, the
pod's namespace and labels as the downward API mounts them, and the marker file
/etc/hotpod/forbid (in a private mount namespace, as root). `hotpod run` and `hotpod agent`
refuse to start (exit 3, nothing built); --allow-production starts; `hotpod exec` supervises
but refuses the restart signal. And the CI check, `hotpod check --forbid-in`, on this
repository's own manifests: the example overlay, the compose file and the Dockerfiles are
found with file:line; the production overlay is clean."""
import os
import shutil
import signal
import subprocess
import unittest

from hotpod_harness import HANG_TIMEOUT, SOURCE_DIR, TempTree, run_hotpod, write

REFUSED = 3


class GuardTest(TempTree):
    def setUp(self):
        super().setUp()
        self.src = os.path.join(self.dir, "src")
        self.built = os.path.join(self.dir, "built")
        write(os.path.join(self.src, "main.go"), "package main\n")
        self.podinfo = os.path.join(self.dir, "podinfo")
        os.makedirs(self.podinfo)
        # Only the signals a test sets: none of the machine's (a CI runner might set them).
        self.env = {"HOTPOD_ENVIRONMENT": "", "HOTPOD_PODINFO_DIR": self.podinfo,
                    "HOTPOD_FORBID_FILE": os.path.join(self.dir, "no-forbid-file")}

    def run_args(self):
        return ["--root", self.src, "--build", f"touch {self.built}", "--listen", "127.0.0.1:0",
                "--log-format", "json"]

    def assert_refused(self, env, command="run", because=""):
        args = self.run_args() if command == "run" else [*self.run_args(), "--target-exe", "app"]
        result = run_hotpod([command, *args], env={**self.env, **env}, timeout=60)
        self.assertEqual(result.returncode, REFUSED, result.stderr)
        self.assertIn(f"refusing to start `hotpod {command}`", result.stderr)
        self.assertIn(because, result.stderr)
        self.assertIn("--allow-production", result.stderr)
        self.assertFalse(os.path.exists(self.built), "a build ran")

    def test_hotpod_environment_production(self):
        self.assert_refused({"HOTPOD_ENVIRONMENT": "production"}, because="HOTPOD_ENVIRONMENT")
        self.assert_refused({"HOTPOD_ENVIRONMENT": "prod"}, command="agent",
                            because="HOTPOD_ENVIRONMENT=prod")

    def test_downward_api_namespace_and_labels(self):
        write(os.path.join(self.podinfo, "namespace"), "shop-prod\n")
        self.assert_refused({}, because="namespace is 'shop-prod'")
        write(os.path.join(self.podinfo, "namespace"), "shop-dev\n")
        write(os.path.join(self.podinfo, "labels"), 'app="shop"\nenvironment="production"\n')
        self.assert_refused({}, because='label environment="production"')

    def test_marker_file_at_its_documented_place(self):
        if os.geteuid() != 0 or not shutil.which("unshare"):
            self.skipTest("SKIPPED: needs root and unshare for a private /etc/hotpod")
        created = not os.path.exists("/etc/hotpod")
        os.makedirs("/etc/hotpod", exist_ok=True)
        if created:
            self.addCleanup(os.rmdir, "/etc/hotpod")
        env = {k: v for k, v in {**os.environ, **self.env}.items() if k != "HOTPOD_FORBID_FILE"}
        script = ("mount -t tmpfs hotpod-test /etc/hotpod && touch /etc/hotpod/forbid && "
                  'exec "$@"')
        result = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
             os.environ["HOTPOD_BIN"], "run", *self.run_args()],
            env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, REFUSED, result.stderr)
        self.assertIn("the marker file /etc/hotpod/forbid exists", result.stderr)
        self.assertFalse(os.path.exists("/etc/hotpod/forbid"), "the marker leaked out")

    def test_allow_production_starts_and_says_so(self):
        hp = self.start([*self.run_args()[:-2], "--allow-production"],
                        env={**self.env, "HOTPOD_ENVIRONMENT": "production"})
        hp.wait_for("production_allowed")
        hp.wait_for("build_finished", result="success")
        self.assertTrue(os.path.exists(self.built))
        self.assertEqual(hp.stop(), 0)

    def test_development_starts(self):
        write(os.path.join(self.podinfo, "namespace"), "team-a-dev\n")
        hp = self.start(self.run_args()[:-2], env={**self.env, "HOTPOD_ENVIRONMENT": "dev"})
        hp.wait_for("build_finished", result="success")
        self.assertEqual(hp.count("production_allowed"), 0)
        self.assertEqual(hp.stop(), 0)

    def start_exec(self, env, *flags):
        marker = os.path.join(self.dir, "started")
        app = os.path.join(self.dir, "app.sh")
        write(app, f'#!/bin/sh\necho $$ >> "{marker}"\nexec sleep 1000\n')
        os.chmod(app, 0o755)
        hp = self.start([*flags, "--", app], command="exec", env={**self.env, **env})
        _, started = hp.wait_for("app_started")
        return hp, started["pid"]

    def test_exec_supervises_but_refuses_restarts_in_production(self):
        hp, pid = self.start_exec({"HOTPOD_ENVIRONMENT": "production"})
        hp.wait_for("production")
        mark = hp.mark()
        os.kill(hp.pid, signal.SIGUSR2)
        hp.wait_for("restart_refused", after=mark)
        self.assertTrue(os.path.exists(f"/proc/{pid}"), "the app was stopped")
        self.assertEqual(hp.count("app_started"), 1)
        hp.stop()

    def test_exec_restarts_with_allow_production(self):
        hp, pid = self.start_exec({"HOTPOD_ENVIRONMENT": "production"}, "--allow-production")
        mark = hp.mark()
        os.kill(hp.pid, signal.SIGUSR2)
        _, started = hp.wait_for("app_started", after=mark)
        self.assertNotEqual(started["pid"], pid)
        self.assertEqual(hp.count("restart_refused"), 0)
        hp.stop()


class ForbidInTest(unittest.TestCase):
    """`hotpod check --forbid-in` on the repository's own deploy files."""

    def check(self, *paths, stdin=None):
        return subprocess.run([os.environ["HOTPOD_BIN"], "check", "--forbid-in", *paths],
                              input=stdin, capture_output=True, text=True, timeout=60,
                              cwd=SOURCE_DIR)

    def assert_points_at(self, output, text):
        """Every finding's file:line is a line of that file that holds `text`, for one of them."""
        hits = []
        for line in output.splitlines():
            path, number, what = line.split(":", 2)
            with open(os.path.join(SOURCE_DIR, path)) as f:
                source = f.read().splitlines()[int(number) - 1]
            hits.append((source, what))
        self.assertTrue(any(text in source for source, _ in hits), hits)
        return hits

    def test_base_compose_and_dockerfiles_are_found_with_their_lines(self):
        result = self.check("deploy/base", "docker-compose.yml", "Dockerfile",
                            "examples/gin-app/Dockerfile.dev")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("would bring hot reload into production", result.stderr)
        self.assert_points_at(result.stdout, '"hotpod", "agent"')
        self.assert_points_at(result.stdout, '"hotpod", "exec"')
        self.assert_points_at(result.stdout, "shareProcessNamespace: true")
        self.assert_points_at(result.stdout, "COPY --from=hotpod")
        compose = [l for l in result.stdout.splitlines() if l.startswith("docker-compose.yml:")]
        self.assertTrue(any("hotpod agent" in l for l in compose), compose)

    def kustomize(self, overlay):
        if not shutil.which("kubectl"):
            self.skipTest("SKIPPED: no kubectl for kustomize")
        return subprocess.run(["kubectl", "kustomize", os.path.join(SOURCE_DIR, overlay)],
                              capture_output=True, text=True, check=True,
                              timeout=HANG_TIMEOUT).stdout

    def test_example_overlay_is_found(self):
        result = self.check("-", stdin=self.kustomize("deploy/overlays/example"))
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("Deployment container 'hotpod' runs `hotpod agent", result.stdout)
        self.assertIn("Deployment container 'app' runs `hotpod exec", result.stdout)

    def test_production_overlay_is_clean(self):
        rendered = self.kustomize("deploy/overlays/production")
        self.assertIn("kind: Deployment", rendered)
        result = self.check("-", stdin=rendered)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no hotpod in 1 file(s)", result.stdout)

    def test_a_missing_path_is_a_usage_error(self):
        result = self.check("deploy/no-such-overlay")
        self.assertEqual(result.returncode, 2)
        self.assertIn("deploy/no-such-overlay", result.stderr)


if __name__ == "__main__":
    unittest.main()
