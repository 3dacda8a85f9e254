"""Three apps in one podman pod driven by one agent (issue 19, agent mode with `services:`).

`podman kube play` of a Pod with shareProcessNamespace: true and four containers of one FROM
scratch image (tests/support/scratch_kit.py: dist/'s static hotpod, busybox, a static HTTP app):
three app containers, each running `hotpod exec -- /app NAME PORT`, and one `hotpod agent`
sidecar whose hotpod.yaml has three `services:`, each naming its target by command line. The
source is a host directory mounted at /src (hostPath): a shared package (`shared/`) that
services a and b depend on, and one directory per service. Each service's build is a busybox
shell command that writes /out/NAME.txt (its name and the shared version) into a second hostPath
volume; each app reads its file once, at start, and answers it over HTTP. The pod uses the host's
network (hostNetwork: true, free ports on 127.0.0.1), so the test reads the apps and the agent's
HTTP surface from the host; it makes no bridge or firewall rule.

What a user checks, and this test asserts:
* after the start, every service is ready (`/readyz`, `/readyz?service=NAME`) and its app
  answers v1;
* an edit of shared/version.txt on the host → a and b each answer v2 from a new process, each
  built once and restarted once (`/v1/status` → services.NAME: counts.builds, app.restarts,
  app.pid); c keeps its pid, its restarts and its builds and still answers v1;
* then an edit of c/name.txt restarts only c (a and b unchanged): it also shows that no late,
  second build of a or b followed the shared edit (the agent's changes are handled in order);
* the app containers themselves never restart (podman inspect: RestartCount, StartedAt), and
  each hotpod exec's state file counts exactly its restarts.

Every container runs as UID 10001 with all capabilities dropped and a read-only root (the
agent gets an emptyDir on /tmp). Costs: about 25 s warm on a loaded 2-core machine, most of it
podman itself (kube play 4 s, each podman call about 0.5 s); the kit image is cached by content
in podman's storage (a cold build: about 10 s), and the pod's pause image is kept. Needs root,
podman, runc, gcc, busybox-static and `make dist`. Everything the test creates (pod,
containers, temp dirs) is removed at the end; the kit image stays for the next run.
"""
import json
import os
import shutil
import tempfile
import time
import unittest

import yaml

from container_support import Podman, links, log, require
from hotpod_harness import DIST_DIR, free_port, http_get, http_request, skip, wait_until
from scratch_kit import UID, dist_binary, kit_image, missing_tools

