"""A real Prometheus server scrapes hotpod on loopback; a PromQL query through its HTTP API
returns the number of builds that really happened."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse

from hotpod_harness import HANG_TIMEOUT, TempTree, free_port, http_request, skip, write


class PrometheusScrapeTest(TempTree):
    def start_prometheus(self, target_port, target_host="127.0.0.1"):
        binary = shutil.which("prometheus")
        if binary is None:
            skip("the prometheus server is not installed (scripts/install-deps.sh installs it)")
        data = tempfile.mkdtemp(prefix="hotpod-prom-")
        self.addCleanup(shutil.rmtree, data, ignore_errors=True)
        config = os.path.join(data, "prometheus.yml")
        write(config, f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: hotpod
    static_configs:
      - targets: ['{target_host}:{target_port}']
""")
        port = free_port()
        proc = subprocess.Popen(
            [binary, f"--config.file={config}", f"--storage.tsdb.path={data}/tsdb",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

        def stop():
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.addCleanup(stop)
        return port

    def query(self, prom_port, promql):
        url = (f"http://127.0.0.1:{prom_port}/api/v1/query?"
               + urllib.parse.urlencode({"query": promql}))
        try:
            status, body = http_request(url, timeout=5)
        except OSError:
            return None  # not listening yet
        if status != 200:
            return None
        result = json.loads(body)["data"]["result"]
        return float(result[0]["value"][1]) if result else None

    def test_promql_counts_the_builds_that_happened(self):
        src = os.path.join(self.dir, "src")
        write(os.path.join(src, "main.c"), "int main(void) { return 0; }\n")
        hp = self.start(["--root", src, "--build", "cc -o ../app main.c"])
        hp.wait_for("build_finished", build=1, result="success")
        for number in (2, 3):
            mark = hp.mark()
            write(os.path.join(src, "main.c"), f"int main(void) {{ return {number - 2}; }}\n")
            hp.wait_for("build_finished", after=mark, build=number, result="success")
        mark = hp.mark()
        write(os.path.join(src, "main.c"), "int main(void) { return syntax error; }\n")
        hp.wait_for("build_finished", after=mark, build=4, result="failure")
        builds = hp.count("build_finished", result="success")
        self.assertEqual(builds, 3)

        prom = self.start_prometheus(hp.http_port())
        # Prometheus scrapes every second; ask until its answer arrives (the bound only catches
        # a hang). The answer must be exactly what happened.
        deadline = time.monotonic() + HANG_TIMEOUT
        success = failure = None
        while time.monotonic() < deadline:
            success = self.query(prom, 'hotpod_builds_total{result="success"}')
            failure = self.query(prom, 'hotpod_builds_total{result="failure"}')
            if success is not None and failure is not None:
                break
            time.sleep(0.5)
        self.assertEqual(success, builds)
        self.assertEqual(failure, 1)
        self.assertEqual(self.query(prom, 'up{job="hotpod"}'), 1)
        self.assertEqual(self.query(prom, "hotpod_build_duration_seconds_count"), 4)

    def test_scrape_by_pod_ip_passes_the_host_check(self):
        # In a pod, Prometheus scrapes POD_IP:4687 (Host: POD_IP:4687) while the agent listens
        # on every interface; the DNS rebinding guard must serve it.
        ip = outward_ip()
        if ip is None:
            print("SKIPPED: no non-loopback IPv4 address to scrape", flush=True)
            self.skipTest("no non-loopback address")
        src = os.path.join(self.dir, "src")
        write(os.path.join(src, "a.txt"), "a\n")
        hp = self.start(["--root", src, "--build", "true", "--listen", "0.0.0.0:0"])
        hp.wait_for("build_finished", build=1)
        prom = self.start_prometheus(hp.http_port(), ip)
        deadline = time.monotonic() + HANG_TIMEOUT
        builds = None
        while builds is None and time.monotonic() < deadline:
            builds = self.query(prom, 'hotpod_builds_total{result="success"}')
            if builds is None:
                time.sleep(0.5)
        self.assertEqual(builds, 1)
        self.assertEqual(self.query(prom, 'up{job="hotpod"}'), 1)
        self.assertEqual(hp.count("http_host_refused"), 0)


def outward_ip():
    """This machine's address on its default route (what a pod IP is), or None."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))  # no packet is sent: only picks the route
        return probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()


if __name__ == "__main__":
    unittest.main()
