"""hotpod as PID 1 of a real PID namespace (what it is as a container's entrypoint): it reaps
every orphan, so 50 restarts of an app that orphans grandchildren leave no zombie, and SIGTERM
still stops the app and exits 0."""
import os
import signal
import unittest

from hotpod_harness import (TempTree, can_unshare_pid, children_of, namespace_pid,
                            namespace_processes, skip, write)


class Pid1Test(TempTree):
    def test_as_pid_1_orphans_are_reaped_and_sigterm_exits_0(self):
        src = os.path.join(self.dir, "src")
        write(os.path.join(src, "app.txt"), "v1\n")
        app = os.path.join(self.dir, "orphans.sh")
        # Each start orphans two grandchildren that exit on their own a moment later: as PID 1,
        # hotpod inherits and must reap them.
        write(app, "#!/bin/sh\n(sleep 0.05 &)\n(sleep 0.05 &)\necho ready\nexec sleep 1000\n")
        os.chmod(app, 0o755)
        hp = self.start(["--root", src, "--delay", "20ms", "--log-level", "debug", "--", app],
                        wrapper=["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"])
        hp.wait_for("output", source="app", msg="ready")
        kids = children_of(hp.pid)  # unshare's child: hotpod, PID 1 inside
        self.assertEqual(len(kids), 1)
        hotpod_host_pid = kids[0][0]
        self.assertEqual(namespace_pid(hotpod_host_pid), 1, "hotpod is not PID 1 of its namespace")
        for n in range(2, 52):
            mark = hp.mark()
            write(os.path.join(src, "app.txt"), f"v{n}\n")
            hp.wait_for("output", after=mark, source="app", msg="ready")
        # 2 orphans per start, 51 starts: each must be reaped by hotpod, once.
        hp.wait_for("orphan_reaped", total=102)
        _, last = hp.wait_for("app_started", after=mark)
        procs = namespace_processes(hotpod_host_pid)
        self.assertEqual([p for p, state in procs if state == "Z"], [], "zombies")
        # hotpod reports namespace PIDs; /proc here shows host PIDs: map the app's.
        app_host_pid = [p for p, _ in procs if namespace_pid(p) == last["pid"]]
        self.assertEqual(len(app_host_pid), 1)
        self.assertEqual([p for p, _ in procs if os.getpgid(p) != app_host_pid[0]], [],
                         "processes of old apps survived")
        # unshare ignores SIGTERM while it waits: signal hotpod itself, as a runtime would;
        # unshare then exits with hotpod's status.
        os.kill(hotpod_host_pid, signal.SIGTERM)
        self.assertEqual(hp.proc.wait(120), 0, hp.log_tail())
        hp.wait_for("app_stopped", after=mark)


if __name__ == "__main__":
    if not can_unshare_pid():
        skip("needs root and unshare --pid (util-linux) to make a PID namespace")
    unittest.main()
