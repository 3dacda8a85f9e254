"""The static hotpod runs both halves of the sidecar pattern in FROM scratch images: `hotpod exec`
as the app container's entrypoint and `hotpod agent` in a sidecar, two podman containers of one
pod that shares its PID namespace (`podman pod create --share pid`), as in a Kubernetes pod with
shareProcessNamespace.

What it proves: with no libc, no loader and no shell in the app image, hotpod exec starts the
app and restarts it on SIGUSR2; with nothing but busybox (sh, wget) and hotpod as `tar` (as in
the Dockerfile's image) in the agent image, the agent finds hotpod exec in the other container by its marker, runs
a shell build, signals it through the shared PID namespace and confirms the restart. An edit of
the source on the host volume → the agent's build copies version.txt into the shared volume →
SIGUSR2 → the old app stops gracefully (SIGTERM, exit 7) → a new app process prints the new
version. Then a Skaffold-style sync (`podman exec -i agent tar xmf - -C /src --no-same-owner`, a
PAX archive from Python's tarfile) goes through hotpod's own tar, as UID 10001, over a file owned
by root: the file is replaced whole, and the sync is exactly one build (source "sync") and one
restart. Both containers run as UID 10001 with every capability dropped and a read-only root, and
neither container restarts.

The images are built by this test, offline (FROM scratch needs no registry), from a context dir
it makes: the app image is dist/'s static hotpod + a static C app (gcc -static) + a passwd; the
agent image is the static hotpod + Debian's busybox-static + a passwd, the files of the project's
image (tests/containers/image_itest.py builds that one with docker). Podman runs with its own
storage, runc and cgroupfs (container_support.Podman). The pod and its containers have no network
(`--network none`): nothing here needs one, and no bridge or firewall rule is made.

What it costs: about 20 s (two `podman build`s of a few MB, the pod's catatonit pause image the
first time, one build and restart); needs root, podman, runc, gcc with a static libc and
/bin/busybox from busybox-static. Everything it creates (pod, containers, its two images, temp
dirs) is removed at the end; podman's own pause image (localhost/podman-pause, which podman
builds for the first pod of a storage) stays, as kube_play_itest.py uses it too.
"""
import glob
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
import unittest

from container_support import Podman, links, log, require, run
from hotpod_harness import DIST_DIR, skip, wait_until

APP_IMAGE = "localhost/hotpod-scratch-app:test"
AGENT_IMAGE = "localhost/hotpod-scratch-agent:test"
POD = "hotpod-scratch-pod"
UID = 10001
WAIT = 120  # seconds; only to turn a hang into a failure

# Reads its version from the shared volume once, at start; says it (stdout: the container log)
# and records it with its PID in /shared/served.txt; SIGTERM ends it with status 7. SIGTERM is
# blocked outside sigsuspend, so it cannot slip in between the check and the wait.
APP_C = r"""
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t terminated;
static void on_term(int sig) { (void)sig; terminated = 1; }

int main(void) {
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigprocmask(SIG_BLOCK, &term, &old);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  char version[128] = "";
  FILE *in = fopen("/shared/version.txt", "r");
  if (!in) { perror("app: /shared/version.txt"); return 3; }
  if (!fgets(version, sizeof version, in)) version[0] = 0;
  fclose(in);
  version[strcspn(version, "\n")] = 0;
  printf("app %s started, pid %d\n", version, (int)getpid());
  fflush(stdout);
  FILE *out = fopen("/shared/.served.tmp", "w");
  if (!out) { perror("app: /shared/.served.tmp"); return 3; }
  fprintf(out, "%s %d\n", version, (int)getpid());
  fclose(out);
  rename("/shared/.served.tmp", "/shared/served.txt");
  while (!terminated) sigsuspend(&old);
  printf("app %s stopping on SIGTERM, pid %d\n", version, (int)getpid());
  fflush(stdout);
  return 7;
}
"""

PASSWD = f"root:x:0:0:root:/root:/sbin/nologin\nhotpod:x:{UID}:{UID}:hotpod:/:/sbin/nologin\n"
GROUP = f"root:x:0:\nhotpod:x:{UID}:\n"

