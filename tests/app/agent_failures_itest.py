"""hotpod agent when a restart cannot happen, in a real shared PID namespace: another UID
without CAP_KILL (EPERM names the fix), no target (what was searched, the candidates seen), the
pause process (never signalled), and config mistakes (named before anything starts). The pod is
tests/support/pod_support.py."""
import json
import os
import subprocess
import unittest

from hotpod_harness import HANG_TIMEOUT, HOTPOD, http_get, namespace_pid, write
from pod_support import BUILD, VOLUME_MOUNT, PodTest, skip_unless_pods_work


class AgentFailuresTest(PodTest):
    def test_another_uid_without_cap_kill_gets_the_eperm_fix(self):
        pause = self.start_pause_pod()
        self.write_source("v1")
        subprocess.run(BUILD, shell=True, cwd=self.volume, check=True, timeout=HANG_TIMEOUT)
        # The app container runs as nobody; the agent as another UID with no capabilities.
        exec_hp, _ = self.start_in(
            self.container(pause, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"),
            ["--", f"{VOLUME_MOUNT}/bin/app"], "exec")
        _, started = exec_hp.wait_for("app_started")
        agent, _ = self.start_in(
            self.container(pause, "setpriv", "--reuid=1000", "--regid=1000", "--clear-groups",
                           "--inh-caps=-all", "--bounding-set=-all"),
            ["--build", "true"], "agent", env={"TMPDIR": "/tmp"})
        _, failed = agent.wait_for("restart_failed", reason="permission")
        self.assertIn("not allowed to send SIGUSR2 to hotpod exec", failed["msg"])
        self.assertIn("uid 65534) as uid 1000 (EPERM)", failed["msg"])
        self.assertIn("run both containers as the same UID", failed["msg"])
        self.assertIn("or give the agent CAP_KILL", failed["msg"])
        _, metrics = http_get(agent.url("/metrics"))
        self.assertIn('\nhotpod_restart_failures_total{reason="permission"} 1\n', metrics)
        # The app was found (reading /proc needs no privilege), and it was left alone.
        _, status = http_get(agent.url("/v1/status"))
        status = json.loads(status)
        self.assertEqual(status["app"]["pid"], started["pid"])
        self.assertIn("CAP_KILL", status["last_error"])
        self.assertEqual(exec_hp.count("restart_requested"), 0)

    def test_a_restart_that_starts_no_app_is_unconfirmed_within_confirm_timeout(self):
        pause = self.start_pause_pod()
        self.write_source("v1")
        subprocess.run(BUILD, shell=True, cwd=self.volume, check=True, timeout=HANG_TIMEOUT)
        exec_hp, _ = self.start_in(self.container(pause), ["--", f"{VOLUME_MOUNT}/bin/app"],
                                   "exec")
        _, first = exec_hp.wait_for("app_started")
        # A build that "succeeds" without leaving a program where hotpod exec runs it from.
        write(os.path.join(self.volume, "agent.yaml"),
              "build:\n  cmd: rm -f bin/app\ntarget:\n  confirm_timeout: 1s\n")
        agent, _ = self.start_in(self.container(pause), ["-c", "agent.yaml"], "agent")
        _, signalled = agent.wait_for("peer_signalled", app_pid=first["pid"])
        _, failed = agent.wait_for("restart_unconfirmed", reason="unconfirmed")
        self.assertIn("hotpod exec (pid ", failed["msg"])
        self.assertIn("started no new app within 1s (target.confirm_timeout) after SIGUSR2; no "
                      "app runs", failed["msg"])
        exec_hp.wait_for("app_start_failed")  # what hotpod exec's own log says
        _, metrics = http_get(agent.url("/metrics"))
        self.assertIn('\nhotpod_restart_failures_total{reason="unconfirmed"} 1\n', metrics)
        self.assertIn("\nhotpod_app_up 0\n", metrics)
        _, status = http_get(agent.url("/v1/status"))
        self.assertIn("started no new app", json.loads(status)["last_error"])

    def test_no_target_names_what_was_searched_and_the_candidates(self):
        pause = self.start_pause_pod()
        # An app container without hotpod exec: the app runs bare.
        sleeper = self.start_bare(pause, ["sleep", "1000"])
        write(os.path.join(self.volume, "agent.yaml"),
              "build:\n  cmd: 'true'\ntarget:\n  confirm_timeout: 1s\n")
        agent, _ = self.start_in(self.container(pause), ["-c", "agent.yaml"], "agent")
        # At start-up: a warning, and the agent keeps looking.
        _, warning = agent.wait_for("target_not_found", outcome="not_found")
        self.assertEqual(warning["level"], "warn")
        # After build #1: the restart waits up to target.confirm_timeout for the target, then
        # fails with the same account of what it saw.
        _, failed = agent.wait_for("target_not_found", reason="not_found")
        for text in (warning["msg"], failed["msg"]):
            self.assertRegex(text, r"searched \d+ processes in /proc for the hotpod exec marker")
            self.assertIn("candidates seen: 1 pause '", text)
            self.assertIn(f"{namespace_pid(sleeper)} sleep 'sleep 1000'", text)
            self.assertIn("shareProcessNamespace: true", text)
        _, metrics = http_get(agent.url("/metrics"))
        self.assertIn('\nhotpod_restart_failures_total{reason="not_found"} 1\n', metrics)
        self.assertIn("\nhotpod_app_up 0\n", metrics)

        # The pause process is never a target, whatever the match says.
        refused, _ = self.start_in(self.container(pause),
                                   ["--target-mode", "signal", "--target-exe", "pause"], "agent")
        _, warning = refused.wait_for("target_not_found", outcome="refused")
        self.assertIn("the pod's pause process, and signalling it takes the whole pod down",
                      warning["msg"])
        self.assertTrue(os.path.exists(f"/proc/{pause}"))

    def test_config_mistakes_are_named_before_anything_starts(self):
        result = subprocess.run([HOTPOD, "agent", "--target-mode", "signal"], cwd=self.dir,
                                capture_output=True, text=True, timeout=HANG_TIMEOUT)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("target.match: target.mode: signal sends the signal straight to the app",
                      result.stderr)
        result = subprocess.run([HOTPOD, "agent", "--target-exe", "/src/bin/app"], cwd=self.dir,
                                capture_output=True, text=True, timeout=HANG_TIMEOUT)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("--target-exe (or HOTPOD_TARGET_EXE): target.match.exe: '/src/bin/app' is "
                      "a path", result.stderr)


if __name__ == "__main__":
    skip_unless_pods_work()
    unittest.main()
