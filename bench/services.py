#!/usr/bin/env python3
"""One hotpod for three services against three hotpods (issue 19's figures).

A generated tree: three small C++ HTTP apps (a, b, c) of which a and b include shared/version.h,
plus FILLER_DIRS × FILLER_FILES files of other code. "one": a hotpod with `services:`; "three":
three hotpods, each a single-app config over the whole tree whose watch.include takes its app's
directory (and shared/ for a and b), as one air per service does. Measured once every app
answers: resident memory and inotify watches of the hotpod processes, their CPU over IDLE
seconds, and the time from an edit of shared/version.h to both a and b answering the new
version (median of EDITS edits).

    python3 bench/services.py [--hotpod build/hotpod] [--out bench/results/services.json] [--smoke]
Prints the markdown table of docs/benchmarks.md and writes the JSON results to --out."""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import benchlib as bl  # noqa: E402
import report_proxy  # noqa: E402

APP = r"""
#include "../shared/version.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
int main() {
  int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(atoi(getenv("PORT_@NAME@")));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (sockaddr*)&addr, sizeof addr) || listen(fd, 64)) return 1;
  for (;;) {
    int c = accept(fd, nullptr, nullptr);
    char buf[1024], out[128];
    (void)!read(c, buf, sizeof buf);
    int n = snprintf(out, sizeof out, "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
                     strlen(VERSION), VERSION);
    (void)!write(c, out, n);
    close(c);
  }
}
"""
USES = {"a": ["a/", "shared/"], "b": ["b/", "shared/"], "c": ["c/"]}


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status, r.read().decode()
    except Exception as error:  # noqa: BLE001 - any failure means "not yet"
        return getattr(error, "code", None), ""


def wait(what, predicate, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.005)
    raise SystemExit(f"services.py: timed out waiting for {what}")


def tree(root, dirs, files):
    for name in USES:
        os.makedirs(os.path.join(root, name))
        with open(os.path.join(root, name, "main.cpp"), "w") as f:
            f.write(APP.replace("@NAME@", name))
    os.makedirs(os.path.join(root, "shared"))
    os.makedirs(os.path.join(root, "bin"))
    for d in range(dirs):
        os.makedirs(os.path.join(root, "other", f"d{d}"))
        for i in range(files):
            with open(os.path.join(root, "other", f"d{d}", f"f{i}.cpp"), "w") as f:
                f.write(f"int f{d}_{i}();\n")


def set_version(root, version):
    with open(os.path.join(root, "shared", "version.h"), "w") as f:
        f.write(f'#define VERSION "{version}"\n')


def build(name):
    return f"g++ -O0 -o bin/{name}.new {name}/main.cpp && mv bin/{name}.new bin/{name}"


def config_one(root):
    text = "watch: {include_ext: [cpp, h], delay: 50ms}\nservices:\n"
    for name, paths in USES.items():
        text += (f"  {name}:\n    paths: {json.dumps(paths)}\n    build: {{cmd: '{build(name)}'}}\n"
                 f"    run: {{cmd: [bin/{name}]}}\n")
    path = os.path.join(root, "one.yaml")
    with open(path, "w") as f:
        f.write(text)
    return [path]


def config_three(root):
    paths = []
    for name, uses in USES.items():
        path = os.path.join(root, f"{name}.yaml")
        with open(path, "w") as f:
            f.write(f"watch: {{include: {json.dumps(uses)}, delay: 50ms}}\n"
                    f"build: {{cmd: '{build(name)}'}}\nrun: {{cmd: [bin/{name}]}}\n")
        paths.append(path)
    return paths


def watches(pid):
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fdinfo"):
        try:
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                count += sum(1 for line in f if line.startswith("inotify wd:"))
        except OSError:
            pass
    return count


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(next(line.split()[1] for line in f if line.startswith("VmRSS:")))


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(hotpod, mode, dirs, files, idle, edits):
    root = tempfile.mkdtemp(prefix=f"hotpod-bench-services-{mode}-")
    procs = []
    try:
        tree(root, dirs, files)
        set_version(root, "v0")
        ports = {name: bl.free_port() for name in USES}
        env = dict(os.environ, **{f"PORT_{n}": str(p) for n, p in ports.items()})
        http_ports = []
        for config in (config_one if mode == "one" else config_three)(root):
            http_ports.append(bl.free_port())
            procs.append(subprocess.Popen(
                [hotpod, "run", "-c", config, "--listen", f"127.0.0.1:{http_ports[-1]}",
                 "--log-level", "warn"], cwd=root, env=env, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True))
        for name, port in ports.items():
            wait(f"{name} answering", lambda port=port: get(f"http://127.0.0.1:{port}/")[1] == "v0")
        for port in http_ports:
            wait("ready", lambda port=port: get(f"http://127.0.0.1:{port}/readyz")[0] == 200)
        pids = [p.pid for p in procs]
        cpu0 = sum(cpu_seconds(pid) for pid in pids)
        time.sleep(idle)  # the measured idle period itself, not a synchronisation
        idle_cpu = (sum(cpu_seconds(pid) for pid in pids) - cpu0) / idle
        rss = sum(rss_kib(pid) for pid in pids)
        wds = sum(watches(pid) for pid in pids)
        reloads = []
        for i in range(1, edits + 1):
            began = time.monotonic()
            set_version(root, f"v{i}")
            for name in ("a", "b"):
                wait(f"{name} v{i}",
                     lambda name=name: get(f"http://127.0.0.1:{ports[name]}/")[1] == f"v{i}")
            reloads.append(time.monotonic() - began)
            assert get(f"http://127.0.0.1:{ports['c']}/")[1] == "v0"
        return {"mode": mode, "hotpods": len(procs), "rss_mib": rss / 1024,
                "idle_cpu_percent": idle_cpu * 100, "inotify_watches": wds,
                "shared_edit_to_both_answering_ms": statistics.median(reloads) * 1000,
                "samples_ms": [round(r * 1000, 1) for r in reloads]}
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(60)
        shutil.rmtree(root, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("hotpod_path", nargs="?", help="same as --hotpod")
    parser.add_argument("--hotpod", default="build/hotpod")
    parser.add_argument("--out", help="JSON results (default: none)")
    parser.add_argument("--smoke", action="store_true", help="tiny tree, 1 s idle, 2 edits")
    args = parser.parse_args()
    hotpod = os.path.abspath(args.hotpod_path or args.hotpod)
    dirs, files, idle, edits = (5, 5, 1, 2) if args.smoke else (100, 20, 10, 5)
    load = os.getloadavg()[0]
    rows = [measure(hotpod, mode, dirs, files, idle, edits) for mode in ("one", "three")]
    result = {"params": {"dirs": dirs, "files": files, "idle_s": idle, "edits": edits},
              "rows": rows, "load": load, "load_end": os.getloadavg()[0], "cpus": os.cpu_count()}
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(result, f, indent=2)
    report_proxy.services_section(result, print)


if __name__ == "__main__":
    main()
