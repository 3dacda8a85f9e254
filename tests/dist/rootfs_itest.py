"""The static hotpod of `make dist` works in a root file system that holds nothing but what
each test puts there: no C library, no loader, no shell unless the test adds busybox.

* `hotpod exec` as PID 1 of a new PID namespace, chrooted into a root that holds only the
  static hotpod, a static C app, /etc/hosts, a /data directory and the /proc mount point: the
  app starts; a new program renamed over it goes live on SIGUSR2 (new PID, new build and
  version logged); the orphans the app double-forks are reaped (orphan_reaped, no zombie);
  SIGTERM stops the app, and hotpod exec exits with the app's status 7. It needs no /tmp and
  no /dev, and not even /proc: the same passes with no /proc in the root. The dynamically
  linked development build, put into the same root, is refused by
  the kernel ("No such file or directory": there is no program interpreter) — so this test
  fails for a hotpod that is not fully static.
* `hotpod run` in a root made of busybox-static and the static hotpod (plus /tmp and the
  project; no /dev): a change is built exactly once (the build numbers of two changes follow each
  other: the build's own output triggers nothing), the app is restarted and shows the new
  content; SIGTERM ends hotpod with 0 and the app is gone. hotpod run needs a writable /tmp
  (or TMPDIR) for its scratch directory: without one it exits and says so.

Needs root (chroot, namespaces); without it the file prints SKIPPED and exits 77.
Host-name resolution without NSS is tests/dist/resolver_itest.py.
"""
import os
import signal
import subprocess
import tempfile
import unittest

from hotpod_harness import (HANG_TIMEOUT, HOTPOD, Hotpod, alive, children_of, namespace_pid,
                            namespace_processes, write)
from rootfs_support import (Root, dist_binary, is_static, read_lines, require_root,
                            wait_until)

# Logs its start (PID, its build, the version read from /data/version.txt) to /data/app.log,
# double-forks an orphan that exits 0.1 s later (PID 1 must reap it), then waits for SIGTERM,
# notes it and exits 7.
APP_C = r"""
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char version[64] = "none";

static void note(const char *what) {
  char line[160];
  int len = snprintf(line, sizeof line, "%s pid=%d build=%s version=%s\n", what,
                     (int)getpid(), BUILD, version);
  int fd = open("/data/app.log", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 || write(fd, line, len) != len) _exit(90);
  close(fd);
}

int main(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigprocmask(SIG_BLOCK, &set, NULL);
  int fd = open("/data/version.txt", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = read(fd, version, sizeof version - 1);
    version[n > 0 ? n : 0] = 0;
    version[strcspn(version, "\n")] = 0;
    close(fd);
  }
  note("start");
  pid_t child = fork();
  if (child == 0) {
    if (fork() == 0) {
      struct timespec pause = {0, 100 * 1000 * 1000};
      nanosleep(&pause, NULL);
      _exit(0);
    }
    _exit(0);  /* the grandchild is orphaned: re-parented to PID 1 */
  }
  waitpid(child, NULL, 0);
  for (;;) {
    int sig;
    if (sigwait(&set, &sig) == 0 && sig == SIGTERM) {
      note("term");
      return 7;
    }
  }
}
"""

UNSHARE_PID = ["unshare", "--pid", "--fork", "--kill-child", "--mount-proc"]


def compile_app(build, out_dir):
    source = os.path.join(out_dir, "app.c")
    write(source, APP_C)
    binary = os.path.join(out_dir, f"app-{build}")
    subprocess.run(["gcc", "-static", "-O1", "-Wall", "-Werror", f'-DBUILD="{build}"', "-o",
                    binary, source], check=True, timeout=HANG_TIMEOUT)
    return binary


class RootTest(unittest.TestCase):
    def setUp(self):
        self.root = Root()
        self.addCleanup(self.root.cleanup)
        self.work = tempfile.mkdtemp(prefix="hotpod-rootfs-work-")
        self.addCleanup(subprocess.run, ["rm", "-rf", self.work])

    def start(self, args, **kw):
        hp = Hotpod(args, self.root.path, **kw)
        self.addCleanup(hp.kill)
        return hp


