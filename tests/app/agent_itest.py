"""hotpod agent, the sidecar, against hotpod exec in a real shared PID namespace: the agent
rebuilds a C++ app into the shared volume with g++ and restarts it through hotpod exec, in the
Kubernetes shape (pause is PID 1) and the compose shape (hotpod exec is PID 1); and signal mode,
where SIGHUP makes an app reload itself. The pod is tests/support/pod_support.py.

Tests wait for log records and HTTP answers; timeouts only catch hangs."""
import json
import os
import signal
import threading
import time
import unittest

from hotpod_harness import HANG_TIMEOUT, http_get, namespace_pid, write
from pod_support import (BUILD, RELOAD_APP_PY, VOLUME_MOUNT, PodTest, answer, metric,
                         only_child, parse_ts, pid_namespace, skip_unless_pods_work)


class AgentTest(PodTest):
    def edit_cycle(self, exec_hp, exec_pid, agent, namespace):
        _, confirmed = agent.wait_for("restart_confirmed")  # after build #1
        self.wait_answer("v1")

        # An edit: the agent rebuilds and hotpod exec restarts the app. A poller notes when
        # the new version first answers.
        first_v2 = []
        def poll():
            deadline = time.monotonic() + HANG_TIMEOUT
            while time.monotonic() < deadline:
                if answer(self.port) == "v2":
                    first_v2.append(time.time())
                    return
                time.sleep(0.002)
        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        mark, exec_mark = agent.mark(), exec_hp.mark()
        self.write_source("v2")
        agent.wait_for("build_finished", after=mark, result="success")
        _, signalled = agent.wait_for("peer_signalled", after=mark, signal="SIGUSR2")
        _, second = agent.wait_for("restart_confirmed", after=mark)
        self.assertEqual(second["old_pid"], confirmed["pid"])
        poller.join(HANG_TIMEOUT)
        self.assertTrue(first_v2, "v2 never answered")
        # Three clocks, one host: the agent's signal (its log), hotpod exec's spawn of the new
        # app (its log), and the first answer of v2 (the poller). The app's own start-up is
        # spawn → answer; what the restart adds is signal → spawn.
        _, spawned = exec_hp.wait_for("app_started", after=exec_mark, pid=second["pid"])
        signal_to_answer = first_v2[0] - parse_ts(signalled)
        signal_to_spawn = parse_ts(spawned) - parse_ts(signalled)
        app_start = first_v2[0] - parse_ts(spawned)
        print(f"\n[measure] {self.id().rsplit('.', 1)[-1]}: agent's signal → new app answering "
              f"{signal_to_answer * 1000:.1f} ms = restart (signal → hotpod exec spawned the new "
              f"app) {signal_to_spawn * 1000:.1f} ms + the app's own start-up (spawn → first "
              f"answer, polled every 2 ms) {app_start * 1000:.1f} ms; the agent confirmed the "
              f"new PID {second['took_ms']} ms after its signal", flush=True)
        self.assertLess(signal_to_answer, 10)

        # The status and metrics speak of the peer app.
        _, status = http_get(agent.url("/v1/status"))
        status = json.loads(status)
        self.assertEqual(status["mode"], "agent")
        self.assertTrue(status["app"]["configured"])
        self.assertTrue(status["app"]["running"])
        self.assertEqual(status["app"]["pid"], second["pid"])
        self.assertEqual(status["app"]["command"], "target: hotpod exec (marker)")
        _, metrics = http_get(agent.url("/metrics"))
        self.assertIn("\nhotpod_app_up 1\n", metrics)
        self.assertGreaterEqual(metric(metrics, 'hotpod_restarts_total{reason="change"}'), 1)
        self.assertEqual(metric(metrics, "hotpod_restart_failures_total", sum_labels=True), 0)

        # A failed build: nothing is signalled, and the old app keeps answering.
        exec_hp.wait_for("unparsed", after=exec_mark, msg=f"listening v2 pid {second['pid']}")
        mark, starts = agent.mark(), exec_hp.count("app_started")
        write(os.path.join(self.volume, "main.cpp"), "int main( {\n")
        agent.wait_for("build_finished", after=mark, result="failure")
        self.assertEqual(agent.count("peer_signalled"), 2, agent.log_tail())
        self.assertEqual(answer(self.port), "v2")
        self.assertEqual(exec_hp.count("app_started"), starts, exec_hp.log_tail())

        # hotpod exec never changed; only its child did. No zombie is left anywhere in the pod.
        self.assertTrue(os.path.exists(f"/proc/{exec_pid}"))
        self.assertEqual(exec_hp.count("exec_started"), 1)
        self.assertEqual(exec_hp.proc.poll(), None)
        self.assert_no_zombies(namespace)
        return second

    # --- the tests ----------------------------------------------------------------------

    def test_kubernetes_shape_pause_is_pid_1(self):
        pause = self.start_pause_pod()
        self.write_source("v1")
        exec_hp, exec_pid = self.start_in(self.container(pause),
                                          ["--", f"{VOLUME_MOUNT}/bin/app"], "exec")
        exec_hp.wait_for("exec_started", pid1=False)
        agent, _ = self.start_in(self.container(pause),
                                 ["--build", BUILD, "--include-ext", "cpp", "--delay", "50ms"],
                                 "agent")
        _, found = agent.wait_for("target_found")
        self.assertEqual(found["pid"], namespace_pid(exec_pid))
        self.edit_cycle(exec_hp, exec_pid, agent, pid_namespace(pause))
        self.assertEqual(agent.count("target_not_found"), 0)
        self.assertTrue(os.path.exists(f"/proc/{pause}"))

        # The sidecar stops (a pod update, or the developer is done): it exits 0, and the app
        # in the other container keeps running and answering.
        agent_pid, stops = only_child(agent.pid), exec_hp.count("app_stopping")
        os.kill(agent_pid, signal.SIGTERM)
        self.assertEqual(agent.proc.wait(HANG_TIMEOUT), 0, agent.log_tail())
        self.assertEqual(answer(self.port), "v2")
        self.assertEqual(exec_hp.count("app_stopping"), stops, exec_hp.log_tail())

    def test_compose_shape_hotpod_exec_is_pid_1(self):
        self.write_source("v1")
        exec_hp, exec_pid = self.start_exec_as_pid1()
        # Here the app's health URL decides when a new version is ready, as under hotpod run.
        write(os.path.join(self.volume, "agent.yaml"),
              f"build:\n  cmd: {BUILD}\nwatch:\n  include_ext: [cpp]\n  delay: 50ms\n"
              f"app:\n  health_url: http://127.0.0.1:{self.port}/healthz\n")
        agent, _ = self.start_in(self.container(exec_pid), ["-c", "agent.yaml"], "agent")
        agent.wait_for("target_found", pid=1)
        second = self.edit_cycle(exec_hp, exec_pid, agent, pid_namespace(exec_pid))
        agent.wait_for("app_ready", pid=second["pid"])
        _, status = http_get(agent.url("/v1/status"))
        self.assertEqual(json.loads(status)["app"]["probe"], "passed")

    def test_signal_mode_sighup_reaches_an_app_that_reloads_itself(self):
        pause = self.start_pause_pod()
        write(os.path.join(self.volume, "reload_app.py"), RELOAD_APP_PY)
        write(os.path.join(self.volume, "message.txt"), "hello 1\n")
        app_pid = self.start_bare(pause, ["python3", "-u", "reload_app.py"])
        self.wait_answer("hello 1")
        agent, _ = self.start_in(
            self.container(pause),
            ["--target-mode", "signal", "--target-cmdline", r"reload_app\.py",
             "--include-ext", "txt", "--delay", "50ms"], "agent")
        _, found = agent.wait_for("target_found", mode="signal")
        self.assertEqual(found["pid"], namespace_pid(app_pid))
        self.assertEqual(found["comm"], "python3")

        mark = agent.mark()
        write(os.path.join(self.volume, "message.txt"), "hello 2\n")
        _, signalled = agent.wait_for("peer_signalled", after=mark, signal="SIGHUP",
                                      pid=found["pid"])
        _, confirmed = agent.wait_for("restart_confirmed", after=mark, pid=found["pid"])
        self.wait_answer("hello 2")
        self.assertTrue(os.path.exists(f"/proc/{app_pid}"), "the app was replaced, not reloaded")
        _, status = http_get(agent.url("/v1/status"))
        status = json.loads(status)
        self.assertEqual((status["app"]["pid"], status["app"]["running"]), (found["pid"], True))
        self.assertEqual(status["app"]["command"], "target: cmdline /reload_app\\.py/")
        _, metrics = http_get(agent.url("/metrics"))
        self.assertIn("\nhotpod_app_up 1\n", metrics)
        self.assertIn('\nhotpod_restarts_total{reason="change"} 1\n', metrics)
        self.assert_no_zombies(pid_namespace(pause))


if __name__ == "__main__":
    skip_unless_pods_work()
    unittest.main()
