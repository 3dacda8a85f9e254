"""Real container engines for the tests in tests/containers/: a private dockerd, podman with its
own storage, the offline base image, and the project's images.

Everything here runs the Debian packages that scripts/install-deps.sh installs. Caches live in
HOTPOD_TEST_CACHE (default /var/cache/hotpod-test), outside any checkout, so that a fresh clone or
a new build directory reuses them:

  base/      the debootstrap tarball of debian:bookworm-slim (scripts/base-image.sh)
  docker/    dockerd's data root: its layer cache keeps the compile stage of the Dockerfile
  podman/    podman's storage: the images loaded from dockerd, the pause image
  npm/       kubernetes-models and friends for the manifest validation

Each daemon a test starts is stopped by its PID (addCleanup), and the network state it made
(bridges, iptables chains) is removed. A lock per cache keeps two test files from sharing a
daemon's data root at the same time.
"""
import fcntl
import glob
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

from hotpod_harness import SOURCE_DIR, skip

CACHE = os.environ.get("HOTPOD_TEST_CACHE", "/var/cache/hotpod-test")
HOTPOD_IMAGE = "hotpod:dev"
GIN_IMAGE = "hotpod-gin-dev:dev"
BASE_IMAGE = "debian:bookworm-slim"
# Debian's docker CLI: it matches Debian's dockerd (a newer CLI elsewhere on PATH may not).
DOCKER = "/usr/bin/docker" if os.path.exists("/usr/bin/docker") else shutil.which("docker")
WAIT = 120  # seconds; only to turn a hang into a failure


def agent_in_source():
    """Whether this checkout's CLI has `hotpod agent` (the sidecar, issue 4): the built binary
    (HOTPOD_BIN) says so, or the CLI source declares the subcommand."""
    binary = os.environ.get("HOTPOD_BIN")
    if binary and os.access(binary, os.X_OK):
        if subprocess.run([binary, "agent", "--help"], capture_output=True,
                          timeout=30).returncode == 0:
            return True
    cli = os.path.join(SOURCE_DIR, "agent", "src", "cli")
    for name in os.listdir(cli):
        with open(os.path.join(cli, name), errors="replace") as f:
            if re.search(r'add_subcommand\(\s*"agent"', f.read()):
                return True
    return False


def log(msg):
    print(f"[containers] {msg}", flush=True)


def require(*tools, root=True):
    """SKIPPED (exit 77) unless we are root and every tool is installed."""
    if root and os.geteuid() != 0:
        skip("needs root (a private dockerd, podman with its own storage, debootstrap)")
    missing = [t for t in tools if not shutil.which(t) and not os.path.exists(t)]
    if missing:
        skip(f"missing {', '.join(missing)} (scripts/install-deps.sh installs them)")
    if not os.path.isdir("/sys/fs/cgroup") or not os.listdir("/sys/fs/cgroup"):
        skip("no cgroup filesystem: containers cannot run here")


def run(argv, env=None, timeout=600, check=True, input=None, quiet=False):
    """Runs a command; on failure, the assertion carries its output."""
    started = time.monotonic()
    proc = subprocess.run(argv, env=env, input=input, capture_output=True, text=True,
                          timeout=timeout)
    if not quiet:
        log(f"{' '.join(argv[:6])}{' …' if len(argv) > 6 else ''} → {proc.returncode} "
            f"({time.monotonic() - started:.1f} s)")
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} exited {proc.returncode}:\n"
                             f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc


class Lock:
    """An exclusive flock on CACHE/NAME.lock, held until release()."""

    def __init__(self, name):
        os.makedirs(CACHE, exist_ok=True)
        self.file = open(os.path.join(CACHE, name + ".lock"), "w")
        fcntl.flock(self.file, fcntl.LOCK_EX)

    def release(self):
        self.file.close()


def links():
    return set(os.listdir("/sys/class/net"))


def iptables_chains():
    """{(table, chain)} of user chains, for both iptables flavours that are present."""
    chains = set()
    for table in ("filter", "nat"):
        proc = subprocess.run(["iptables", "-t", table, "-S"], capture_output=True, text=True)
        for line in proc.stdout.splitlines():
            if line.startswith("-N "):
                chains.add((table, line.split()[1]))
    return chains


