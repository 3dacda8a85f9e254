"""A pod without a cluster, for hotpod agent's integration tests.

A "pod" is a PID namespace made with `unshare --pid --fork --mount-proc`. Its PID 1 is a pause
process (Kubernetes with shareProcessNamespace: true) or hotpod exec itself (docker-compose with
pid: "service:app"). Each "container" gets its own mount namespace (`unshare --mount
--propagation private`, entered with nsenter), in which one source volume is bind-mounted at
/srv (a mount point that exists on the host; in a real image it would be /src). The test reaches
the apps over loopback: the network namespace is shared.

PodTest starts pods and containers and tears every one down with the namespace (SIGKILL to PID 1
kills everything in it). Timeouts only catch hangs."""
import os
import shutil
import signal
import subprocess
import tempfile
import time

from hotpod_harness import (HANG_TIMEOUT, Hotpod, TempTree, can_unshare_pid, children_of,
                            free_port, http_get, namespace_pid, record_ns, skip, write)

VOLUME_MOUNT = "/srv"
UNSHARE_POD = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"]
# A container: its own mount namespace with the volume ("$0") bound at /srv, working there.
CONTAINER_SCRIPT = f'mount --bind "$0" {VOLUME_MOUNT} && cd {VOLUME_MOUNT} && exec "$@"'
BUILD = "g++ -O0 -o bin/app.new main.cpp && mv bin/app.new bin/app"

# The pod's pause process: PID 1 of the namespace, reaps orphans, does nothing else.
PAUSE_C = r"""
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
static void reap(int s) { (void)s; while (waitpid(-1, 0, WNOHANG) > 0) {} }
static void quit(int s) { (void)s; _exit(0); }
int main(void) {
  signal(SIGCHLD, reap); signal(SIGTERM, quit); signal(SIGINT, quit);
  for (;;) pause();
}
"""

# The app: answers every HTTP request with its version. Plain sockets and C headers so that
# g++ builds it in well under a second; it says when it listens.
APP_CPP = r"""
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
static const char kVersion[] = "@VERSION@";
int main() {
  signal(SIGPIPE, SIG_IGN);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(atoi(getenv("PORT")));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (sockaddr*)&addr, sizeof addr) != 0 || listen(fd, 64) != 0) {
    perror("listen");
    return 1;
  }
  printf("listening %s pid %d\n", kVersion, getpid());
  fflush(stdout);
  for (;;) {
    int c = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    char buf[2048];
    (void)!read(c, buf, sizeof buf);
    char out[256];
    int n = snprintf(out, sizeof out,
                     "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s\n",
                     strlen(kVersion) + 1, kVersion);
    (void)!write(c, out, n);
    close(c);
  }
}
"""

# An app that reloads itself: SIGHUP re-reads message.txt, which every answer shows.
RELOAD_APP_PY = r"""
import http.server, os, signal, sys
message = open("message.txt").read().strip()
def reload(signum, frame):
    global message
    message = open("message.txt").read().strip()
    print("reloaded", message, flush=True)
signal.signal(signal.SIGHUP, reload)
class Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (message + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Answer)
print("listening", message, os.getpid(), flush=True)
server.serve_forever(poll_interval=0.05)
"""


def parse_ts(record):
    """A record's ts in seconds since the epoch, as time.time() gives them."""
    return record_ns(record) / 1e9


def answer(port):
    """The app's answer, or None while nothing listens."""
    try:
        return http_get(f"http://127.0.0.1:{port}/", timeout=2)[1].strip()
    except OSError:
        return None


def metric(text, name, sum_labels=False):
    """A sample's value from the exposition text (summed over its labels with sum_labels)."""
    total, seen = 0.0, False
    for line in text.splitlines():
        sample, _, value = line.rpartition(" ")
        if sample == name or (sum_labels and sample.startswith(name + "{")):
            total, seen = total + float(value), True
    if not seen:
        raise AssertionError(f"no {name} in the metrics")
    return total


def pid_namespace(host_pid):
    return os.readlink(f"/proc/{host_pid}/ns/pid")


