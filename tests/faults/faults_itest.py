"""Faults: hotpod keeps working and loses nothing when builds misbehave, the app crash-loops, the
tree is rearranged under it, the build output's disk is full, and after 1,000 reloads."""
import json
import os
import shutil
import signal
import subprocess
import unittest

from hotpod_harness import (SANITIZED, TempTree, alive, children_of, free_port, http_request,
                            open_fds, skip, write)
from observe_support import wait_answer


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


class FaultsTest(TempTree):
    def test_200_mb_of_build_output_keeps_memory_bounded_and_the_tail(self):
        write(os.path.join(self.dir, "a.txt"), "1")
        # Long lines keep the test's own log reader fast; hotpod handles short ones the same way.
        build = ("head -c 200000000 /dev/zero | tr '\\0' 'x' | fold -w 4000; echo; "
                 "echo 'the last line'; exit 1")
        hp = self.start(["--build", build])
        _, finished = hp.wait_for("build_finished", build=1, timeout=600)
        self.assertEqual(finished["result"], "failure")
        peak = rss_kib(hp.pid, "VmHWM")
        if SANITIZED:
            print(f"SKIPPED the RSS bound (sanitizer build; peak {peak} KiB)")
        else:
            self.assertLess(peak, 64 * 1024, f"hotpod's peak RSS was {peak} KiB for 200 MB of output")
        status = json.loads(http_request(hp.url("/v1/status"))[1])
        tail = status["builds"][0]["output_tail"]
        self.assertEqual(tail[-1], "the last line")
        self.assertLessEqual(len(tail), 50)

    def test_a_daemon_forked_by_the_build_is_killed_with_its_group(self):
        write(os.path.join(self.dir, "a.txt"), "1")
        pid_file = os.path.join(self.dir, "..", os.path.basename(self.dir) + "-daemon.pid")
        self.addCleanup(lambda: os.path.exists(pid_file) and os.remove(pid_file))
        hp = self.start(["--build", f"sleep 600 & echo $! > {pid_file}"])
        hp.wait_for("build_finished", build=1, result="success")
        with open(pid_file) as f:
            daemon = int(f.read())
        self.assertFalse(alive(daemon), "the build's daemon outlived the build")

    def test_a_crash_looping_app_backs_off_up_to_the_cap_and_status_says_so(self):
        hp = self.start(["--", "sh", "-c", "echo crashing; exit 3"])
        backoffs = []
        mark = 0
        while not backoffs or backoffs[-1] < 10000:
            mark, crashed = hp.wait_for("app_crashed", after=mark)
            mark += 1
            backoffs.append(crashed["backoff_ms"])
            self.assertEqual(http_request(hp.url("/healthz"))[0], 200, "hotpod stays responsive")
        self.assertEqual(backoffs[:5], [500, 1000, 2000, 4000, 8000])
        mark, crashed = hp.wait_for("app_crashed", after=mark)
        self.assertEqual(crashed["backoff_ms"], 10000, "the back-off is capped")
        status = json.loads(http_request(hp.url("/v1/status"))[1])
        self.assertEqual(status["state"], "failed")
        self.assertIn("the app crashed (exit code 3)", status["last_error"])
        self.assertFalse(status["ready"]["ready"])

    def test_a_directory_replaced_by_a_file_and_back_and_a_symlink_loop(self):
        src = os.path.join(self.dir, "src")
        write(os.path.join(src, "pkg", "a.go"), "package pkg\n")
        os.symlink(".", os.path.join(src, "loop"))  # src/loop/loop/loop/… forever
        hp = self.start(["--root", src, "--build", "true"])
        hp.wait_for("build_finished", build=1)
        steps = [
            lambda: shutil.rmtree(os.path.join(src, "pkg")),
            lambda: write(os.path.join(src, "pkg"), "now a file\n"),
            lambda: os.remove(os.path.join(src, "pkg")),
            lambda: write(os.path.join(src, "pkg", "b.go"), "package pkg\n"),
            lambda: write(os.path.join(src, "pkg", "b.go"), "package pkg // edited\n"),
        ]
        for number, step in enumerate(steps, start=2):
            mark = hp.mark()
            step()
            hp.wait_for("build_finished", after=mark, build=number)
        status = json.loads(http_request(hp.url("/v1/status"))[1])
        self.assertEqual(status["builds"][0]["changed_files"], ["pkg/b.go"])
        self.assertLess(status["watch"]["directories"], 10, "the symlink loop was not followed")

    def test_build_output_on_a_full_tmpfs_fails_clearly_and_recovers(self):
        if os.geteuid() != 0:
            skip("needs root to mount a tmpfs")
        out = os.path.join(self.dir, "out")
        os.makedirs(out)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", out], check=True)
        self.addCleanup(subprocess.run, ["umount", "-l", out])
        src = os.path.join(self.dir, "src")
        write(os.path.join(src, "size.txt"), "100")
        build = f"head -c $(cat size.txt)k /dev/zero > {out}/artifact"
        hp = self.start(["--root", src, "--build", build, "--", "sleep", "600"])
        hp.wait_for("build_finished", build=1, result="success")
        _, app = hp.wait_for("app_started")
        mark = hp.mark()
        write(os.path.join(src, "size.txt"), "4000")  # 4 MB into a 1 MB filesystem
        _, failed = hp.wait_for("build_finished", after=mark, build=2)
        self.assertEqual(failed["result"], "failure")
        self.assertIn("No space left on device", hp.log_tail())
        self.assertTrue(alive(app["pid"]), "the old app keeps running")
        mark = hp.mark()
        write(os.path.join(src, "size.txt"), "200")
        hp.wait_for("build_finished", after=mark, build=3, result="success")
        hp.wait_for("app_started", after=mark)

    def test_hotpod_sigkilled_mid_build_leaves_nothing_behind(self):
        port = free_port()
        src = os.path.join(self.dir, "src")
        write(os.path.join(src, "slow.txt"), "0")
        build = "if [ $(cat slow.txt) = 1 ]; then echo building-slowly; sleep 600; fi"
        args = ["--root", src, "--build", build, "--", "python3", "-m", "http.server",
                "--bind", "127.0.0.1", str(port)]
        first = self.start(args)
        _, app = first.wait_for("app_started")
        wait_answer(f"http://127.0.0.1:{port}/")
        mark = first.mark()
        write(os.path.join(src, "slow.txt"), "1")
        # Its output proves the build runs (build_started is logged just before the spawn).
        first.wait_for("output", after=mark, source="build", msg="building-slowly")
        build_pids = [pid for pid, _ in children_of(first.pid) if pid != app["pid"]]
        first.proc.kill()  # SIGKILL: hotpod cannot stop anything itself
        first.proc.wait(30)
        self.assertTrue(alive(app["pid"]), "the app outlives a SIGKILLed hotpod")

        write(os.path.join(src, "slow.txt"), "0")
        second = self.start(args)
        _, stale = second.wait_for("stale_group_killed")
        _, new_app = second.wait_for("app_started")
        self.assertFalse(alive(app["pid"]), "the old app was stopped")
        for pid in build_pids:
            self.assertFalse(alive(pid), "the old build was stopped")
        self.assertEqual(second.count("stale_group_killed"), 2, second.log_tail())
        self.assertEqual(second.count("build_started"), 1, "one build")
        self.assertEqual(second.count("app_crashed"), 0, "the port was free again")
        self.assertIn("Directory listing", wait_answer(f"http://127.0.0.1:{port}/"))
        self.assertNotEqual(new_app["pid"], app["pid"])

    def test_1000_reloads_keep_memory_fds_and_children_flat(self):
        src = os.path.join(self.dir, "src")
        write(os.path.join(src, "n.txt"), "0")
        hp = self.start(["--root", src, "--build", "true", "--delay", "1ms", "--",
                         "sleep", "600"])
        hp.wait_for("app_started")

        def reload(n):
            mark = hp.mark()
            write(os.path.join(src, "n.txt"), str(n))
            hp.wait_for("app_started", after=mark)

        for n in range(1, 51):  # warm-up: allocator pools and log buffers reach their size
            reload(n)
        base_rss, base_fds = rss_kib(hp.pid), open_fds(hp.pid)
        for n in range(51, 1051):
            reload(n)
        rss = rss_kib(hp.pid)
        print(f"RSS after 50 reloads {base_rss} KiB, after 1,050: {rss} KiB")
        if SANITIZED:
            print("SKIPPED the RSS growth bound (sanitizer build: quarantine, not hotpod, grows)")
        else:
            self.assertLessEqual(rss, base_rss * 1.05, "RSS grew by more than 5 %")
        self.assertEqual(open_fds(hp.pid), base_fds)
        kids = children_of(hp.pid)
        self.assertEqual([pid for pid, state in kids if state == "Z"], [], "zombies")
        self.assertEqual(len(kids), 1, f"only the live app is left: {kids}")


if __name__ == "__main__":
    unittest.main()