def remove_iptables_chains(chains):
    """Deletes user chains (and every rule that jumps to them) that a daemon left behind."""
    for table in {t for t, _ in chains}:
        names = {c for t, c in chains if t == table}
        rules = subprocess.run(["iptables", "-t", table, "-S"], capture_output=True,
                               text=True).stdout.splitlines()
        for rule in rules:
            parts = shlex.split(rule)
            if parts[0] == "-A" and "-j" in parts and parts[parts.index("-j") + 1] in names \
                    and parts[1] not in names:
                subprocess.run(["iptables", "-t", table, "-D", *parts[1:]], capture_output=True)
        for name in names:
            subprocess.run(["iptables", "-t", table, "-F", name], capture_output=True)
        for name in names:
            subprocess.run(["iptables", "-t", table, "-X", name], capture_output=True)


def unmount_below(path):
    """Unmounts everything mounted at or below path (deepest first), then removes path."""
    path = os.path.realpath(path)
    with open("/proc/self/mounts") as f:
        points = [line.split()[1].replace("\\040", " ") for line in f]
    for point in sorted({p for p in points if p == path or p.startswith(path + "/")},
                        key=len, reverse=True):
        subprocess.run(["umount", "-l", point], capture_output=True)
    shutil.rmtree(path, ignore_errors=True)
    if os.path.exists(path):
        log(f"could not remove {path}")


def remove_links(names):
    for name in sorted(names):
        subprocess.run(["ip", "link", "delete", name], capture_output=True)


