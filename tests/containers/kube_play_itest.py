"""`podman kube play` of the rendered deploy/ example: the real pod spec, synced Skaffold-style.

`kubectl kustomize deploy/overlays/example` renders the Deployment (shareProcessNamespace, the
emptyDir volumes, the init container, hotpod exec in the app container, the hotpod agent sidecar
with its probes, non-root, read-only root filesystems, all capabilities dropped) and its
ConfigMap; podman plays them with the images built from the repository's Dockerfiles (copied from
the private dockerd with `docker save | podman load`). Then, as Skaffold's manual sync does,
`tar c main.go | podman exec -i <hotpod container> tar xmf - -C /src --no-same-owner` →
the agent rebuilds → the response through the published port changes; the app container is
never restarted; /readyz answers 200 through the published port; the liveness probe (podman's
healthcheck, run on demand since there is no systemd timer here) passes.

What the test changes in the rendered spec, and why:
* hostPort/hostIP 127.0.0.1 on the two container ports, with free ports: to reach the pod from
  the host without clashing with anything else on this machine (a cluster uses a Service or
  `kubectl port-forward`, hence none in deploy/);
* the kinds podman does not run are left out (Service, ServiceMonitor, PrometheusRule, the
  dashboard ConfigMap: manifests_itest.py validates them);
* podman < 4.6 restarts a Deployment's init containers forever under restartPolicy: Always
  (podman issues 15631/16343, fixed by PR 18481): there, the pod template gets
  restartPolicy: OnFailure. hotpod exec never exits, so for the app and the sidecar this is the
  same as Always.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

import yaml

from container_support import (Dockerd, GIN_IMAGE, HOTPOD_IMAGE, Podman, agent_in_source,
                               log, require, run, wait_http)
from hotpod_harness import SOURCE_DIR, free_port, skip

GREETING = "Hello from hotpod!"
DEPLOY = os.path.join(SOURCE_DIR, "deploy")


def podman_version():
    out = subprocess.run(["podman", "--version"], capture_output=True, text=True).stdout
    return tuple(int(x) for x in re.search(r"(\d+)\.(\d+)", out).groups())


class KubePlayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require("podman", "dockerd", "debootstrap")
        if not agent_in_source():
            # Not faked with `hotpod run`: the stack is specified with the sidecar.
            skip("this checkout's hotpod has no `agent` subcommand (the sidecar, issue 4, is "
                 "not merged yet): the pod's hotpod container cannot run; everything else of this test is "
                 "ready")
        if not shutil.which("kubectl"):
            skip("kubectl is not installed (not a Debian package): `kubectl kustomize` cannot "
                 "render deploy/ for podman kube play")

    def test_sync_rebuild_restart_in_place(self):
        d = Dockerd(self)
        d.ensure_project_images()
        # The image is built from this checkout, which has the agent (setUpClass checked).
        self.assertEqual(d.docker("run", "--rm", HOTPOD_IMAGE, "hotpod", "agent", "--help",
                                  check=False, quiet=True).returncode, 0,
                         "the image's hotpod has no `agent` subcommand")
        p = Podman(self)
        p.load_from(d, HOTPOD_IMAGE, GIN_IMAGE)

        rendered = [doc for doc in yaml.safe_load_all(
            run(["kubectl", "kustomize", os.path.join(DEPLOY, "overlays", "example")]).stdout) if doc]
        deployment = next(doc for doc in rendered if doc["kind"] == "Deployment")
        config_name = next(v["configMap"]["name"] for v in
                           deployment["spec"]["template"]["spec"]["volumes"] if v["name"] == "config")
        config_map = next(doc for doc in rendered if doc["kind"] == "ConfigMap"
                          and doc["metadata"]["name"] == config_name)
        spec = deployment["spec"]["template"]["spec"]
        ports = {}
        for c in spec["containers"]:
            for port in c.get("ports", []):
                port["hostIP"] = "127.0.0.1"
                port["hostPort"] = ports[port["name"]] = free_port()
        if podman_version() < (4, 6):
            spec["restartPolicy"] = "OnFailure"
        tmp = tempfile.mkdtemp(prefix="hotpod-kube-")
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        played = os.path.join(tmp, "pod.yaml")
        with open(played, "w") as f:
            yaml.safe_dump_all([config_map, deployment], f)
        app_url = f"http://127.0.0.1:{ports['http']}"
        hotpod_url = f"http://127.0.0.1:{ports['hotpod']}"

        started = time.monotonic()
        self.addCleanup(p.podman, "kube", "play", "--down", played, check=False, timeout=120)
        p.podman("kube", "play", played, timeout=300)
        pod = deployment["metadata"]["name"] + "-pod-0"
        agent, app = f"{pod}-hotpod", f"{pod}-app"

        def logs():
            return "\n".join(f"--- {c}\n" + p.podman("logs", "--tail", "40", c, check=False,
                                                     quiet=True).stdout
                             for c in (app, agent))
        try:
            _, body, _ = wait_http(app_url + "/", lambda s, b: s == 200 and GREETING in b,
                                   timeout=240)
            log(f"kube play → first answer from the app: {time.monotonic() - started:.1f} s "
                "(seed, first build with the Go cache the init container copied, start)")
            status, body, _ = wait_http(hotpod_url + "/readyz", timeout=120)
        except AssertionError:
            print(logs(), flush=True)
            raise
        self.assertEqual(status, 200)
        app_before = json.loads(p.podman("inspect", app, quiet=True).stdout)[0]

        # The pod is what the manifest says.
        inspect_pod = json.loads(p.podman("pod", "inspect", pod, quiet=True).stdout)
        inspect_pod = inspect_pod[0] if isinstance(inspect_pod, list) else inspect_pod
        self.assertIn("pid", inspect_pod.get("SharedNamespaces", []))
        for name in (app, agent):
            c = json.loads(p.podman("inspect", name, quiet=True).stdout)[0]
            self.assertEqual(c["Config"]["User"], "10001:10001")
            self.assertTrue(c["HostConfig"]["ReadonlyRootfs"], name)
            self.assertEqual(c["EffectiveCaps"] or [], [], f"{name}: every capability dropped")
        # hotpod exec is the app container's top process; the agent sees it (shared PIDs).
        ps = p.podman("exec", agent, "sh", "-c",
                      "for d in /proc/[0-9]*; do printf '%s %s\\n' ${d#/proc/} \"$(cat $d/comm)\"; done",
                      quiet=True).stdout
        self.assertIn("hotpod-exec", ps)
        state_before = json.loads(p.podman("exec", agent, "cat", "/shared/exec.json",
                                           quiet=True).stdout)

        # Skaffold's manual sync: tar into the hotpod container's /src (the shared emptyDir).
        src = os.path.join(tmp, "src")
        shutil.copytree(os.path.join(SOURCE_DIR, "examples", "gin-app"), src,
                        ignore=shutil.ignore_patterns(".hotpod"))
        new_greeting = "Hello from the pod!"
        with open(os.path.join(src, "main.go")) as f:
            text = f.read()
        with open(os.path.join(src, "main.go"), "w") as f:
            f.write(text.replace(GREETING, new_greeting))
        tar = subprocess.run(["tar", "c", "main.go"], cwd=src, capture_output=True, check=True)
        synced = time.monotonic()
        sync = subprocess.run(["podman", "--root", p.root, "--runroot", p.runroot, "exec", "-i",
                               agent, "tar", "xmf", "-", "-C", "/src", "--no-same-owner"],
                              input=tar.stdout, env=p.env, capture_output=True, timeout=60)
        self.assertEqual(sync.returncode, 0, sync.stderr)
        try:
            _, body, took = wait_http(app_url + "/", lambda s, b: s == 200 and new_greeting in b,
                                      timeout=180, interval=0.05)
        except AssertionError:
            print(logs(), flush=True)
            raise
        log(f"MEASURED kube play: sync (tar | podman exec) → new response through the "
            f"published port: {time.monotonic() - synced:.2f} s")
        status, body, _ = wait_http(hotpod_url + "/readyz", timeout=60)
        self.assertEqual(status, 200)
        self.assertIn("ready", body)

        # The app container never restarted; hotpod exec restarted the app inside it.
        app_after = json.loads(p.podman("inspect", app, quiet=True).stdout)[0]
        self.assertEqual(app_after["RestartCount"], 0)
        self.assertEqual(app_after["State"]["StartedAt"], app_before["State"]["StartedAt"])
        self.assertEqual(app_after["State"]["Status"], "running")
        state_after = json.loads(p.podman("exec", agent, "cat", "/shared/exec.json",
                                          quiet=True).stdout)
        self.assertGreater(state_after["restarts"], state_before["restarts"])
        self.assertNotEqual(state_after["child_pid"], state_before["child_pid"])
        # The liveness probe on /healthz, as podman runs it (healthcheck, on demand here).
        health = p.podman("healthcheck", "run", agent, check=False)
        self.assertEqual(health.returncode, 0, health.stdout + health.stderr)
        # Metrics reach Prometheus through the annotated port.
        _, metrics, _ = wait_http(hotpod_url + "/metrics")
        self.assertIn("hotpod_builds_total", metrics)


if __name__ == "__main__":
    unittest.main()
