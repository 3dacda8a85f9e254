"""deploy/, helm/hotpod and deploy/skaffold.yaml: rendered, validated against the Kubernetes schema,
and checked for what the dev pod needs.

* `kubectl kustomize` renders the base and the example overlay (SKIPPED for that part without
  kubectl: it is not a Debian package).
* Every rendered object is validated with npm's kubernetes-models / @kubernetes-models/validate
  (types, required fields, enums, formats); ServiceMonitor and PrometheusRule with
  @kubernetes-models/prometheus-operator (models generated from the operator's CRD schemas).
  A broken Deployment and a broken ServiceMonitor must be rejected, so the validator is known
  to bite. kubernetes-models does not reject unknown fields: the pod spec's keys are checked
  against the Kubernetes API's field names here.
* The PrometheusRule's expressions pass `promtool check rules`, and `promtool test rules` shows
  that HotpodBuildFailing fires after failing builds and stays quiet after a good one. The
  Grafana dashboard's queries pass promtool as well and only use metrics hotpod exports.
* helm: `helm lint` / `helm template` when helm is on PATH (not in Debian: SKIPPED otherwise);
  always: Chart.yaml and values.yaml parse and every .Values.* the templates use is defined.
  Then the chart is rendered by tests/containers/helmlite (Go's text/template with sprig, Helm's
  own function library) and the result is validated like the kustomize output.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import yaml

from container_support import CACHE, Lock, log, run
from hotpod_harness import SOURCE_DIR

HERE = os.path.dirname(os.path.abspath(__file__))
DEPLOY = os.path.join(SOURCE_DIR, "deploy")
CHART = os.path.join(SOURCE_DIR, "helm", "hotpod")
POLICY = os.path.join(DEPLOY, "policy", "no-hot-reload.yaml")
NPM_DIR = os.path.join(CACHE, "npm")
NPM_PACKAGES = ["kubernetes-models@5", "@kubernetes-models/validate@5",
                "@kubernetes-models/prometheus-operator@6", "yaml@2", "@marcbachmann/cel-js@8"]

# Field names of the Kubernetes API (core/v1) for the parts of the pod spec the manifests use:
# kubernetes-models accepts unknown fields, so a typo such as shareProcessNamespaces would
# pass it silently (and the API server would drop it with only a warning).
POD_SPEC_FIELDS = {
    "activeDeadlineSeconds", "affinity", "automountServiceAccountToken", "containers",
    "dnsConfig", "dnsPolicy", "enableServiceLinks", "ephemeralContainers", "hostAliases",
    "hostIPC", "hostNetwork", "hostPID", "hostUsers", "hostname", "imagePullSecrets",
    "initContainers", "nodeName", "nodeSelector", "os", "overhead", "preemptionPolicy",
    "priority", "priorityClassName", "readinessGates", "resourceClaims", "restartPolicy",
    "runtimeClassName", "schedulerName", "schedulingGates", "securityContext",
    "serviceAccount", "serviceAccountName", "setHostnameAsFQDN", "shareProcessNamespace",
    "subdomain", "terminationGracePeriodSeconds", "tolerations", "topologySpreadConstraints",
    "volumes"}
CONTAINER_FIELDS = {
    "args", "command", "env", "envFrom", "image", "imagePullPolicy", "lifecycle",
    "livenessProbe", "name", "ports", "readinessProbe", "resizePolicy", "resources",
    "restartPolicy", "securityContext", "startupProbe", "stdin", "stdinOnce",
    "terminationMessagePath", "terminationMessagePolicy", "tty", "volumeDevices",
    "volumeMounts", "workingDir"}
SECURITY_CONTEXT_FIELDS = {
    "allowPrivilegeEscalation", "capabilities", "privileged", "procMount",
    "readOnlyRootFilesystem", "runAsGroup", "runAsNonRoot", "runAsUser", "seLinuxOptions",
    "seccompProfile", "windowsOptions", "appArmorProfile"}
POD_SECURITY_CONTEXT_FIELDS = {
    "fsGroup", "fsGroupChangePolicy", "runAsGroup", "runAsNonRoot", "runAsUser",
    "seLinuxOptions", "seccompProfile", "supplementalGroups", "sysctls", "windowsOptions",
    "appArmorProfile"}
PROBE_FIELDS = {"exec", "failureThreshold", "grpc", "httpGet", "initialDelaySeconds",
                "periodSeconds", "successThreshold", "tcpSocket",
                "terminationGracePeriodSeconds", "timeoutSeconds"}


def ensure_npm():
    """kubernetes-models & co. in CACHE/npm (installed once; the npm registry is reachable)."""
    if not shutil.which("npm") or not shutil.which("node"):
        return "no node/npm (scripts/install-deps.sh installs Debian's nodejs and npm)"
    lock = Lock("npm")
    try:
        names = [p.rsplit("@", 1)[0] for p in NPM_PACKAGES]
        if not all(os.path.isdir(os.path.join(NPM_DIR, "node_modules", n)) for n in names):
            os.makedirs(NPM_DIR, exist_ok=True)
            pkg = os.path.join(NPM_DIR, "package.json")
            if not os.path.exists(pkg):
                with open(pkg, "w") as f:
                    json.dump({"name": "hotpod-test-npm", "private": True}, f)
            run(["npm", "install", "--no-audit", "--no-fund", "--prefix", NPM_DIR, *NPM_PACKAGES],
                timeout=600)
    finally:
        lock.release()
    return None


def validate(test, text, label):
    """Runs validate_k8s.mjs on a multi-document YAML string; returns its report."""
    proc = subprocess.run(["node", os.path.join(HERE, "validate_k8s.mjs"), "-"], input=text,
                          capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, HOTPOD_NPM_DIR=NPM_DIR))
    log(f"schema validation of {label}:\n{proc.stdout.strip()}")
    test.assertEqual(proc.returncode, 0, f"{label}:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def docs_of(text):
    return [d for d in yaml.safe_load_all(text) if d]


def kustomize(path):
    return run(["kubectl", "kustomize", path], timeout=120).stdout


def check_fields(test, obj, allowed, where):
    unknown = set(obj) - allowed
    test.assertFalse(unknown, f"{where}: unknown field(s) {sorted(unknown)}")


def check_dev_deployment(test, deployment, label):
    """What a hotpod dev Deployment must have, whichever way it was rendered."""
    pod = deployment["spec"]["template"]
    spec = pod["spec"]
    check_fields(test, spec, POD_SPEC_FIELDS, f"{label} pod spec")
    check_fields(test, spec["securityContext"], POD_SECURITY_CONTEXT_FIELDS,
                 f"{label} pod securityContext")
    test.assertIs(spec["shareProcessNamespace"], True)
    test.assertEqual(deployment["spec"]["replicas"], 1)
    test.assertEqual(deployment["spec"]["strategy"]["type"], "Recreate")
    test.assertIs(spec["securityContext"]["runAsNonRoot"], True)
    test.assertNotEqual(spec["securityContext"]["runAsUser"], 0)
    volumes = {v["name"]: v for v in spec["volumes"]}
    for name in ("src", "shared"):
        test.assertIn("emptyDir", volumes[name], f"{label}: volume {name} is an emptyDir")
    containers = {c["name"]: c for c in spec["containers"]}
    test.assertEqual(set(containers), {"app", "hotpod"})
    for c in spec["containers"] + spec.get("initContainers", []):
        where = f"{label} container {c['name']}"
        check_fields(test, c, CONTAINER_FIELDS, where)
        check_fields(test, c["securityContext"], SECURITY_CONTEXT_FIELDS, where)
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            if probe in c:
                check_fields(test, c[probe], PROBE_FIELDS, f"{where} {probe}")
        sc = c["securityContext"]
        test.assertIs(sc["readOnlyRootFilesystem"], True, where)
        test.assertIs(sc["allowPrivilegeEscalation"], False, where)
        test.assertEqual(sc["capabilities"]["drop"], ["ALL"], where)
        test.assertNotIn("add", sc["capabilities"], f"{where}: same UID, so no capability")
        test.assertIn("requests", c["resources"], where)
        test.assertIn("memory", c["resources"]["limits"], where)
        for m in c["volumeMounts"]:
            test.assertIn(m["name"], volumes, f"{where} mounts a volume that exists")
    app, agent = containers["app"], containers["hotpod"]
    test.assertEqual(app["command"][:2], ["hotpod", "exec"])
    test.assertIn("--", app["command"])
    test.assertEqual(agent["command"][:2], ["hotpod", "agent"])
    # Both see the source and the shared volume; the agent reads its config from the ConfigMap.
    for c in (app, agent):
        mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
        test.assertEqual(mounts.get("shared"), "/shared")
        test.assertEqual(mounts.get("tmp"), "/tmp")
    agent_mounts = {m["name"]: m["mountPath"] for m in agent["volumeMounts"]}
    test.assertEqual(agent_mounts["src"], "/src")
    test.assertEqual(agent["command"][-1], agent_mounts["config"] + "/hotpod.yaml")
    ports = {p["name"]: p["containerPort"] for p in agent["ports"]}
    test.assertEqual(ports["hotpod"], 4687)
    # Numeric probe ports: podman kube play before 4.4 cannot resolve named ones.
    test.assertEqual(agent["livenessProbe"]["httpGet"], {"path": "/healthz", "port": 4687})
    test.assertEqual(agent["readinessProbe"]["httpGet"], {"path": "/readyz", "port": 4687})
    test.assertEqual(app["readinessProbe"]["httpGet"]["port"],
                     {p["name"]: p["containerPort"] for p in app["ports"]}["http"])
    test.assertNotIn("livenessProbe", app, "no liveness probe on an app that is restarted")
    annotations = pod["metadata"]["annotations"]
    test.assertEqual(annotations["prometheus.io/scrape"], "true")
    test.assertEqual(annotations["prometheus.io/port"], "4687")
    test.assertEqual(annotations["prometheus.io/path"], "/metrics")
    # The stop timeout fits in the grace period.
    stop = app["command"][app["command"].index("--stop-timeout") + 1]
    test.assertLess(int(stop.rstrip("s")), spec["terminationGracePeriodSeconds"])
    return volumes


def agent_config(test, rendered_docs, deployment):
    """The hotpod.yaml the agent container mounts (from the rendered ConfigMap)."""
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    cm_name = volumes["config"]["configMap"]["name"]
    cms = [d for d in rendered_docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == cm_name]
    test.assertEqual(len(cms), 1, f"the ConfigMap {cm_name} the pod mounts is rendered")
    config = yaml.safe_load(cms[0]["data"]["hotpod.yaml"])
    test.assertEqual(config["root"], "/src")
    test.assertEqual(config["target"]["mode"], "exec")
    test.assertIn("/shared/bin/app", config["build"]["cmd"])
    test.assertTrue(config["http"]["listen"].endswith(":4687"))
    return config


def promtool_rules(test, groups, label):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "rules.yml")
        with open(path, "w") as f:
            yaml.safe_dump({"groups": groups}, f)
        proc = run(["promtool", "check", "rules", path], check=False)
        test.assertEqual(proc.returncode, 0, f"{label}:\n{proc.stdout}\n{proc.stderr}")


class ManifestsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.npm_missing = ensure_npm()
        cls.kubectl = shutil.which("kubectl")

    def need_npm(self):
        if self.npm_missing:
            self.skipTest(f"SKIPPED: {self.npm_missing}")

    def need_kubectl(self):
        if not self.kubectl:
            print("SKIPPED: kubectl is not installed (not a Debian package): "
                  "`kubectl kustomize` cannot render deploy/", flush=True)
            self.skipTest("kubectl missing")

    def test_validator_rejects_broken_objects(self):
        """The validator is not a no-op: wrong types, formats and missing fields fail."""
        self.need_npm()
        bad = [
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "bad"},
             "spec": {"replicas": "one", "selector": {"matchLabels": {"a": "b"}},
                      "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [
                          {"name": "x", "image": "y", "resources": {"limits": {"memory": "lots"}}}]}}}},
            {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
             "metadata": {"name": "sm"}, "spec": {"endpoints": [{"port": 5, "interval": 15}]}},
            {"apiVersion": "example.com/v1", "kind": "Unknown", "metadata": {"name": "u"}},
        ]
        for obj in bad:
            proc = subprocess.run(["node", os.path.join(HERE, "validate_k8s.mjs"), "-"],
                                  input=yaml.safe_dump(obj), capture_output=True, text=True,
                                  timeout=120, env=dict(os.environ, HOTPOD_NPM_DIR=NPM_DIR))
            self.assertEqual(proc.returncode, 1, f"{obj['kind']} must be rejected:\n{proc.stdout}")
            self.assertIn("INVALID", proc.stdout)
        # And the unknown-field check catches a typo kubernetes-models lets through.
        with self.assertRaises(AssertionError):
            check_fields(self, {"shareProcessNamespaces": True}, POD_SPEC_FIELDS, "typo")

    def policy_verdicts(self, pods):
        proc = subprocess.run(["node", os.path.join(HERE, "eval_policy.mjs"), POLICY],
                              input=json.dumps(pods), capture_output=True, text=True,
                              timeout=120, env=dict(os.environ, HOTPOD_NPM_DIR=NPM_DIR))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return json.loads(proc.stdout)

    def test_admission_policy_is_valid_kubernetes(self):
        self.need_npm()
        with open(POLICY) as f:
            text = f.read()
        validate(self, text, "deploy/policy/no-hot-reload.yaml")
        docs = docs_of(text)
        self.assertEqual([d["kind"] for d in docs],
                         ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"])
        self.assertEqual(docs[1]["spec"]["policyName"], docs[0]["metadata"]["name"])

    def test_admission_policy_denies_hot_reload_and_admits_the_rest(self):
        """The policy's CEL, evaluated against the repository's own pods and small examples."""
        self.need_npm()
        self.need_kubectl()
        def pod_of(overlay):
            rendered = docs_of(kustomize(os.path.join(DEPLOY, overlay)))
            deployment = next(d for d in rendered if d["kind"] == "Deployment")
            return {"spec": deployment["spec"]["template"]["spec"]}
        app = {"name": "app", "image": "registry.example.com/app:1"}
        pods = {
            "example overlay": pod_of("overlays/example"),
            "production overlay": pod_of("overlays/production"),
            "hotpod image only": {"spec": {"containers": [
                app, {"name": "side", "image": "ghcr.io/acme/hotpod:1"}]}},
            "exec in an init container": {"spec": {"containers": [app], "initContainers": [
                {"name": "i", "image": "busybox", "command": ["/usr/local/bin/hotpod", "exec"],
                 "args": ["--", "/app"]}]}},
            "through a shell": {"spec": {"containers": [
                {**app, "command": ["sh", "-c", "cd /src && hotpod run"]}]}},
            "plain app": {"spec": {"containers": [{**app, "args": ["--port", "8080"]}]}},
            "hotpod in a path, not run": {"spec": {"containers": [
                {**app, "image": "registry.example.com/hotpod/app:1",
                 "command": ["/app", "--config", "/etc/hotpod.yaml", "exec"]}]}},
        }
        verdicts = self.policy_verdicts(pods)
        image, command = "uses a hotpod image", "runs hotpod agent, exec or run"
        expected = {"example overlay": [image, command], "production overlay": [],
                    "hotpod image only": [image], "exec in an init container": [command],
                    "through a shell": [command], "plain app": [],
                    "hotpod in a path, not run": []}
        for name, wanted in expected.items():
            messages = verdicts[name]
            self.assertEqual(len(messages), len(wanted), f"{name}: {messages}")
            for text, message in zip(wanted, messages):
                self.assertIn(text, message, name)

    def test_kustomize_production_overlay(self):
        """The production overlay is valid Kubernetes and has no trace of hot reload left."""
        self.need_kubectl()
        self.need_npm()
        text = kustomize(os.path.join(DEPLOY, "overlays/production"))
        validate(self, text, "kubectl kustomize deploy/overlays/production")
        rendered = docs_of(text)
        self.assertEqual(sorted(d["kind"] for d in rendered), ["Deployment", "Service"])
        deployment = next(d for d in rendered if d["kind"] == "Deployment")
        spec = deployment["spec"]["template"]["spec"]
        self.assertFalse(spec.get("shareProcessNamespace"))
        self.assertEqual(spec.get("initContainers", []), [])
        self.assertEqual([c["name"] for c in spec["containers"]], ["app"])
        self.assertEqual(spec["containers"][0]["command"], ["/app"])
        self.assertEqual(sorted(v["name"] for v in spec["volumes"]), ["tmp"])
        service = next(d for d in rendered if d["kind"] == "Service")
        self.assertEqual([p["port"] for p in service["spec"]["ports"]], [8080])

    def test_kustomize_base_and_example_overlay(self):
        self.need_kubectl()
        self.need_npm()
        for path in ("base", "overlays/example"):
            text = kustomize(os.path.join(DEPLOY, path))
            validate(self, text, f"kubectl kustomize deploy/{path}")
            rendered = docs_of(text)
            kinds = sorted(d["kind"] for d in rendered)
            self.assertEqual(kinds, ["ConfigMap", "ConfigMap", "Deployment", "PrometheusRule",
                                     "Service", "ServiceMonitor"])
            deployment = next(d for d in rendered if d["kind"] == "Deployment")
            check_dev_deployment(self, deployment, f"deploy/{path}")
            agent_config(self, rendered, deployment)
            images = {c["image"] for c in deployment["spec"]["template"]["spec"]["containers"]}
            if path == "base":
                self.assertEqual(images, {"app-dev"})
            else:
                self.assertEqual(images, {"hotpod-gin-dev:dev"})
                for c in deployment["spec"]["template"]["spec"]["containers"]:
                    self.assertEqual(c["imagePullPolicy"], "IfNotPresent")
            # The ServiceMonitor selects the Service, through a port the Service has.
            service = next(d for d in rendered if d["kind"] == "Service")
            monitor = next(d for d in rendered if d["kind"] == "ServiceMonitor")
            for k, v in monitor["spec"]["selector"]["matchLabels"].items():
                self.assertEqual(service["metadata"]["labels"][k], v)
            self.assertIn(monitor["spec"]["endpoints"][0]["port"],
                          {p["name"] for p in service["spec"]["ports"]})
            for k, v in service["spec"]["selector"].items():
                self.assertEqual(deployment["spec"]["template"]["metadata"]["labels"][k], v)
            dashboards = [d for d in rendered if d["kind"] == "ConfigMap"
                          and d["metadata"].get("labels", {}).get("grafana_dashboard") == "1"]
            self.assertEqual(len(dashboards), 1)
            json.loads(dashboards[0]["data"]["hotpod-dashboard.json"])

    def test_prometheus_rules_check_and_fire(self):
        if not shutil.which("promtool"):
            self.skipTest("SKIPPED: no promtool (Debian's prometheus package)")
        with open(os.path.join(DEPLOY, "base", "prometheusrule.yaml")) as f:
            rule = yaml.safe_load(f)
        groups = rule["spec"]["groups"]
        promtool_rules(self, groups, "deploy/base/prometheusrule.yaml")
        alerts = {r["alert"] for g in groups for r in g["rules"]}
        self.assertTrue({"HotpodBuildFailing", "HotpodAppNotReady"} <= alerts)
        # promtool test rules: builds fail every 2 minutes → HotpodBuildFailing after its `for`;
        # in another pod a good build follows a failure → no alert; the app down → its alert.
        labels = 'namespace="dev", pod="app-dev-1", container="hotpod"'
        other = 'namespace="dev", pod="app-dev-2", container="hotpod"'
        tests = {
            "rule_files": ["rules.yml"],
            "evaluation_interval": "1m",
            "tests": [{
                "interval": "1m",
                "input_series": [
                    {"series": f'hotpod_builds_total{{{labels}, result="failure"}}',
                     "values": "0+1x40"},
                    {"series": f'hotpod_builds_total{{{labels}, result="success"}}',
                     "values": "3x40"},
                    {"series": f'hotpod_builds_total{{{other}, result="failure"}}',
                     "values": "0+1x40"},
                    {"series": f'hotpod_builds_total{{{other}, result="success"}}',
                     "values": "0+1x40"},
                    {"series": f'hotpod_app_up{{{labels}}}', "values": "1x10 0x30"},
                    {"series": f'hotpod_app_up{{{other}}}', "values": "1x40"},
                ],
                "alert_rule_test": [
                    {"eval_time": "5m", "alertname": "HotpodBuildFailing", "exp_alerts": []},
                    {"eval_time": "30m", "alertname": "HotpodBuildFailing", "exp_alerts": [{
                        "exp_labels": {"severity": "warning", "namespace": "dev",
                                       "pod": "app-dev-1"},
                        "exp_annotations": {
                            "summary": "hotpod: builds in dev/app-dev-1 have failed for more than 10 minutes",
                            "description": groups[0]["rules"][0]["annotations"]["description"]}}]},
                    {"eval_time": "30m", "alertname": "HotpodAppNotReady", "exp_alerts": [{
                        "exp_labels": {"severity": "warning", "namespace": "dev",
                                       "pod": "app-dev-1"},
                        "exp_annotations": {
                            "summary": "hotpod: the app in dev/app-dev-1 has not been up for 5 minutes",
                            "description": groups[0]["rules"][1]["annotations"]["description"]}}]},
                ],
            }],
        }
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "rules.yml"), "w") as f:
                yaml.safe_dump({"groups": groups}, f)
            with open(os.path.join(tmp, "tests.yml"), "w") as f:
                yaml.safe_dump(tests, f)
            proc = subprocess.run(["promtool", "test", "rules", "tests.yml"], cwd=tmp,
                                  capture_output=True, text=True, timeout=120)
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
            log("promtool test rules: HotpodBuildFailing and HotpodAppNotReady fire as intended")

    def test_grafana_dashboard(self):
        with open(os.path.join(DEPLOY, "base", "grafana-dashboard.json")) as f:
            dashboard = json.load(f)
        with open(os.path.join(CHART, "dashboards", "hotpod.json")) as f:
            self.assertEqual(json.load(f), dashboard, "helm's copy equals deploy/'s")
        exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
        self.assertGreaterEqual(len(exprs), 10)
        ids = [p["id"] for p in dashboard["panels"]]
        self.assertEqual(len(ids), len(set(ids)))
        # Every hotpod_* metric a panel uses is one hotpod exports (docs/http.md's table).
        with open(os.path.join(SOURCE_DIR, "docs", "http.md")) as f:
            exported = set(re.findall(r"`(hotpod_[a-z_]+)", f.read()))
        used = {re.sub(r"_(bucket|sum|count)$", "", m)
                for e in exprs for m in re.findall(r"hotpod_[a-z_]+", e)}
        self.assertTrue(used <= exported, f"not exported: {sorted(used - exported)}")
        if not shutil.which("promtool"):
            self.skipTest("SKIPPED: no promtool for the PromQL syntax check")
        # PromQL syntax: each query as a recording rule, Grafana's variables substituted.
        rules = []
        for i, e in enumerate(exprs):
            e = e.replace("$__rate_interval", "5m").replace("$namespace", ".*") \
                 .replace("$pod", ".*")
            rules.append({"record": f"hotpod:dashboard_query_{i}", "expr": e})
        promtool_rules(self, [{"name": "dashboard", "rules": rules}], "dashboard queries")

    def test_skaffold_config_matches_the_manifests(self):
        """skaffold is not installed here: the config is checked against what it refers to."""
        with open(os.path.join(DEPLOY, "skaffold.yaml")) as f:
            config = yaml.safe_load(f)
        self.assertEqual(config["kind"], "Config")
        self.assertTrue(config["apiVersion"].startswith("skaffold/v4"))
        for path in config["manifests"]["kustomize"]["paths"]:
            self.assertTrue(os.path.exists(os.path.join(DEPLOY, path, "kustomization.yaml")))
        artifacts = config["build"]["artifacts"]
        self.assertEqual(len(artifacts), 1)
        artifact = artifacts[0]
        context = os.path.normpath(os.path.join(DEPLOY, artifact["context"]))
        self.assertTrue(os.path.exists(os.path.join(context, artifact["docker"]["dockerfile"])))
        rules = artifact["sync"]["manual"]
        # Every file the agent watches (include_ext) is synced, nothing else is needed.
        with open(os.path.join(DEPLOY, "base", "hotpod.yaml")) as f:
            watched = set(yaml.safe_load(f)["watch"]["include_ext"])
        self.assertEqual({r["src"].rsplit(".", 1)[1] for r in rules}, watched)
        if not self.kubectl:
            self.need_kubectl()
        rendered = docs_of(kustomize(os.path.join(DEPLOY, config["manifests"]["kustomize"]["paths"][0])))
        deployment = next(d for d in rendered if d["kind"] == "Deployment")
        spec = deployment["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in spec["volumes"]}
        # Skaffold copies into every container of the artifact's image: each must have the
        # sync destination on the shared emptyDir, or the sync (or the build) misses it.
        matching = [c for c in spec["containers"] if c["image"].split(":")[0] == artifact["image"]]
        self.assertEqual(len(matching), 2)
        for rule in rules:
            for c in matching:
                mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
                self.assertIn(rule["dest"], mounts, f"{c['name']} mounts {rule['dest']}")
                self.assertIn("emptyDir", volumes[mounts[rule["dest"]]])
        ports = {p["port"] for p in config["portForward"]}
        self.assertEqual(ports, {8080, 4687})

    def test_compose_file(self):
        """docker-compose.yml as compose 1.29 reads it (`config` needs no daemon)."""
        if not shutil.which("docker-compose"):
            self.skipTest("SKIPPED: no docker-compose (Debian's docker-compose)")
        proc = run(["docker-compose", "-f", os.path.join(SOURCE_DIR, "docker-compose.yml"),
                    "config"], env=dict(os.environ, APP_PORT="18080", HOTPOD_PORT="14687"))
        services = yaml.safe_load(proc.stdout)["services"]
        app, agent = services["app"], services["hotpod"]
        self.assertEqual(app["command"][:2], ["hotpod", "exec"])
        self.assertEqual(agent["command"][:2], ["hotpod", "agent"])
        self.assertEqual(agent["pid"], "service:app")
        self.assertNotIn("init", app, "hotpod exec does PID 1's work")
        self.assertEqual(app["image"], agent["image"], "same image, same UID: no CAP_KILL")
        for service, port in ((app, 18080), (agent, 14687)):
            # compose 1.29 prints short syntax: HOST_IP:PUBLISHED:TARGET/PROTO, SRC:DST:MODE
            self.assertEqual([p.split(":")[:2] for p in service["ports"]],
                             [["127.0.0.1", str(port)]], "ports on 127.0.0.1 only")
            self.assertIn("healthcheck", service)
            self.assertEqual(service["restart"], "unless-stopped")
            # Hardened by default: read-only root filesystem, no capabilities, no setuid gains.
            self.assertIs(service.get("read_only"), True)
            self.assertEqual(service.get("cap_drop"), ["ALL"])
            self.assertIn("no-new-privileges:true", service.get("security_opt", []))
            mounts = {v.split(":")[1]: v.split(":") for v in service["volumes"]}
            self.assertEqual(mounts["/src"][2], "ro")
            self.assertEqual(mounts["/shared"][0], "shared", "a named volume")
        self.assertEqual(app["depends_on"]["hotpod-image"]["condition"],
                         "service_completed_successfully")
        # The agent's config in the bind-mounted source builds what hotpod exec runs.
        config_path = agent["command"][agent["command"].index("-c") + 1]
        self.assertTrue(config_path.startswith("/src/"))
        with open(os.path.join(SOURCE_DIR, "examples", "gin-app",
                               config_path.removeprefix("/src/"))) as f:
            config = yaml.safe_load(f)
        self.assertIn(app["command"][-1], config["build"]["cmd"])
        self.assertEqual(config["target"]["mode"], "exec")
        self.assertTrue(config["app"]["health_url"].startswith("http://app:8080/"))

    def test_helm_chart(self):
        with open(os.path.join(CHART, "Chart.yaml")) as f:
            chart = yaml.safe_load(f)
        self.assertEqual(chart["apiVersion"], "v2")
        self.assertEqual(chart["name"], "hotpod")
        with open(os.path.join(SOURCE_DIR, "CMakeLists.txt")) as f:
            version = re.search(r"project\(hotpod VERSION ([0-9.]+)", f.read()).group(1)
        self.assertEqual(chart["appVersion"], version)
        with open(os.path.join(CHART, "values.yaml")) as f:
            values = yaml.safe_load(f)
        # Every .Values.a.b.c in the templates is defined in values.yaml.
        templates = os.path.join(CHART, "templates")
        referenced = set()
        for name in os.listdir(templates):
            with open(os.path.join(templates, name)) as f:
                referenced |= set(re.findall(r"\.Values\.([A-Za-z0-9_.]+)", f.read()))
        self.assertTrue(referenced)
        for ref in sorted(referenced):
            node = values
            for key in ref.split("."):
                self.assertIsInstance(node, dict, f".Values.{ref}: {key} is below a leaf")
                self.assertIn(key, node, f".Values.{ref} is used by a template but not defined "
                                         "in values.yaml")
                node = node[key]
        # And every top-level value is used (no dead documentation).
        used_top = {r.split(".")[0] for r in referenced}
        self.assertEqual(set(values) - used_top, set(), "values.yaml keys no template uses")
        log(f"helm chart: {len(referenced)} .Values references, all defined")
        # The agent config in values.yaml is the one deploy/ uses.
        with open(os.path.join(DEPLOY, "base", "hotpod.yaml")) as f:
            self.assertEqual(yaml.safe_load(values["hotpod"]["config"]), yaml.safe_load(f))

    def test_helm_lint_and_template(self):
        helm = shutil.which("helm")
        if not helm:
            print("SKIPPED: helm is not installed (it is neither in Debian nor in npm): no "
                  "`helm lint`/`helm template`; test_helm_chart and test_helm_render_helmlite "
                  "check the chart instead", flush=True)
            self.skipTest("helm missing")
        self.need_npm()
        run([helm, "lint", CHART, "--strict"])
        for extra in ([], ["--set", "metrics.serviceMonitor.enabled=true",
                           "--set", "metrics.prometheusRule.enabled=true",
                           "--set", "metrics.grafanaDashboard.enabled=true"]):
            text = run([helm, "template", "dev", CHART, *extra]).stdout
            validate(self, text, "helm template " + " ".join(extra))
            deployment = next(d for d in docs_of(text) if d["kind"] == "Deployment")
            check_dev_deployment(self, deployment, "helm")

    def build_helmlite(self, tmp):
        binary = os.path.join(tmp, "helmlite")
        env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode", GOFLAGS="",
                   GOCACHE=os.path.join(CACHE, "go-build"))
        subprocess.run(["go", "build", "-o", binary, "."], cwd=os.path.join(HERE, "helmlite"),
                       env=env, check=True, timeout=600)
        return binary

    def test_helmlite_has_helms_functions(self):
        """The chart meets Helm's function library (sprig), not a handful of look-alikes."""
        if not shutil.which("go"):
            self.skipTest("SKIPPED: no Go toolchain for helmlite")
        with tempfile.TemporaryDirectory() as tmp:
            binary = self.build_helmlite(tmp)
            chart = os.path.join(tmp, "chart")
            os.makedirs(os.path.join(chart, "templates"))
            with open(os.path.join(chart, "Chart.yaml"), "w") as f:
                f.write("apiVersion: v2\nname: probe\nversion: 1.2.3\nappVersion: 1.2.3\n")
            with open(os.path.join(chart, "values.yaml"), "w") as f:
                f.write("name: hotpod\nports: []\nzero: 0\n")
            with open(os.path.join(chart, "templates", "cm.yaml"), "w") as f:
                f.write("b64: {{ .Values.name | b64enc }}\n"
                        "upper: {{ .Values.name | upper | quote }}\n"
                        "ports: {{ .Values.ports | default (list 80) | toJson }}\n"
                        "zero: {{ .Values.zero | default 7 }}\n"
                        "newer: {{ semverCompare \">=1.0.0\" .Chart.Version }}\n"
                        "need: {{ required \"name is required\" .Values.name }}\n")
            text = run([binary, "--release", "r", chart]).stdout
            doc = yaml.safe_load(text)
            self.assertEqual(doc, {"b64": "aG90cG9k", "upper": "HOTPOD", "ports": [80],
                                   "zero": 7, "newer": True, "need": "hotpod"})

    def test_helm_render_helmlite(self):
        """Renders the chart with Go's text/template and sprig (tests/containers/helmlite)."""
        self.need_npm()
        if not shutil.which("go"):
            self.skipTest("SKIPPED: no Go toolchain for helmlite")
        outputs = {}
        with tempfile.TemporaryDirectory() as tmp:
            binary = self.build_helmlite(tmp)
            for label, sets in (("defaults", []),
                                ("everything on", ["metrics.serviceMonitor.enabled=true",
                                                   "metrics.prometheusRule.enabled=true",
                                                   "metrics.grafanaDashboard.enabled=true"]),
                                ("other UID", ["app.runAsUser=10002",
                                               "hotpod.addKillCapability=true"])):
                argv = [binary, "--release", "dev"]
                for s in sets:
                    argv += ["--set", s]
                argv.append(CHART)
                text = run(argv).stdout
                outputs[label] = text
                validate(self, text, f"helm chart ({label})")
        rendered = docs_of(outputs["defaults"])
        self.assertEqual(sorted(d["kind"] for d in rendered), ["ConfigMap", "Deployment", "Service"])
        deployment = next(d for d in rendered if d["kind"] == "Deployment")
        check_dev_deployment(self, deployment, "helm (defaults)")
        agent_config(self, rendered, deployment)
        everything = docs_of(outputs["everything on"])
        self.assertEqual(sorted(d["kind"] for d in everything),
                         ["ConfigMap", "ConfigMap", "Deployment", "PrometheusRule", "Service",
                          "ServiceMonitor"])
        rule = next(d for d in everything if d["kind"] == "PrometheusRule")
        if shutil.which("promtool"):
            promtool_rules(self, rule["spec"]["groups"], "helm PrometheusRule")
        # Another UID for the app: CAP_KILL for the sidecar only, and said so.
        other = next(d for d in docs_of(outputs["other UID"]) if d["kind"] == "Deployment")
        containers = {c["name"]: c for c in other["spec"]["template"]["spec"]["containers"]}
        self.assertEqual(containers["hotpod"]["securityContext"]["capabilities"]["add"], ["KILL"])
        self.assertNotIn("add", containers["app"]["securityContext"]["capabilities"])
        self.assertEqual(containers["app"]["securityContext"]["runAsUser"], 10002)


if __name__ == "__main__":
    unittest.main()
