#!/usr/bin/env python3
"""A one-file sync end to end through `podman exec` → new answer (issue 17).

One podman container of the FROM scratch image the container tests build
(tests/support/scratch_kit.py: dist/'s static hotpod, busybox, `tar` → hotpod, a static HTTP
app; no GNU tar in it) runs `hotpod run`: its build (a busybox `cat` into /out) and its app
(`/app bench PORT`, which reads /out/bench.txt once at start and answers it). Each sample writes
a new version.txt into a staging directory on the host, then syncs it the way Skaffold and
`kubectl cp` do:

    tar c -C STAGE version.txt | podman exec -i CONTAINER tar xmf - -C /src --no-same-owner

and polls the app on 127.0.0.1 (the container uses the host's network) every 2 ms until it
answers the new version. Timed from just before the two processes are spawned to the first new
answer: podman exec's own start-up, hotpod's tar, the build, the restart and the app's start.
Also recorded: the time until `podman exec` returned (the sync alone). One sync before the
samples is not counted (podman's first exec into a container is slower).

    bench/podsync.py --static dist/hotpod-VERSION-linux-amd64 [--syncs 10] --out podsync.json

Where podman cannot run here (not root, a tool missing, no static binary, podman failing), it
says so loudly on stderr, writes {"skipped": REASON} and exits 0: the report shows the reason.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "support"))
import benchlib as bl  # noqa: E402

CONTAINER = "hotpod-podsync"
UID = 10001


class Cleanups:
    """What container_support.Podman expects of a unittest.TestCase: addCleanup, run in reverse."""

    def __init__(self):
        self.calls = []

    def addCleanup(self, fn, *args, **kw):  # noqa: N802 (unittest's name)
        self.calls.append((fn, args, kw))

    def run(self):
        while self.calls:
            fn, args, kw = self.calls.pop()
            try:
                fn(*args, **kw)
            except Exception as e:  # a cleanup failing must not hide the others
                bl.eprint(f"podsync: cleanup {getattr(fn, '__name__', fn)}: {e}")


def answer(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
            return r.read().decode().strip()
    except OSError:
        return None


def wait_for(what, condition, timeout=120, interval=0.002):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise bl.BenchError(f"podsync: timed out waiting for {what}")
        time.sleep(interval)


def owned_dir(path):
    os.makedirs(path)
    os.chown(path, UID, UID)
    return path


def write_owned(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.chown(path + ".tmp", UID, UID)
    os.rename(path + ".tmp", path)


def skip_reason(static):
    if os.geteuid() != 0:
        return "needs root (podman with the container tests' storage)"
    if not static or not os.path.exists(static):
        return "no static hotpod (dist/hotpod-*-linux-amd64): run `make dist`"
    from scratch_kit import missing_tools
    missing = missing_tools()
    if missing:
        return f"missing {', '.join(missing)}"
    return None


def measure(p, image, work, syncs, port):
    src, out, stage = (owned_dir(os.path.join(work, d)) for d in ("src", "out", "stage"))
    write_owned(os.path.join(src, "hotpod.yaml"),
                "watch: {include_ext: [txt]}\nhttp: {listen: 'off'}\n"
                "build: {cmd: 'cat version.txt > /out/.bench.new && mv /out/.bench.new "
                "/out/bench.txt'}\n"
                f"run: {{cmd: [/app, bench, '{port}']}}\n")
    write_owned(os.path.join(src, "version.txt"), "v0\n")
    p.podman("run", "-d", "--name", CONTAINER, "--network", "host", "--read-only",
             "--cap-drop", "all", "--security-opt", "no-new-privileges",
             "-v", f"{src}:/src", "-v", f"{out}:/out", "-w", "/src", image,
             "hotpod", "run", "--log-format", "json", timeout=120)
    wait_for("the first answer", lambda: answer(port) == "v0", interval=0.02)
    # The image's only tar: a symlink to hotpod.
    tar_says = p.podman("exec", CONTAINER, "busybox", "readlink", "/bin/tar", check=False,
                        quiet=True).stdout.splitlines()
    total, synced = [], []
    for i in range(syncs + 1):  # the first is a warm-up
        version = f"v{i + 1}"
        write_owned(os.path.join(stage, "version.txt"), version + "\n")
        started = bl.mono_ns()
        tar = subprocess.Popen(["tar", "c", "-C", stage, "version.txt"], stdout=subprocess.PIPE)
        exec_ = subprocess.Popen(p.argv("exec", "-i", CONTAINER, "tar", "xmf", "-", "-C", "/src",
                                        "--no-same-owner"), stdin=tar.stdout, env=p.env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        tar.stdout.close()
        exec_done = None
        while True:
            if exec_done is None and exec_.poll() is not None:
                exec_done = bl.mono_ns()
                if exec_.returncode != 0 or tar.wait(30) != 0:
                    raise bl.BenchError(f"podsync: the sync failed ({exec_.returncode}): "
                                        f"{exec_.stderr.read().decode()[-2000:]}")
            if answer(port) == version:
                answered = bl.mono_ns()
                break
            if bl.mono_ns() - started > 120e9:
                raise bl.BenchError(f"podsync: no answer {version} within 120 s")
            time.sleep(0.002)
        if exec_done is None:
            exec_.wait(60)
            exec_done = bl.mono_ns()
        exec_.stderr.close()
        if i > 0:
            total.append(answered - started)
            synced.append(exec_done - started)
        bl.eprint(f"podsync: sync {i}: {(answered - started) / 1e6:.0f} ms to the new answer, "
                  f"podman exec returned after {(exec_done - started) / 1e6:.0f} ms")
    logs = p.podman("logs", CONTAINER, check=False, quiet=True)
    builds = (logs.stdout + logs.stderr).count('"event":"build_started"')
    return total, synced, tar_says[:1], builds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--static", default="", help="dist/'s static amd64 hotpod")
    ap.add_argument("--syncs", type=int, default=10)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    reason = skip_reason(a.static)
    if reason:
        bl.eprint(f"podsync: SKIPPED: {reason} " + "!" * 20)
        bl.write_json(a.out, {"skipped": reason})
        return 0
    from container_support import Podman
    from scratch_kit import kit_image
    cleanups = Cleanups()
    work = bl.make_tempdir("hotpod-podsync-")
    os.chmod(work, 0o755)
    cleanups.addCleanup(shutil.rmtree, work, ignore_errors=True)
    try:
        try:
            p = Podman(cleanups)  # its cleanup removes the container
            version = p.podman("--version", quiet=True).stdout.strip()
            image = kit_image(p, a.static)
        except Exception as e:  # podman unusable here: say why, loudly
            reason = f"podman unusable: {str(e).splitlines()[0][:300]}"
            bl.eprint(f"podsync: SKIPPED: {reason} " + "!" * 20)
            bl.write_json(a.out, {"skipped": reason})
            return 0
        port = bl.free_port()
        load_start = open("/proc/loadavg").read().strip()
        total, synced, tar_says, builds = measure(p, image, work, a.syncs, port)
        result = {
            "syncs": a.syncs,
            "podman": version,
            "image": image,
            "image_tar": tar_says[0] if tar_says else None,
            "sync_to_new_answer_ms": bl.summarize_ms(total),
            "podman_exec_returned_ms": bl.summarize_ms(synced),
            "builds_started": builds,
            "loadavg": [load_start, open("/proc/loadavg").read().strip()],
            "cpus": os.cpu_count(),
        }
    finally:
        cleanups.run()
    bl.write_json(a.out, result)
    s = result["sync_to_new_answer_ms"]
    print(f"| one-file sync through podman exec → new answer | p50 {s['p50']:.0f} ms | "
          f"min {s['min']:.0f} ms | max {s['max']:.0f} ms | podman exec returned p50 "
          f"{result['podman_exec_returned_ms']['p50']:.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
