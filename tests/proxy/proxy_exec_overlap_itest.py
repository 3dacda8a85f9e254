"""hotpod exec --proxy-listen --proxy-handover overlap (issue 18) with real processes
(tests/proxy/proxy_app.py): on the restart signal the new CMD starts on the second private port
while the old one keeps answering; requests switch once the new one is ready (its /healthz
answers 2xx: the test holds it back with the file app-gate), and the old one is stopped. A new
CMD that exits at once or never listens is stopped and the old one keeps serving; SIGTERM during
a candidate stops both and leaves no process; a crash still restarts with back-off."""
import json
import os
import signal
import sys
import threading
import unittest

from hotpod_harness import alive, children_of, wait_until, write
from proxy_client import Requester
from proxy_itest import APP, ProxyCase


class ExecOverlapCase(ProxyCase):
    def start_exec(self, *options, env=None):
        write(os.path.join(self.dir, "VERSION"), "v1\n")
        self.state_path = os.path.join(self.dir, "exec.json")
        hp = self.start(["--proxy-listen", f"127.0.0.1:{self.proxy_port}",
                         "--health-url", "/healthz", "--state-file", self.state_path,
                         *options, "--", sys.executable, APP, "{port}"],
                        command="exec", env=env)
        _, self.listening = hp.wait_for("proxy_listening")
        _, started = hp.wait_for("app_started")
        hp.wait_for("proxy_ready")
        self.old_pid = started["pid"]
        return hp

    def state(self):
        try:
            with open(self.state_path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def candidate_pid(self):
        """Waits until the state file names a candidate; returns its pid."""
        return wait_until("a candidate in the state file",
                          lambda: (self.state() or {}).get("candidate_pid"),
                          detail=lambda: str(self.state()))

    def restart(self, hp, gate=True):
        """Sends the restart signal for version v2; with gate, v2 is not ready until
        open_gate()."""
        if gate:
            write(os.path.join(self.dir, "app-gate"), "")
        write(os.path.join(self.dir, "VERSION"), "v2\n")
        mark = hp.mark()
        os.kill(hp.pid, signal.SIGUSR2)
        hp.wait_for("restart_requested", after=mark)
        return mark

    def open_gate(self):
        os.remove(os.path.join(self.dir, "app-gate"))


class ExecOverlapTest(ExecOverlapCase):
    def test_under_load_the_old_version_serves_until_the_new_one_is_ready(self):
        # The environment form of --proxy-handover.
        hp = self.start_exec(env={"HOTPOD_PROXY_HANDOVER": "overlap"})
        self.assertEqual(self.listening["handover"], "overlap")
        old_port = self.listening["app_port"]
        self.assertIn(f"v1 port={old_port} ", self.get()[2])
        answers, failures, stop = [], [], threading.Event()

        def load():  # at least one request, even if this thread starts late on a busy machine
            requester = Requester(self.proxy_port, keep_alive=True, timeout=30)
            while True:
                body, why = requester.get()
                (answers if body else failures).append(body or why)
                if stop.is_set():
                    break
            requester.close()

        client = threading.Thread(target=load, daemon=True)
        self.addCleanup(stop.set)  # a failed assertion must not leave it asking
        client.start()
        mark = self.restart(hp)
        # The old version answers while the new one starts (stop-first would hold this request
        # until the new one listens, and it would answer "v2").
        status, _, body = self.get(timeout=10)
        self.assertEqual(status, 200)
        self.assertIn(f"v1 port={old_port} ", body)
        candidate = self.candidate_pid()
        self.assertNotEqual(candidate, self.old_pid)
        self.assertEqual(self.state()["child_pid"], self.old_pid)  # still the one in service
        self.assertEqual(self.state()["handover"], "overlap")
        _, started = hp.wait_for("app_candidate", after=mark)
        self.assertNotEqual(started["port"], old_port)
        self.assertIn(f"v1 port={old_port} ", self.get(timeout=10)[2])
        self.assertEqual(hp.count("app_stopping"), 0)
        self.open_gate()
        _, promoted = hp.wait_for("app_promoted", after=mark)
        self.assertEqual(promoted["pid"], candidate)
        self.assertIn(f"v2 port={started['port']} ", self.get()[2])
        _, stopped = hp.wait_for("app_stopped", after=mark)  # the old one, after its drain
        self.assertEqual(stopped["pid"], self.old_pid)
        wait_until("the old version gone", lambda: not alive(self.old_pid))
        self.assertIn("v2 ", self.get()[2])
        stop.set()
        client.join(60)
        self.assertEqual(failures, [])
        self.assertTrue(any(a.startswith("v1 ") for a in answers), answers[:3])
        self.assertTrue(answers[-1].startswith("v2 "), answers[-3:])
        state = wait_until("the state file after the switch",
                           lambda: (s := self.state()) and s["child_pid"] == candidate and s)
        self.assertIsNone(state["candidate_pid"])
        self.assertEqual(state["restarts"], 1)
        self.assertEqual(hp.stop(), 128 + signal.SIGTERM)
        self.assertFalse(alive(candidate))

    def test_a_new_version_that_exits_at_once_is_dropped_and_the_old_one_keeps_serving(self):
        hp = self.start_exec("--proxy-handover", "overlap")
        write(os.path.join(self.dir, "exit-at-start"), "")
        mark = self.restart(hp, gate=False)
        _, failed = hp.wait_for("app_candidate_failed", after=mark)
        self.assertIn("the new version exit code 3 before it was ready", failed["msg"])
        self.assertIn("the current version keeps serving", failed["msg"])
        self.assertIn("v1 ", self.get(timeout=10)[2])
        self.assertTrue(alive(self.old_pid))
        wait_until("no candidate in the state file",
                   lambda: (s := self.state()) and s["candidate_pid"] is None
                   and s["child_pid"] == self.old_pid)
        # The next restart, with a good version, still switches.
        os.remove(os.path.join(self.dir, "exit-at-start"))
        mark = self.restart(hp, gate=False)
        hp.wait_for("app_promoted", after=mark)
        self.assertIn("v2 ", self.get()[2])
        self.assertEqual(hp.stop(), 128 + signal.SIGTERM)

    def test_a_new_version_that_never_listens_is_stopped_after_the_ready_timeout(self):
        hp = self.start_exec("--proxy-handover", "overlap", "--ready-timeout", "1s")
        write(os.path.join(self.dir, "no-listen"), "")
        mark = self.restart(hp, gate=False)
        candidate = self.candidate_pid()
        self.assertIn("v1 ", self.get(timeout=10)[2])
        _, failed = hp.wait_for("app_candidate_failed", after=mark)
        self.assertIn("not ready within 1s", failed["msg"])
        self.assertIn("refused", failed["msg"])
        _, stopped = hp.wait_for("app_stopped", after=mark)
        self.assertEqual(stopped["pid"], candidate)
        wait_until("the candidate gone", lambda: not alive(candidate))
        self.assertIn("v1 ", self.get(timeout=10)[2])
        self.assertTrue(alive(self.old_pid))
        self.assertEqual(hp.stop(), 128 + signal.SIGTERM)

    def test_a_crash_of_the_version_in_service_restarts_it_with_back_off(self):
        hp = self.start_exec("--proxy-handover", "overlap")
        port = self.listening["app_port"]
        mark = hp.mark()
        os.kill(self.old_pid, signal.SIGKILL)
        _, crashed = hp.wait_for("app_crashed", after=mark)
        self.assertIn("backoff_ms", crashed)
        _, started = hp.wait_for("app_started", after=mark)
        self.assertNotEqual(started["pid"], self.old_pid)
        status, _, body = self.get()  # held until the restarted version answers
        self.assertEqual(status, 200)
        self.assertIn(f"v1 port={port} ", body)
        self.assertEqual(hp.count("app_candidate"), 0)
        self.assertEqual(hp.stop(), 128 + signal.SIGTERM)

    def test_sigterm_during_a_candidate_stops_both_versions(self):
        hp = self.start_exec("--proxy-handover", "overlap")
        mark = self.restart(hp)
        candidate = self.candidate_pid()
        hp.wait_for("app_candidate", after=mark)
        self.assertIn("v1 ", self.get(timeout=10)[2])
        self.assertEqual(hp.stop(), 128 + signal.SIGTERM)  # the serving version's status
        self.assertFalse(alive(self.old_pid))
        self.assertFalse(alive(candidate))
        self.assertEqual(children_of(hp.pid), [])
        self.assertEqual(self.state()["state"], "stopped")
        self.assertEqual(len(hp.find_all("app_stopped")), 2)


if __name__ == "__main__":
    unittest.main()