class ExecWithoutLibrariesTest(RootTest):
    def make_exec_root(self, hotpod_binary, proc=True):
        """/hotpod, /app (static), /etc/hosts, /data and the /proc mount point: nothing else."""
        root = self.root
        root.copy(hotpod_binary, "/hotpod")
        root.copy(compile_app("b1", self.work), "/app")
        root.write("/etc/hosts", "127.0.0.1 localhost\n")
        root.write("/data/version.txt", "v1\n")
        self.top = ["app", "data", "etc", "hotpod"]
        if proc:
            root.mkdir("/proc")
            self.top.append("proc")
        self.assertEqual(root.files(), sorted(self.top + ["data/version.txt", "etc/hosts"]))
        self.app_log = root.host("/data/app.log")

    def app_says(self, line):
        return wait_until(f"app.log to say '{line}'", lambda: line in read_lines(self.app_log),
                          detail=lambda: "\n".join(read_lines(self.app_log)))

    def test_as_pid_1_in_an_empty_root_it_restarts_reaps_and_exits_with_the_app(self):
        self.exec_as_pid_1(proc=True)

    def test_it_needs_no_proc_either(self):
        self.exec_as_pid_1(proc=False)

    def exec_as_pid_1(self, proc):
        self.assertTrue(is_static(dist_binary()))
        self.make_exec_root(dist_binary(), proc)
        unshare = UNSHARE_PID if proc else [a for a in UNSHARE_PID if a != "--mount-proc"]
        hp = self.start(["--log-level", "debug", "--", "/app"], command="exec",
                        wrapper=[*unshare, f"--root={self.root.path}"], binary="/hotpod")
        hp.wait_for("exec_started", pid1=True)
        kids = children_of(hp.pid)  # unshare's one child: hotpod exec, PID 1 inside
        self.assertEqual(len(kids), 1, kids)
        exec_pid = kids[0][0]
        self.assertEqual(namespace_pid(exec_pid), 1, "hotpod exec is not PID 1")
        self.assertEqual(os.readlink(f"/proc/{exec_pid}/root"), self.root.path)
        _, first = hp.wait_for("app_started")
        self.app_says(f"start pid={first['pid']} build=b1 version=v1")

        # A build replaces the program (a new file renamed over it) and its data.
        self.root.copy(compile_app("b2", self.work), "/app")
        self.root.write("/data/version.txt", "v2\n")
        mark = hp.mark()
        # From inside the namespace, as a sidecar that shares it would send it.
        subprocess.run(["nsenter", "--target", str(exec_pid), "--pid", "--",
                        "kill", "-USR2", "1"], check=True, timeout=HANG_TIMEOUT)
        hp.wait_for("restart_requested", after=mark, signal="SIGUSR2", pid=first["pid"])
        _, second = hp.wait_for("app_started", after=mark)
        self.assertNotEqual(second["pid"], first["pid"])
        hp.wait_for("child_restarted", after=mark, pid=second["pid"], old_pid=first["pid"])
        self.app_says(f"start pid={second['pid']} build=b2 version=v2")
        self.assertIn(f"term pid={first['pid']} build=b1 version=v1", read_lines(self.app_log))

        # Each app double-forked an orphan that exited: PID 1 reaped both; no zombie is left,
        # only the new app.
        hp.wait_for("orphan_reaped", total=2)
        app_host_pid = [p for p, _ in children_of(exec_pid) if namespace_pid(p) == second["pid"]]
        self.assertEqual(len(app_host_pid), 1)
        wait_until("only the new app to be left below hotpod exec",
                   lambda: [p for p, _ in namespace_processes(exec_pid)] == app_host_pid,
                   detail=lambda: repr(namespace_processes(exec_pid)))
        self.assertNotEqual(namespace_processes(exec_pid)[0][1], "Z")

        # The runtime stops the container: the app gets SIGTERM, hotpod exec exits with its 7.
        os.kill(exec_pid, signal.SIGTERM)
        self.assertEqual(hp.proc.wait(HANG_TIMEOUT), 7, hp.log_tail())
        hp.wait_for("exec_exiting", exit_code=7)
        self.assertIn(f"term pid={second['pid']} build=b2 version=v2", read_lines(self.app_log))
        self.assertEqual(hp.count("app_started"), 2)
        # It left nothing behind in the root: no /tmp, no state, nothing.
        self.assertEqual(sorted(os.listdir(self.root.path)), sorted(self.top))

    def test_the_dynamic_development_build_does_not_even_start_there(self):
        self.assertFalse(is_static(HOTPOD), f"{HOTPOD} is static: this check proves nothing")
        self.make_exec_root(HOTPOD)
        result = subprocess.run(
            [*UNSHARE_PID, f"--root={self.root.path}", "/hotpod", "exec", "--", "/app"],
            capture_output=True, text=True, timeout=HANG_TIMEOUT)
        self.assertNotEqual(result.returncode, 0)
        # The kernel finds no program interpreter (ld-linux) in the root.
        self.assertIn("No such file or directory", result.stderr)
        self.assertEqual(read_lines(self.app_log), [], "the app started")