APP_CONTAINERFILE = f"""FROM scratch
COPY passwd group /etc/
COPY hotpod /usr/local/bin/hotpod
COPY app /app
USER {UID}:{UID}
ENTRYPOINT ["/usr/local/bin/hotpod", "exec", "--log-format", "json", \
"--state-file", "/shared/exec.json", "--", "/app"]
"""

AGENT_CONTAINERFILE = f"""FROM scratch
COPY passwd group /etc/
COPY hotpod /usr/local/bin/hotpod
COPY bin/ /bin/
ENV PATH=/usr/local/bin:/bin
USER {UID}:{UID}
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/hotpod", "agent", "--log-format", "json"]
"""

# The agent's config, in the watched source volume. The build is a busybox shell command; the
# shared volume is not watched, so the copy does not trigger another build.
HOTPOD_YAML = """watch:
  include_ext: [txt]
build:
  cmd: cp version.txt /shared/.version.new && mv /shared/.version.new /shared/version.txt
"""


def dist_binary():
    found = glob.glob(os.path.join(DIST_DIR, "hotpod-*-linux-amd64"))
    if len(found) != 1:
        raise AssertionError(f"expected one {DIST_DIR}/hotpod-*-linux-amd64, found {found}: "
                             "run `make dist` (make test does)")
    return found[0]


def records(text):
    """The JSON log records in a container's log, in order; other lines are skipped."""
    out = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            out.append(record)
    return out


class ScratchPodTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require("podman", "runc", "gcc", "/bin/busybox")
        if "statically linked" not in _file_description("/bin/busybox"):
            skip("/bin/busybox is not static: install busybox-static")

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="hotpod-scratch-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.hotpod = dist_binary()
        self.p = Podman(self)  # its cleanup removes every pod and container of its storage
        for image in (APP_IMAGE, AGENT_IMAGE):
            self.addCleanup(self.p.podman, "rmi", "-f", image, check=False, quiet=True)

    def context(self, name, containerfile):
        ctx = os.path.join(self.tmp, name)
        os.makedirs(ctx)
        for file_name, text in (("passwd", PASSWD), ("group", GROUP),
                                ("Containerfile", containerfile)):
            with open(os.path.join(ctx, file_name), "w") as f:
                f.write(text)
        shutil.copy(self.hotpod, os.path.join(ctx, "hotpod"))
        return ctx

    def build_images(self):
        app_ctx = self.context("app-image", APP_CONTAINERFILE)
        with open(os.path.join(self.tmp, "app.c"), "w") as f:
            f.write(APP_C)
        run(["gcc", "-static", "-O2", "-o", os.path.join(app_ctx, "app"),
             os.path.join(self.tmp, "app.c")])
        agent_ctx = self.context("agent-image", AGENT_CONTAINERFILE)
        os.makedirs(os.path.join(agent_ctx, "bin"))
        shutil.copy("/bin/busybox", os.path.join(agent_ctx, "bin", "busybox"))
        for tool in ("sh", "wget"):  # the image's sh, and wget for the test to read /v1/status
            os.symlink("busybox", os.path.join(agent_ctx, "bin", tool))
        os.symlink("/usr/local/bin/hotpod", os.path.join(agent_ctx, "bin", "tar"))  # hotpod's tar
        for tag, ctx in ((APP_IMAGE, app_ctx), (AGENT_IMAGE, agent_ctx)):
            self.p.podman("build", "--network", "none", "-t", tag, ctx, timeout=300)
            size = json.loads(self.p.podman("image", "inspect", tag, quiet=True).stdout)[0]["Size"]
            log(f"{tag}: {size / 2**20:.1f} MB")
            # The static hotpod and at most busybox or the app: no distribution underneath.
            self.assertLess(size, os.path.getsize(self.hotpod) + 4 * 2**20, tag)

    def volume(self, name):
        path = os.path.join(self.tmp, name)
        os.makedirs(path)
        os.chown(path, UID, UID)
        return path

    def write_as_user(self, path, text):
        """Like an editor of the mounted source tree: a new file renamed over the old one."""
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.chown(path + ".tmp", UID, UID)
        os.rename(path + ".tmp", path)

    def logs(self, container):
        """The container's log, stdout and stderr in the order they were written (record
        indices stay stable between two reads)."""
        return subprocess.run(["podman", "--root", self.p.root, "--runroot", self.p.runroot,
                               "logs", container], env=self.p.env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=60).stdout

    def all_logs(self):
        return "\n".join(f"--- {c}\n{self.logs(c)[-4000:]}" for c in ("app", "agent"))

    def agent_event(self, event, after=0, **fields):
        """The first agent record from index after on with this event and these fields."""
        found = [r for r in records(self.logs("agent"))[after:] if r.get("event") == event
                 and all(r.get(k) == v for k, v in fields.items())]
        return found[0] if found else None

    def wait_agent(self, event, after=0, **fields):
        def probe():
            found = self.agent_event(event, after, **fields)
            if not found:
                self.assert_running()
            return found
        return wait_until(f"agent event {event} {fields}", probe, detail=self.all_logs)

    def assert_running(self):
        """Fails at once, with both logs, when a container has exited (e.g. its binary cannot
        run in a FROM scratch image: "exec …: no such file or directory")."""
        states = self.p.podman("inspect", "--format", "{{.Name}} {{.State.Status}}", "app",
                               "agent", check=False, quiet=True).stdout.split("\n")
        stopped = [line for line in states if line and not line.endswith(" running")]
        if stopped:
            raise AssertionError(f"container(s) not running: {stopped}\n{self.all_logs()}")

    def served(self, shared):
        try:
            with open(os.path.join(shared, "served.txt")) as f:
                version, pid = f.read().split()
                return version, int(pid)
        except (OSError, ValueError):
            return None

    def test_agent_rebuilds_and_restarts_the_app_in_the_other_scratch_container(self):
        self.build_images()
        src, shared = self.volume("src"), self.volume("shared")
        self.write_as_user(os.path.join(src, "hotpod.yaml"), HOTPOD_YAML)
        self.write_as_user(os.path.join(src, "version.txt"), "v1\n")

        # The pod: one PID namespace (PID 1 is podman's catatonit), nothing else shared.
        self.p.podman("pod", "create", "--name", POD, "--share", "pid", "--network", "none",
                      timeout=300)
        pod = json.loads(self.p.podman("pod", "inspect", POD, quiet=True).stdout)
        pod = pod[0] if isinstance(pod, list) else pod
        self.assertIn("pid", pod.get("SharedNamespaces", []))
        # --share pid alone leaves each container its own network: none, for each of them.
        hardening = ["--network", "none", "--read-only", "--cap-drop", "all",
                     "--security-opt", "no-new-privileges"]
        self.p.podman("run", "-d", "--pod", POD, "--name", "app", *hardening,
                      "-v", f"{shared}:/shared", APP_IMAGE, timeout=120)
        started = time.monotonic()
        self.p.podman("run", "-d", "--pod", POD, "--name", "agent", *hardening,
                      "-v", f"{src}:/src", "-v", f"{shared}:/shared", AGENT_IMAGE, timeout=120)

        # The agent finds hotpod exec across the containers, builds #1 and restarts the app on it.
        found = self.wait_agent("target_found")
        self.assertEqual(found["comm"], "hotpod-exec")
        self.wait_agent("build_finished", build=1, result="success")
        first = self.wait_agent("restart_confirmed")
        log(f"agent up → first build and restart confirmed: {time.monotonic() - started:.2f} s")
        v1 = wait_until("v1 served by the confirmed app",
                        lambda: (s := self.served(shared)) and s == ("v1", first["pid"]) and s,
                        detail=self.all_logs)
        app_before = json.loads(self.p.podman("inspect", "app", quiet=True).stdout)[0]
        exec_before = self.exec_state(shared)

        # The edit on the host's source volume.
        after = len(records(self.logs("agent")))
        edited = time.monotonic()
        self.write_as_user(os.path.join(src, "version.txt"), "v2\n")
        build = self.wait_agent("build_finished", after, result="success")
        self.assertGreater(build["build"], 1)
        signalled = self.wait_agent("peer_signalled", after)
        self.assertEqual(signalled["signal"], "SIGUSR2")
        self.assertEqual(signalled["app_pid"], v1[1])
        confirmed = self.wait_agent("restart_confirmed", after)
        self.assertEqual(confirmed["old_pid"], v1[1])
        v2 = wait_until("v2 served by a new app process",
                        lambda: (s := self.served(shared)) and s[0] == "v2" and s,
                        detail=self.all_logs)
        log(f"MEASURED scratch pod: edit → new app serving v2: {time.monotonic() - edited:.2f} s")
        self.assertEqual(v2[1], confirmed["pid"])
        self.assertNotEqual(v2[1], v1[1])

        # The old app was stopped gracefully (SIGTERM, its own exit 7), not killed.
        app_log = self.logs("app")
        self.assertIn(f"app v1 stopping on SIGTERM, pid {v1[1]}", app_log)
        self.assertIn(f"app v2 started, pid {v2[1]}", app_log)
        exec_after = self.exec_state(shared)
        self.assertEqual(exec_after["child_pid"], v2[1])
        self.assertEqual(exec_after["state"], "running")
        self.assertEqual(exec_after["last_exit_code"], 7, exec_after)
        self.assertGreater(exec_after["restarts"], exec_before["restarts"])
        # hotpod exec's own events, in the app container's log.
        restarted = [r for r in records(app_log) if r.get("event") == "child_restarted"]
        self.assertIn((v1[1], v2[1]), [(r["old_pid"], r["pid"]) for r in restarted])

        # The agent's HTTP surface, read with busybox wget inside the agent container.
        status = wait_until("the agent's /v1/status naming the new app",
                            lambda: (st := self.agent_status()) and st["app"]["pid"] == v2[1]
                            and st, detail=self.all_logs)
        self.assertEqual(status["mode"], "agent")
        self.assertTrue(status["app"]["running"], status)
        self.assertEqual(status["counts"]["builds_failed"], 0, status)

        # Only the app process was replaced: the app container never restarted.
        app_after = json.loads(self.p.podman("inspect", "app", quiet=True).stdout)[0]
        self.assertEqual(app_after["State"]["Status"], "running")
        self.assertEqual(app_after["RestartCount"], 0)
        self.assertEqual(app_after["State"]["StartedAt"], app_before["State"]["StartedAt"])
        self.assertEqual(app_after["State"]["Pid"], app_before["State"]["Pid"])
        self.assertEqual(links() - self.p.links_before, set(), "a network link was made")

        # A sync through hotpod's tar, over a file another UID owns: one build, one restart.
        os.chown(os.path.join(src, "version.txt"), 0, 0)
        stream = io.BytesIO()
        with tarfile.open(fileobj=stream, mode="w", format=tarfile.PAX_FORMAT) as archive:
            info = tarfile.TarInfo("version.txt")
            info.size, info.mode, info.uid = 3, 0o644, 4242
            archive.addfile(info, io.BytesIO(b"v3\n"))
        after = len(records(self.logs("agent")))
        synced = time.monotonic()
        proc = subprocess.run([*self.p.argv("exec", "-i", "agent", "tar", "xmf", "-", "-C", "/src",
                                            "--no-same-owner")], input=stream.getvalue(),
                              capture_output=True, env=self.p.env, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        changes = self.wait_agent("changes", after, source="sync")
        self.assertEqual(changes["files"], "version.txt")
        v3 = wait_until("v3 served after the sync",
                        lambda: (s := self.served(shared)) and s[0] == "v3" and s,
                        detail=self.all_logs)
        log(f"MEASURED scratch pod: tar sync → new app serving v3: {time.monotonic() - synced:.2f} s")
        self.assertEqual(os.stat(os.path.join(src, "version.txt")).st_uid, UID)
        builds = [r for r in records(self.logs("agent"))[after:] if r.get("event") == "build_started"]
        self.assertEqual(len(builds), 1, self.all_logs())
        self.assertNotEqual(v3[1], v2[1])

    def agent_status(self):
        proc = self.p.podman("exec", "agent", "wget", "-q", "-O", "-",
                             "http://127.0.0.1:4687/v1/status", check=False, quiet=True)
        return json.loads(proc.stdout) if proc.returncode == 0 else None

    def exec_state(self, shared):
        with open(os.path.join(shared, "exec.json")) as f:
            return json.load(f)


def _file_description(path):
    return subprocess.run(["file", "-b", "-L", path], capture_output=True, text=True).stdout


if __name__ == "__main__":
    unittest.main()