def namespace_members(namespace):
    """(host pid, state) of every process in a PID namespace, read from the host's /proc."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.readlink(f"/proc/{entry}/ns/pid") != namespace:
                continue
            with open(f"/proc/{entry}/stat") as f:
                members.append((int(entry), f.read().rsplit(")", 1)[1].split()[0]))
        except OSError:
            continue  # gone meanwhile
    return members


def only_child(pid):
    deadline = time.monotonic() + HANG_TIMEOUT
    while time.monotonic() < deadline:
        kids = children_of(pid)
        if kids:
            return kids[0][0]
        time.sleep(0.01)  # unshare/nsenter fork at once; this only bridges the fork
    raise AssertionError(f"process {pid} started no child")


class PodTest(TempTree):
    @classmethod
    def setUpClass(cls):
        cls.tools = tempfile.mkdtemp(prefix="hotpod-agent-tools-")
        write(os.path.join(cls.tools, "pause.c"), PAUSE_C)
        # Named "pause" like the pod's real one, whose comm the agent must never signal.
        subprocess.run(["gcc", "-O1", "-o", os.path.join(cls.tools, "pause"),
                        os.path.join(cls.tools, "pause.c")], check=True, timeout=HANG_TIMEOUT)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tools, ignore_errors=True)

    def setUp(self):
        super().setUp()
        os.chmod(self.dir, 0o755)  # other UIDs (the EPERM test) must reach the volume
        self.volume = os.path.join(self.dir, "volume")
        os.makedirs(os.path.join(self.volume, "bin"))
        os.chmod(self.volume, 0o777)
        self.port = str(free_port())
        self.pods = []
        self.bare = []  # containers whose app runs without hotpod
        self.addCleanup(self.tear_down_pods)

    # --- the pod and its containers -----------------------------------------------------

    def start_pause_pod(self):
        """A pod whose PID 1 is the pause process; returns pause's host PID."""
        pod = subprocess.Popen([*UNSHARE_POD, os.path.join(self.tools, "pause")],
                               start_new_session=True)
        self.pods.append(pod)
        return only_child(pod.pid)

    def container(self, holder, *extra):
        """The wrapper that runs a command in `holder`'s pod, in a container of its own."""
        return ["nsenter", "--target", str(holder), "--pid", "--mount", "--",
                "unshare", "--mount", "--propagation", "private",
                "sh", "-c", CONTAINER_SCRIPT, self.volume, *extra]

    def start_in(self, wrapper, args, command, env=None):
        """Starts hotpod in a container; returns the harness and hotpod's host PID."""
        hp = Hotpod(args, self.dir, env={"PORT": self.port, **(env or {})}, command=command,
                    wrapper=wrapper)
        self.hotpods.append(hp)
        return hp, only_child(hp.pid)

    def start_bare(self, holder, argv):
        """Runs an app without hotpod in a container of the pod; returns its host PID."""
        container = subprocess.Popen([*self.container(holder), *argv], cwd=self.dir,
                                     env={**os.environ, "PORT": self.port},
                                     stdout=subprocess.DEVNULL, start_new_session=True)
        self.bare.append(container)
        return only_child(container.pid)

    def start_exec_as_pid1(self):
        """The compose shape: hotpod exec is PID 1 of the namespace."""
        wrapper = [*UNSHARE_POD, "--", "unshare", "--mount", "--propagation", "private",
                   "sh", "-c", CONTAINER_SCRIPT, self.volume]
        hp, exec_pid = self.start_in(wrapper, ["--", f"{VOLUME_MOUNT}/bin/app"], "exec")
        self.pods.append(hp.proc)
        hp.wait_for("exec_started", pid1=True)
        self.assertEqual(namespace_pid(exec_pid), 1)
        return hp, exec_pid

    def tear_down_pods(self):
        # SIGKILL to unshare takes PID 1 down (--kill-child), and the kernel then kills every
        # process of the namespace: nothing outlives the test.
        for pod in self.pods:
            if pod.poll() is None:
                os.kill(pod.pid, signal.SIGKILL)
            pod.wait(HANG_TIMEOUT)
        for container in self.bare:
            container.wait(HANG_TIMEOUT)  # its app died with the namespace
        for hp in self.hotpods:
            hp.kill()

    # --- the app ------------------------------------------------------------------------

    def write_source(self, version):
        write(os.path.join(self.volume, "main.cpp"), APP_CPP.replace("@VERSION@", version))

    def wait_answer(self, expected):
        deadline = time.monotonic() + HANG_TIMEOUT
        while time.monotonic() < deadline:
            if answer(self.port) == expected:
                return
            time.sleep(0.02)
        self.fail(f"the app never answered {expected!r} (last: {answer(self.port)!r})")

    def assert_no_zombies(self, namespace):
        """A zombie counts only if it is still there a moment later (a parent reaps its
        children a little after they exit)."""
        def zombies():
            return {pid for pid, state in namespace_members(namespace) if state == "Z"}
        seen = zombies()
        if seen:
            time.sleep(0.5)
            self.assertEqual(seen & zombies(), set(), namespace_members(namespace))

    # --- the edit cycle both shapes go through -------------------------------------------


def skip_unless_pods_work():
    """Exits SKIPPED (loudly) where pods cannot be made: no root, no unshare, no tools."""
    if os.geteuid() != 0:
        skip("needs root (PID and mount namespaces with unshare and nsenter) " + "!" * 20)
    if not can_unshare_pid():
        skip("needs unshare --pid (util-linux) to make a PID namespace " + "!" * 20)
    for tool in ("nsenter", "setpriv", "g++", "gcc"):
        if not shutil.which(tool):
            skip(f"needs {tool} " + "!" * 20)