RUN_CONFIG = """watch:
  include_ext: [txt]
  exclude: [served.txt]
build:
  cmd: cp version.txt served.txt
run:
  cmd: sh -c 'cat served.txt; exec sleep 1000'
"""


class RunInBusyboxRootTest(RootTest):
    def make_busybox_root(self, tmp=True):
        root = self.root
        root.add_busybox()
        root.copy(dist_binary(), "/bin/hotpod")
        if tmp:
            root.mkdir("/tmp", 0o1777)
        root.write("/app/hotpod.yaml", RUN_CONFIG)
        root.write("/app/version.txt", "v1\n")
        everything = {path.split("/")[0] for path in root.files()}
        self.assertEqual(everything, {"bin", "app", *(["tmp"] if tmp else [])})
        programs = [name for name in os.listdir(root.host("/bin"))
                    if not os.path.islink(root.host(f"/bin/{name}"))]
        self.assertEqual(sorted(programs), ["busybox", "hotpod"])  # the rest: applet links

    def run_in_root(self):
        return ["unshare", "--mount", f"--root={self.root.path}", "--wd=/app"]

    def test_a_change_is_built_once_and_the_app_restarted_with_it(self):
        self.make_busybox_root()
        hp = self.start([], wrapper=self.run_in_root(), binary="/bin/hotpod")
        hp.wait_for("build_finished", result="success")
        _, first = hp.wait_for("app_started")
        hp.wait_for("output", source="app", msg="v1")

        mark = hp.mark()
        self.root.write("/app/version.txt", "v2\n")
        _, built = hp.wait_for("build_finished", after=mark, result="success")
        self.assertEqual(built["build"], 2, hp.log_tail())  # the start-up build was #1
        _, second = hp.wait_for("app_started", after=mark)
        hp.wait_for("output", after=mark, source="app", msg="v2")
        self.assertNotEqual(second["pid"], first["pid"])
        self.assertFalse(alive(first["pid"]), "the old app survived")

        # The next change is the very next build: the build's own output (served.txt)
        # started none in between.
        mark = hp.mark()
        self.root.write("/app/version.txt", "v3\n")
        _, next_build = hp.wait_for("build_finished", after=mark, result="success")
        self.assertEqual(next_build["build"], built["build"] + 1, hp.log_tail())
        _, third = hp.wait_for("app_started", after=mark)
        hp.wait_for("output", after=mark, source="app", msg="v3")

        self.assertEqual(hp.stop(), 0, hp.log_tail())
        self.assertFalse(alive(third["pid"]), "the app outlived hotpod")
        self.assertEqual(hp.count("build_started"), 3, hp.log_tail())

    def test_hotpod_healthcheck_works_there_and_busybox_wget_does_not(self):
        """The image's HEALTHCHECK is `hotpod healthcheck`: in a root without glibc's NSS
        modules it answers; busybox-static's wget, the obvious alternative, crashes there."""
        self.make_busybox_root()
        hp = self.start([], wrapper=self.run_in_root(), binary="/bin/hotpod")
        hp.wait_for("app_started")
        url = f"http://127.0.0.1:{hp.http_port()}/healthz"
        check = subprocess.run([*self.run_in_root(), "/bin/hotpod", "healthcheck", url],
                               capture_output=True, text=True, timeout=HANG_TIMEOUT)
        self.assertEqual(check.returncode, 0, check.stderr)
        wget = subprocess.run([*self.run_in_root(), "/bin/wget", "-q", "-O", "-", url],
                              capture_output=True, text=True, timeout=HANG_TIMEOUT)
        print(f"busybox wget in the same root: exit {wget.returncode} {wget.stderr.strip()!r}")
        closed = subprocess.run([*self.run_in_root(), "/bin/hotpod", "healthcheck",
                                 "--timeout", "1s", "http://127.0.0.1:1/healthz"],
                                capture_output=True, text=True, timeout=HANG_TIMEOUT)
        self.assertEqual(closed.returncode, 1)
        self.assertIn("http://127.0.0.1:1/healthz", closed.stderr)
        self.assertEqual(hp.stop(), 0, hp.log_tail())

    def test_without_a_writable_tmp_hotpod_run_says_what_to_do(self):
        self.make_busybox_root(tmp=False)
        hp = self.start([], wrapper=self.run_in_root(), binary="/bin/hotpod")
        self.assertNotEqual(hp.proc.wait(HANG_TIMEOUT), 0)
        hp.stop()
        self.assertIn("make TMPDIR (or /tmp) writable", hp.log_tail())


if __name__ == "__main__":
    require_root("unshare", "nsenter", "gcc", "readelf", "/bin/busybox")
    unittest.main()