class Dockerd:
    """A private dockerd: persistent data root in the cache, everything else in a temp dir.

    --iptables=false, --ip-masq=false, --bridge=none: it changes no firewall rule and makes no
    docker0. Builds use `--network host` (apt-get reaches the mirror); containers of a compose
    project get their own bridge (removed by `down`), and published ports go through
    docker-proxy on 127.0.0.1, which needs no NAT rule.
    """

    def __init__(self, test: unittest.TestCase):
        self.lock = Lock("docker")
        test.addCleanup(self.lock.release)
        self.data_root = os.path.join(CACHE, "docker", "data")
        os.makedirs(self.data_root, exist_ok=True)
        # Short: unix socket paths are limited to 108 bytes, containerd's live below exec-root.
        self.exec_root = tempfile.mkdtemp(prefix="hpd-", dir="/run")
        self.sock = os.path.join(self.exec_root, "docker.sock")
        self.links_before = links()
        self.chains_before = iptables_chains()
        self.log_path = os.path.join(CACHE, "docker", "dockerd.log")
        self.log_file = open(self.log_path, "w")
        argv = ["dockerd", "--data-root", self.data_root, "--exec-root", self.exec_root,
                "-H", "unix://" + self.sock, "--pidfile", os.path.join(self.exec_root, "pid"),
                "--iptables=false", "--ip-masq=false", "--bridge=none",
                "--containerd-namespace", "hotpod-test", "--containerd-plugins-namespace",
                "hotpod-test-plugins"]
        started = time.monotonic()
        self.proc = subprocess.Popen(argv, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        test.addCleanup(self.stop)
        self.env = dict(os.environ, DOCKER_HOST="unix://" + self.sock,
                        DOCKER_BUILDKIT="0", COMPOSE_DOCKER_CLI_BUILD="0")
        self.env.pop("DOCKER_CONTEXT", None)
        deadline = time.monotonic() + WAIT
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"dockerd exited {self.proc.returncode}:\n{self.log_tail()}")
            if self._ping():
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"dockerd did not answer within {WAIT}s:\n{self.log_tail()}")
            time.sleep(0.2)  # polling the socket for an answer, bounded by WAIT
        log(f"dockerd pid {self.proc.pid} up in {time.monotonic() - started:.1f} s "
            f"(data root {self.data_root})")

    def _ping(self):
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(2)
                s.connect(self.sock)
                s.sendall(b"GET /_ping HTTP/1.0\r\n\r\n")
                return b" 200 " in s.recv(256)
        except OSError:
            return False

    def log_tail(self, n=40):
        with open(self.log_path) as f:
            return "".join(f.readlines()[-n:])

    def docker(self, *args, **kw):
        return run([DOCKER, *args], env=self.env, **kw)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log_file.close()
        # containerd-shim processes of containers still running would keep mounts: there are
        # none (every test removes its containers), but make sure nothing below exec-root stays.
        unmount_below(self.exec_root)  # e.g. the nsfs mount netns/default
        new_links = {l for l in links() - self.links_before
                     if l.startswith(("br-", "docker", "veth"))}
        if new_links:
            log(f"removing links dockerd left: {sorted(new_links)}")
            remove_links(new_links)
        new_chains = iptables_chains() - self.chains_before
        if new_chains:
            log(f"removing iptables chains dockerd left: {sorted(new_chains)}")
            remove_iptables_chains(new_chains)

    # -- images -------------------------------------------------------------------------------

    def has_image(self, ref):
        return self.docker("image", "inspect", ref, check=False, quiet=True).returncode == 0

    def image_id(self, ref):
        return self.docker("image", "inspect", "--format", "{{.Id}}", ref).stdout.strip()

    def ensure_base_image(self):
        if self.has_image(BASE_IMAGE):
            return 0.0
        started = time.monotonic()
        run(["bash", os.path.join(SOURCE_DIR, "scripts", "base-image.sh"), "--import", "docker"],
            env=self.env, timeout=1200)
        took = time.monotonic() - started
        log(f"base image {BASE_IMAGE} imported in {took:.1f} s")
        return took

    def build(self, tag, context, dockerfile=None, build_args=(), target=None, timeout=3600):
        """docker build with the host network (no NAT here); returns the seconds it took."""
        argv = ["build", "--network", "host", "-t", tag]
        if target:
            argv += ["--target", target]
        if dockerfile:
            argv += ["-f", dockerfile]
        for arg in build_args:
            argv += ["--build-arg", arg]
        started = time.monotonic()
        proc = self.docker(*argv, context, timeout=timeout)
        took = time.monotonic() - started
        cached = proc.stdout.count("Using cache")
        log(f"built {tag} in {took:.1f} s ({cached} cached steps)")
        return took

    def ensure_project_images(self):
        """The base image, hotpod:dev (the Dockerfile) and hotpod-gin-dev:dev; {name: seconds}."""
        times = {"base": self.ensure_base_image()}
        # The image holds the static binary of `make dist` (make test makes it first).
        if not glob.glob(os.path.join(SOURCE_DIR, "dist", "hotpod-*-linux-amd64")):
            raise AssertionError(
                f"no static hotpod in {SOURCE_DIR}/dist: run `make dist` (make test does)")
        times[HOTPOD_IMAGE] = self.build(HOTPOD_IMAGE, SOURCE_DIR)
        gin = os.path.join(SOURCE_DIR, "examples", "gin-app")
        times[GIN_IMAGE] = self.build(GIN_IMAGE, gin, os.path.join(gin, "Dockerfile.dev"),
                                      [f"HOTPOD_IMAGE={HOTPOD_IMAGE}"])
        self.docker("image", "prune", "-f", quiet=True)  # dangling images of older sources
        return times


