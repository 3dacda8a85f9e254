"""200 concurrent clients on /metrics and /v1/status while builds run: every one is answered,
the loop keeps building, /healthz stays 200, and the server's threads stay bounded."""
import concurrent.futures
import json
import os
import unittest

from hotpod_harness import TempTree, http_request, write
from observe_support import sample

CLIENTS = 200
# The loop, the accept loop and the waiting room, plus at most 14 + 2 workers (started on
# demand, ended when idle): bounded, never a thread per client.
MAX_THREADS = 3 + 14 + 2


def threads_of(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Threads:"))


class LoadTest(TempTree):
    def test_concurrent_clients_while_builds_run(self):
        write(os.path.join(self.dir, "a.txt"), "0")
        # Each build takes a while, so the clients really overlap with builds.
        hp = self.start(["--build", "sleep 0.3"])
        hp.wait_for("build_finished", build=1)
        metrics_url, status_url = hp.url("/metrics"), hp.url("/v1/status")

        def client(index):
            url = metrics_url if index % 2 else status_url
            for _ in range(4):
                status, body = http_request(url, timeout=60)
                if status != 200:
                    return status
            if url == status_url:
                json.loads(body)  # a whole document, never a torn one
            else:
                assert sample(body, "hotpod_build_info", version=json.loads(
                    http_request(status_url, timeout=60)[1])["version"]) == 1
            return status

        mark = hp.mark()
        with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
            futures = [pool.submit(client, i) for i in range(CLIENTS)]
            # Changes during the load still build, one after another.
            for n in range(3):
                write(os.path.join(self.dir, "a.txt"), str(n + 1))
                hp.wait_for("build_finished", after=mark, result="success")
                mark = hp.mark()
                self.assertEqual(http_request(hp.url("/healthz"), timeout=60)[0], 200)
                # Workers start on demand, up to a bound: no thread per client.
                self.assertLessEqual(threads_of(hp.pid), MAX_THREADS)
            answers = [f.result() for f in futures]
        self.assertEqual(answers, [200] * CLIENTS)
        self.assertEqual(http_request(hp.url("/healthz"))[0], 200)
        status = json.loads(http_request(status_url)[1])
        self.assertEqual(status["counts"]["builds"], hp.count("build_finished"))


if __name__ == "__main__":
    unittest.main()
