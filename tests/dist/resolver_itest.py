"""The static hotpod resolves host names without glibc's NSS modules: its libcurl asks c-ares,
which reads the root's own /etc/hosts and /etc/resolv.conf.

The test makes a network namespace of its own (loopback only) and runs there a real DNS server
(dnsmasq, knowing `hooks-dns.test` → 127.0.0.1) and a webhook receiver (Python's http.server,
recording each POST). `hotpod run` runs in the same namespace, chrooted into a root made of the
static hotpod, busybox-static, /etc/hosts (`hooks-hosts.test` → 127.0.0.1), /etc/resolv.conf
(`nameserver 127.0.0.1`), /tmp and the project: no libc.so, no libnss_*.so, no
nsswitch.conf. Its two webhooks name those two hosts. After a change, the receiver gets the
build_succeeded POST of that build at both: /a found through /etc/hosts (dnsmasq was never
asked for that name), /b through DNS (dnsmasq logged the query). A hotpod that resolved
through NSS modules (libnss_*.so, loaded at run time) would find neither name in that root.
hotpod's own HTTP server listens on `hooks-dns.test:0` there too: the host name of --listen
goes through the static glibc's getaddrinfo, whose files and dns lookups are built in.

Needs root (network namespace, chroot) and dnsmasq (Debian's dnsmasq-base); without them the
file prints SKIPPED and exits 77.
"""
import json
import os
import subprocess
import sys
import threading
import unittest

from hotpod_harness import HANG_TIMEOUT, Hotpod
from rootfs_support import Root, dist_binary, read_lines, require_root, wait_until

DNSMASQ = "/usr/sbin/dnsmasq"

RECEIVER = r"""
import http.server, json, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        line = json.dumps({"path": self.path, "host": self.headers.get("Host"), "body": body})
        with open(sys.argv[1], "a") as f:
            f.write(line + "\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""

CONFIG = """watch:
  include_ext: [txt]
  exclude: [served.txt]
build:
  cmd: cp version.txt served.txt
run:
  cmd: sleep 1000
notify:
  webhooks:
    - http://hooks-hosts.test:{port}/a
    - http://hooks-dns.test:{port}/b
"""


class Lines:
    """Collects a child's output lines in a thread; waits for one with a deadline."""

    def __init__(self, stream):
        self.lines, self._cond = [], threading.Condition()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()

    def wait_for(self, what, predicate):
        with self._cond:
            if not self._cond.wait_for(lambda: any(predicate(l) for l in self.lines),
                                       HANG_TIMEOUT):
                raise AssertionError(f"no {what}:\n" + "\n".join(self.lines[-30:]))
            return next(l for l in self.lines if predicate(l))

    def text(self):
        with self._cond:
            return "\n".join(self.lines)