POD = "hotpod-services"
APPS = ("a", "b", "c")
# a and b use the shared package; c does not.
PATHS = {"a": "[a/, shared/]", "b": "[b/, shared/]", "c": "[c/]"}
HARDENED = {"readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]}}


def agent_config(agent_port):
    """The agent's hotpod.yaml: one service per app, each built by a shell command and found by
    its hotpod exec's command line."""
    text = ("watch: {include_ext: [txt], delay: 50ms}\n"
            f"http: {{listen: '127.0.0.1:{agent_port}'}}\nservices:\n")
    for name in APPS:
        build = (f"cat {name}/name.txt shared/version.txt > /out/.{name}.new && "
                 f"mv /out/.{name}.new /out/{name}.txt")
        text += (f"  {name}:\n    paths: {PATHS[name]}\n    build: {{cmd: '{build}'}}\n"
                 f"    target: {{match: {{cmdline: 'hotpod exec .* -- /app {name} '}}}}\n")
    return text


class ServicesPodTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require("podman")
        missing = missing_tools()
        if missing:
            skip(f"missing {', '.join(missing)} (scripts/install-deps.sh installs them)")

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="hotpod-services-pod-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        os.chmod(self.tmp, 0o755)
        self.hotpod = dist_binary(DIST_DIR)
        self.p = Podman(self)  # its cleanup removes every pod and container of its storage
        self.ports = {name: free_port() for name in APPS}
        self.agent_port = free_port()

    def volume(self, name):
        path = os.path.join(self.tmp, name)
        os.makedirs(path)
        os.chown(path, UID, UID)
        return path

    def write_as_user(self, path, text):
        """Like an editor on the host: a new file renamed over the old one."""
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.chown(os.path.dirname(path), UID, UID)
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.chown(path + ".tmp", UID, UID)
        os.rename(path + ".tmp", path)

    def pod_yaml(self, image, src, out):
        def container(name, command, mounts):
            return {"name": name, "image": image, "imagePullPolicy": "Never",
                    "command": command, "securityContext": HARDENED,
                    "volumeMounts": [{"name": m, "mountPath": f"/{m}"} for m in mounts]}
        containers = [container(name, ["/usr/local/bin/hotpod", "exec", "--log-format", "json",
                                       "--state-file", f"/out/{name}.exec.json", "--",
                                       "/app", name, str(self.ports[name])], ["out"])
                      for name in APPS]
        agent = container("hotpod", ["/usr/local/bin/hotpod", "agent", "--log-format", "json"],
                          ["src", "out"])
        agent["workingDir"] = "/src"
        agent["volumeMounts"].append({"name": "tmp", "mountPath": "/tmp"})  # the builds' TMPDIR
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": POD},
               "spec": {"shareProcessNamespace": True, "hostNetwork": True,
                        "restartPolicy": "Never",
                        "securityContext": {"runAsUser": UID, "runAsGroup": UID},
                        "containers": [*containers, agent],
                        "volumes": [{"name": "tmp", "emptyDir": {}},
                                    {"name": "src", "hostPath": {"path": src,
                                                                 "type": "Directory"}},
                                    {"name": "out", "hostPath": {"path": out,
                                                                 "type": "Directory"}}]}}
        path = os.path.join(self.tmp, "pod.yaml")
        with open(path, "w") as f:
            yaml.safe_dump(pod, f)
        return path

    # --- what the test reads ------------------------------------------------------------

    def logs(self):
        """Each container's state and the end of its log (stdout and stderr)."""
        text = ""
        for c in (*APPS, "hotpod"):
            state = self.p.podman("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}",
                                  f"{POD}-{c}", check=False, quiet=True)
            log_ = self.p.podman("logs", "--tail", "30", f"{POD}-{c}", check=False, quiet=True)
            text += f"--- {c} ({state.stdout.strip()})\n{log_.stdout}{log_.stderr}\n"
        return text

    def answer(self, name):
        try:
            return http_get(f"http://127.0.0.1:{self.ports[name]}/", timeout=2)[1].strip()
        except OSError:
            return None

    def agent(self, path):
        """(status, body) from the agent's HTTP server, or (None, error)."""
        try:
            return http_request(f"http://127.0.0.1:{self.agent_port}{path}", timeout=5)
        except OSError as e:
            return None, str(e)

    def services(self):
        status, body = self.agent("/v1/status")
        self.assertEqual(status, 200, body)
        return json.loads(body)["services"]

    def wait_answer(self, name, expected):
        polls = iter(range(1 << 30))

        def probe():
            if self.answer(name) == expected:
                return True
            if next(polls) % 50 == 49:
                self.assert_running()
            return False
        wait_until(f"{name} answering {expected!r}", probe, detail=self.logs)

    def assert_running(self):
        """Fails at once, with the logs, when a container of the pod has exited."""
        names = [f"{POD}-{c}" for c in (*APPS, "hotpod")]
        states = self.p.podman("inspect", "--format", "{{.Name}} {{.State.Status}}", *names,
                               check=False, quiet=True).stdout.splitlines()
        stopped = [line for line in states if line and not line.endswith(" running")]
        if stopped:
            raise AssertionError(f"container(s) not running: {stopped}\n{self.logs()}")

    def app_containers(self):
        """{name: podman inspect of its container}, in one podman call (each costs ~0.5 s)."""
        found = json.loads(self.p.podman("inspect", *(f"{POD}-{n}" for n in APPS),
                                         quiet=True).stdout)
        return dict(zip(APPS, found))

    def exec_state(self, out, name):
        try:
            with open(os.path.join(out, f"{name}.exec.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def settled(self, service, out, name):
        state = self.exec_state(out, name)
        return (service["state"] in ("idle", "running") and service["counts"]["builds"] >= 1
                and service["app"]["running"] and state is not None
                and state["child_pid"] == service["app"]["pid"])

    # --- the test -----------------------------------------------------------------------

    def test_one_agent_three_exec_apps_shared_edit_restarts_both_dependents_once(self):
        image = kit_image(self.p, self.hotpod)
        src, out = self.volume("src"), self.volume("out")
        self.write_as_user(os.path.join(src, "hotpod.yaml"), agent_config(self.agent_port))
        self.write_as_user(os.path.join(src, "shared", "version.txt"), "v1\n")
        for name in APPS:
            self.write_as_user(os.path.join(src, name, "name.txt"), f"{name}\n")
            # What the app serves before the agent's first build: it starts, no crash loop.
            self.write_as_user(os.path.join(out, f"{name}.txt"), f"{name}\nv0\n")
        played = self.pod_yaml(image, src, out)

        started = time.monotonic()
        self.addCleanup(self.p.podman, "kube", "play", "--down", played, check=False,
                        timeout=120)
        self.p.podman("kube", "play", played, timeout=300)
        pod = json.loads(self.p.podman("pod", "inspect", POD, quiet=True).stdout)
        pod = pod[0] if isinstance(pod, list) else pod
        self.assertIn("pid", pod.get("SharedNamespaces", []))
        for name in APPS:
            self.wait_answer(name, f"{name} v1")
        wait_until("the agent ready for every service",
                   lambda: self.agent("/readyz")[0] == 200, detail=self.logs)
        log(f"kube play → three apps answering v1, agent ready: "
            f"{time.monotonic() - started:.2f} s")
        for name in APPS:
            self.assertEqual(self.agent(f"/readyz?service={name}")[0], 200, name)
        self.assertEqual(self.agent("/readyz?service=nope")[0], 404)
        # Settled: each service's build #1 done and its restart seen by the agent and recorded
        # in hotpod exec's state file (the same app process).
        before = wait_until("each service idle after build #1, its app the one hotpod exec runs",
                            lambda: (s := self.services()) and all(
                                self.settled(s[n], out, n) for n in APPS) and s,
                            detail=self.logs)
        self.assertEqual(sorted(before), list(APPS))
        containers_before = self.app_containers()
        exec_before = {name: self.exec_state(out, name) for name in APPS}

        # The shared package changes: a and b rebuild and restart, c does not.
        edited = time.monotonic()
        self.write_as_user(os.path.join(src, "shared", "version.txt"), "v2\n")
        self.wait_answer("a", "a v2")
        self.wait_answer("b", "b v2")
        log(f"MEASURED services pod: shared edit → a and b answer v2: "
            f"{time.monotonic() - edited:.2f} s")
        after = wait_until(
            "a and b restarted in the agent's status",
            lambda: (s := self.services()) and all(
                s[n]["app"]["restarts"] > before[n]["app"]["restarts"]
                and s[n]["app"]["running"] for n in ("a", "b")) and s, detail=self.logs)
        for name in ("a", "b"):
            self.assert_rebuilt_once(before[name], after[name], name)
        self.assert_untouched(before["c"], after["c"], "c")
        self.assertEqual(self.answer("c"), "c v1")

        # Only c's own directory changes: c alone rebuilds; a and b stay as they are.
        self.write_as_user(os.path.join(src, "c", "name.txt"), "c!\n")
        self.wait_answer("c", "c! v2")
        last = wait_until("c restarted in the agent's status",
                          lambda: (s := self.services()) and s["c"]["app"]["restarts"]
                          > before["c"]["app"]["restarts"] and s, detail=self.logs)
        self.assert_rebuilt_once(before["c"], last["c"], "c")
        for name in ("a", "b"):
            self.assert_untouched(after[name], last[name], name)
            self.assertEqual(self.answer(name), f"{name} v2")
        self.assertEqual(self.agent("/readyz")[0], 200)
        self.assertEqual(last["a"]["counts"]["builds_failed"], 0)

        # hotpod exec restarted the apps in place: no app container restarted.
        containers_after = self.app_containers()
        for name in APPS:
            now = containers_after[name]
            self.assertEqual(now["Name"], f"{POD}-{name}")
            self.assertEqual(now["State"]["Status"], "running", name)
            self.assertEqual(now["RestartCount"], 0, name)
            self.assertEqual(now["State"]["StartedAt"],
                             containers_before[name]["State"]["StartedAt"], name)
            state = wait_until(f"{name}'s hotpod exec state naming the new app",
                               lambda: (st := self.exec_state(out, name))
                               and st["child_pid"] == last[name]["app"]["pid"] and st,
                               detail=self.logs)
            self.assertEqual(state["restarts"], exec_before[name]["restarts"] + 1, (name, state))
        self.assertEqual(links() - self.p.links_before, set(), "a network link was made")

    def assert_rebuilt_once(self, before, after, name):
        self.assertEqual(after["counts"]["builds"], before["counts"]["builds"] + 1,
                         f"{name}: one build\n{self.logs()}")
        self.assertEqual(after["app"]["restarts"], before["app"]["restarts"] + 1,
                         f"{name}: one restart\n{self.logs()}")
        self.assertNotEqual(after["app"]["pid"], before["app"]["pid"], name)

    def assert_untouched(self, before, after, name):
        for key in ("pid", "restarts"):
            self.assertEqual(after["app"][key], before["app"][key], f"{name}: app.{key}")
        self.assertEqual(after["counts"]["builds"], before["counts"]["builds"], f"{name}: builds")


if __name__ == "__main__":
    unittest.main()
