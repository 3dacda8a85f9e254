"""bench/proxy.py's part 1: wrk against the Gin app directly, through hotpod's proxy and through
haproxy (the reference), with the CPU time per request of each process meanwhile."""
import os
import re
import resource
import signal
import subprocess

import benchlib as bl


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url, seconds, connections):
    out = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": to_ms(latency["50"]), "p99_ms": to_ms(latency["99"]),
            "errors": errors.group(0) if errors else ""}


def cpu_ms(pids):
    """utime + stime of these processes (all their threads), in ms."""
    total = 0.0
    for pid in pids:
        try:
            total += sum(bl.cpu_ticks_ms(pid).values())
        except (OSError, ValueError):
            pass  # gone meanwhile
    return total


def wrk_with_cpu(url, seconds, connections, hotpod_pid, haproxy_pid=None):
    """wrk, and the CPU time per request of hotpod (or of haproxy, the reference proxy, when its
    pid is given), of the app (hotpod's descendants) and of wrk itself (a waited-for child:
    RUSAGE_CHILDREN) meanwhile: on a machine with fewer cores than the three need, the
    throughput is bounded by the sum."""
    app = [p for p in bl.proc_tree_pids(hotpod_pid) if p != hotpod_pid]
    proxy = haproxy_pid or hotpod_pid
    before = (cpu_ms([proxy]), cpu_ms(app), resource.getrusage(resource.RUSAGE_CHILDREN))
    result = wrk(url, seconds, connections)
    after = (cpu_ms([proxy]), cpu_ms(app), resource.getrusage(resource.RUSAGE_CHILDREN))
    requests = result["rps"] * seconds
    wrk_ms = ((after[2].ru_utime + after[2].ru_stime) - (before[2].ru_utime + before[2].ru_stime)) * 1000
    result["cpu_us_per_request"] = {"haproxy" if haproxy_pid else "hotpod": (after[0] - before[0]) * 1000 / requests,
                                    "app": (after[1] - before[1]) * 1000 / requests,
                                    "wrk": wrk_ms * 1000 / requests}
    return result


HAPROXY_CONFIG = """global
  nbthread 1
defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend reference
  bind 127.0.0.1:{port}
  default_backend app
backend app
  http-reuse always
  server app 127.0.0.1:{app_port}
"""


class Haproxy:
    """haproxy (Debian) in front of the same app, as a reference: a production proxy, one thread
    like hotpod's reactor, keep-alive on both sides and its server connections reused. It shows
    what any user-space proxy costs on this machine."""

    def __init__(self, work, app_port):
        self.port = bl.free_port()
        config = os.path.join(work, "haproxy.cfg")
        self.pidfile = os.path.join(work, "haproxy.pid")
        with open(config, "w") as f:
            f.write(HAPROXY_CONFIG.format(port=self.port, app_port=app_port))
        # -D returns once the listener is bound and the worker forked: no wait for the port.
        subprocess.run(["haproxy", "-D", "-p", self.pidfile, "-f", config], check=True)
        with open(self.pidfile) as f:
            self.pid = int(f.read().split()[0])

    def stop(self):
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