class Podman:
    """podman with its own storage (persistent, in the cache), run root and containers.conf.

    The recipe for this machine: runc instead of crun, explicit ulimits, cgroupfs (no systemd).
    """

    def __init__(self, test: unittest.TestCase):
        self.lock = Lock("podman")
        test.addCleanup(self.lock.release)
        self.root = os.path.join(CACHE, "podman", "storage")
        os.makedirs(self.root, exist_ok=True)
        # Fixed paths: podman's database in the storage remembers its run root and temp dir
        # and refuses others. The lock above makes them ours for the duration.
        self.tmp = "/run/hotpod-test-podman"
        unmount_below(self.tmp)  # what a killed earlier run may have left
        os.makedirs(self.tmp)
        self.runroot = os.path.join(self.tmp, "runroot")
        conf = os.path.join(self.tmp, "containers.conf")
        with open(conf, "w") as f:
            f.write('[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n'
                    '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n'
                    'events_logger = "file"\n'
                    f'events_logfile_path = "{self.tmp}/events.log"\n'
                    f'tmp_dir = "{self.tmp}/libpod"\n')
        self.env = dict(os.environ, CONTAINERS_CONF=conf)
        self.links_before = links()
        self.chains_before = iptables_chains()
        self.networks_before = self.networks()
        test.addCleanup(self.cleanup)

    def networks(self):
        proc = self.podman("network", "ls", "--format", "{{.Name}}", check=False, quiet=True)
        return set(proc.stdout.split())

    def argv(self, *args):
        """The podman command line with this storage, for a caller that runs it itself (binary
        stdin, say)."""
        return ["podman", "--root", self.root, "--runroot", self.runroot, *args]

    def podman(self, *args, **kw):
        return run(self.argv(*args), env=self.env, **kw)

    def image_id(self, ref):
        proc = self.podman("image", "inspect", "--format", "{{.Id}}", ref, check=False,
                           quiet=True)
        return proc.stdout.strip() if proc.returncode == 0 else None

    def load_from(self, dockerd: Dockerd, *refs):
        """Copies images from dockerd unless podman already has the same image IDs."""
        wanted = [r for r in refs
                  if self.image_id(r) != dockerd.image_id(r).removeprefix("sha256:")]
        if not wanted:
            log(f"podman already has {', '.join(refs)}")
            return 0.0
        started = time.monotonic()
        save = subprocess.Popen([DOCKER, "save", *wanted], env=dockerd.env,
                                stdout=subprocess.PIPE)
        load = subprocess.run(["podman", "--root", self.root, "--runroot", self.runroot,
                               "load"], env=self.env, stdin=save.stdout, capture_output=True,
                              text=True, timeout=600)
        save.stdout.close()
        save.wait(60)
        if save.returncode != 0 or load.returncode != 0:
            raise AssertionError(f"docker save | podman load failed:\n{load.stderr[-3000:]}")
        took = time.monotonic() - started
        log(f"podman load of {', '.join(wanted)}: {took:.1f} s")
        self.podman("image", "prune", "-f", quiet=True, check=False)
        return took

    def cleanup(self):
        # Every pod and container of this storage, then the run root (mounts included).
        self.podman("pod", "rm", "-a", "-f", "-t", "5", check=False, quiet=True)
        self.podman("rm", "-a", "-f", "-t", "5", check=False, quiet=True)
        self.podman("volume", "prune", "-f", check=False, quiet=True)
        # kube play makes the network podman-default-kube-network (a CNI config and a bridge).
        for net in self.networks() - self.networks_before:
            self.podman("network", "rm", "-f", net, check=False, quiet=True)
        unmount_below(self.tmp)
        new_links = {l for l in links() - self.links_before
                     if l.startswith(("cni-podman", "podman", "veth"))}
        if new_links:
            log(f"removing links podman left: {sorted(new_links)}")
            remove_links(new_links)
        new_chains = iptables_chains() - self.chains_before
        if new_chains:
            log(f"removing iptables chains podman left: {sorted(new_chains)}")
            remove_iptables_chains(new_chains)


def wait_http(url, predicate=lambda status, body: status == 200, timeout=WAIT, interval=0.2):
    """Polls url until predicate(status, body) holds; returns (status, body, seconds)."""
    import urllib.error
    import urllib.request
    started = time.monotonic()
    last = None
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                last = (r.status, r.read().decode(errors="replace"))
        except urllib.error.HTTPError as e:
            last = (e.code, e.read().decode(errors="replace"))
        except OSError as e:
            last = (None, str(e))
        if predicate(*last):
            return last[0], last[1], time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{url}: no expected answer within {timeout}s; last: {last}")
        time.sleep(interval)  # polling an HTTP endpoint for its answer, bounded by timeout


def copy_tree(src, dst, ignore=(".hotpod",)):
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(*ignore))
    return dst
