"""What a build and the app inherit from hotpod: exactly fds 0, 1 and 2 (never a socket of an
/v1/events client, whatever hotpod's libraries leave without close-on-exec), and no HOTPOD_*
input variable (HOTPOD_TOKEN above all); only the variables hotpod sets for them."""
import json
import os
import signal
import sys
import unittest

from hotpod_harness import TempTree, alive, write
from observe_support import EventReader

PY = sys.executable
TOKEN = "inheritance-test-token-0123456789"

# Writes what this process has open and its environment to OUT/NAME-N.json (outside the watched
# tree), then says so; the app then waits to be stopped. A listing's own directory fd is closed
# again before readlink, so only what was inherited is reported.
DUMP = r'''
import itertools, json, os, sys, time
out, name = sys.argv[1], sys.argv[2]
fds = {}
for fd in os.listdir("/proc/self/fd"):
    try:
        fds[fd] = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        pass
for n in itertools.count(1):
    path = os.path.join(out, f"{name}-{n}.json")
    if not os.path.exists(path):
        break
with open(path + ".tmp", "w") as f:
    json.dump({"fds": fds, "env": dict(os.environ)}, f)
os.rename(path + ".tmp", path)
print(f"dumped {name}-{n}", flush=True)
if name == "app":
    while True:
        time.sleep(1000)
'''


class InheritanceTest(TempTree):
    def setUp(self):
        super().setUp()
        self.src = os.path.join(self.dir, "src")
        self.out = os.path.join(self.dir, "out")
        os.makedirs(self.out)
        write(os.path.join(self.src, "main.txt"), "v1\n")
        self.dump = os.path.join(self.dir, "dump.py")
        write(self.dump, DUMP)
        write(os.path.join(self.dir, "hotpod.yaml"), f"""root: src
build:
  cmd: {PY} {self.dump} {self.out} build
run:
  cmd: [{PY}, {self.dump}, {self.out}, app]
  stop_timeout: 5s
""")

    def start_with_events_open(self, env=None):
        """hotpod with an open /v1/events stream at the time of a reload; returns (hotpod, the
        events reader) once build #2 and the app it restarted have written their dumps."""
        hp = self.start(["-c", os.path.join(self.dir, "hotpod.yaml")], env=env)
        hp.wait_for("output", source="app", msg="dumped app-1")
        events = EventReader(hp.url("/v1/events"))
        self.addCleanup(events.close)
        events.wait_for("hello")
        mark = hp.mark()
        write(os.path.join(self.src, "main.txt"), "v2\n")
        hp.wait_for("output", after=mark, source="build", msg="dumped build-2")
        hp.wait_for("output", after=mark, source="app", msg="dumped app-2")
        return hp, events

    def dumped(self, name):
        with open(os.path.join(self.out, name + ".json")) as f:
            return json.load(f)

    def test_build_and_app_get_exactly_fds_0_1_and_2(self):
        hp, events = self.start_with_events_open()
        for name in ("build-2", "app-2"):
            fds = self.dumped(name)["fds"]
            self.assertEqual(sorted(fds, key=int), ["0", "1", "2"], f"{name} inherited {fds}")

        # hotpod stops: the events client is disconnected (no child holds its socket).
        self.assertEqual(hp.stop(), 0, hp.log_tail())
        events.wait_for_end(timeout=10)

    def test_no_hotpod_input_variable_reaches_a_build_or_the_app(self):
        inputs = {"HOTPOD_TOKEN": TOKEN, "HOTPOD_LOG_LEVEL": "info", "HOTPOD_DELAY": "50ms",
                  "HOTPOD_ROOT": "src", "KEPT_FOR_CHILDREN": "yes"}
        hp, events = self.start_with_events_open(env=inputs)
        told_to_builds = {"HOTPOD_CHANGED_FILES", "HOTPOD_CHANGED_FILES_FILE",
                          "HOTPOD_CHANGED_FILES0", "HOTPOD_CHANGED_COUNT", "HOTPOD_CHANGED_FILES_TRUNCATED",
                          "HOTPOD_WATCH_ROOT", "HOTPOD_BUILD_NUMBER"}
        for name, told in (("build-2", told_to_builds), ("app-2", set())):
            env = self.dumped(name)["env"]
            self.assertEqual({k for k in env if k.startswith("HOTPOD_")}, told, name)
            self.assertNotIn(TOKEN, "\n".join(env.values()), f"{name} got the control token")
            self.assertEqual(env.get("KEPT_FOR_CHILDREN"), "yes", name)
        build = self.dumped("build-2")["env"]
        self.assertEqual(build["HOTPOD_WATCH_ROOT"], os.path.realpath(self.src))
        self.assertEqual(build["HOTPOD_CHANGED_FILES"], "main.txt")
        self.assertEqual(hp.stop(), 0, hp.log_tail())
        events.wait_for_end(timeout=10)  # else closing it waits for the next heartbeat

    def test_events_client_is_disconnected_when_hotpod_dies_and_the_app_lives_on(self):
        hp, events = self.start_with_events_open()
        app_pid = hp.find_all("app_started")[-1]["pid"]
        self.addCleanup(lambda: alive(app_pid) and os.killpg(app_pid, signal.SIGKILL))
        os.kill(hp.pid, signal.SIGKILL)  # no chance to stop anything: only the kernel closes
        hp.proc.wait(30)
        self.assertTrue(alive(app_pid), "the app (its own session) should outlive a SIGKILL")
        events.wait_for_end(timeout=10)


if __name__ == "__main__":
    unittest.main()