class ResolverTest(unittest.TestCase):
    def setUp(self):
        self.root = Root()
        self.addCleanup(self.root.cleanup)
        # The namespace lives as long as this holder (its stdin closed ends it).
        self.holder = self.popen(["unshare", "--net", "--", "sh", "-c",
                                  "ip link set lo up && echo up && exec cat"],
                                 stdin=subprocess.PIPE)
        Lines(self.holder.stdout).wait_for("loopback up", lambda l: l == "up")
        self.in_netns = ["nsenter", f"--net=/proc/{self.holder.pid}/ns/net", "--"]

    def popen(self, argv, **kw):
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, **kw)

        def stop():
            if proc.stdin:
                proc.stdin.close()
            if proc.poll() is None:
                proc.terminate()
            proc.wait(HANG_TIMEOUT)
            proc.stdout.close()
        self.addCleanup(stop)
        return proc

    def start_dns(self):
        dns = self.popen([*self.in_netns, DNSMASQ, "--no-daemon", "--conf-file=/dev/null",
                          "--no-resolv", "--no-hosts", "--listen-address=127.0.0.1",
                          "--bind-interfaces", "--port=53", "--pid-file", "--user=root",
                          "--log-queries", "--log-facility=-",
                          "--host-record=hooks-dns.test,127.0.0.1"])
        lines = Lines(dns.stdout)
        lines.wait_for("dnsmasq started", lambda l: "started, version" in l)  # after bind
        return lines

    def start_receiver(self):
        self.posts = os.path.join(self.root.path + "-posts.jsonl")
        self.addCleanup(lambda: os.path.exists(self.posts) and os.remove(self.posts))
        receiver = self.popen([*self.in_netns, sys.executable, "-c", RECEIVER, self.posts])
        port = Lines(receiver.stdout).wait_for("the receiver's port", str.isdigit)
        return int(port)

    def received(self):
        """The POSTs so far: {"path", "host", "event", "build"} each."""
        found = []
        for line in read_lines(self.posts):
            post = json.loads(line)
            body = json.loads(post["body"])
            found.append({"path": post["path"], "host": post["host"], "event": body["event"],
                          "build": body.get("build", {}).get("number")})
        return found

    def test_webhooks_reach_hosts_named_in_etc_hosts_and_by_dns_without_nss(self):
        dns_log = self.start_dns()
        port = self.start_receiver()
        root = self.root
        root.add_busybox()
        root.copy(dist_binary(), "/bin/hotpod")
        root.mkdir("/tmp", 0o1777)
        root.write("/etc/hosts", "127.0.0.1 localhost\n127.0.0.1 hooks-hosts.test\n")
        root.write("/etc/resolv.conf", "nameserver 127.0.0.1\n")
        root.write("/app/hotpod.yaml", CONFIG.format(port=port))
        root.write("/app/version.txt", "v1\n")
        self.assertEqual(sorted(os.listdir(root.path)), ["app", "bin", "etc", "tmp"])
        self.assertEqual(sorted(os.listdir(root.host("/etc"))), ["hosts", "resolv.conf"])
        self.assertFalse([p for p in root.files() if ".so" in p or "nss" in p])

        hp = Hotpod(["--log-level", "debug", "--listen", "hooks-dns.test:0"], root.path,
                    binary="/bin/hotpod",
                    wrapper=[*self.in_netns, "unshare", "--mount", f"--root={root.path}",
                             "--wd=/app"])
        self.addCleanup(hp.kill)
        # Its own HTTP server binds a name only DNS knows (glibc's getaddrinfo, linked in).
        _, listening = hp.wait_for("http_listening")
        self.assertRegex(listening["address"], r"^hooks-dns\.test:\d+$")
        hp.wait_for("build_finished", result="success")
        hp.wait_for("app_started")
        mark = hp.mark()
        root.write("/app/version.txt", "v2\n")
        _, built = hp.wait_for("build_finished", after=mark, result="success")

        def delivered(path):
            return wait_until(
                f"build {built['build']}'s build_succeeded POST at /{path}",
                lambda: [p for p in self.received() if p["path"] == f"/{path}" and
                         (p["event"], p["build"]) == ("build_succeeded", built["build"])],
                detail=lambda: f"{self.received()}\n{hp.log_tail()}\n{dns_log.text()}")

        self.assertEqual(delivered("a")[0]["host"], f"hooks-hosts.test:{port}")
        self.assertEqual(delivered("b")[0]["host"], f"hooks-dns.test:{port}")
        self.assertEqual(hp.count("webhook_failed"), 0, hp.log_tail())
        # /b's name came from dnsmasq, /a's from /etc/hosts alone.
        self.assertIn("query[A] hooks-dns.test from 127.0.0.1", dns_log.text())
        self.assertNotIn("hooks-hosts.test", dns_log.text())
        self.assertEqual(hp.stop(), 0, hp.log_tail())


if __name__ == "__main__":
    require_root("unshare", "nsenter", "ip", DNSMASQ, "/bin/busybox")
    unittest.main()
