"""500 concurrent clients plus 500 slow clients (slowloris: a request head trickled a header at a
time) against hotpod's HTTP server: /healthz and /readyz keep answering, every real client is
answered, the threads stay bounded, and oversized requests are refused.

The probe latencies (p50, p99, max) are written to build/tests/artifacts/slow-clients.json for
issue 8's goal of 100 ms; the test fails only on a probe that is not answered or takes over a
second (a starved probe waits for the slow clients' 5 s timeouts), as timing goals are not
asserted on a shared machine."""
import concurrent.futures
import json
import multiprocessing
import os
import socket
import statistics
import threading
import time
import unittest

from hotpod_harness import TempTree, http_request, write

CLIENTS = 500
SLOW_CLIENTS = 500
# The loop, the accept loop and the waiting room, plus at most 14 + 2 workers (started on
# demand, ended when idle): bounded, never a thread per client.
MAX_THREADS = 3 + 14 + 2
ARTIFACTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "tests",
                         "artifacts")


def threads_of(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Threads:"))


def recv_or_reset(s):
    """What the server sent before closing; a reset counts as a close with nothing sent."""
    try:
        return s.recv(100)
    except ConnectionResetError:
        return b""


def timed_probe(port, path):
    """(status, seconds) for one probe on a new connection, as a kubelet sends it."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := s.recv(4096):
            answer += chunk
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0
    return status, time.monotonic() - start


def probe_loop(port, results, stop, enough, wanted):
    """In its own process, so that the test's 500 client threads do not delay its clock."""
    count = 0
    while not stop.is_set():
        for path in ("/healthz", "/readyz"):
            results.put((path,) + timed_probe(port, path))
            count += 1
            if wanted.value and count >= wanted.value:
                enough.set()


class SlowLoris:
    """Connections that send a request head one header line at a time and never finish it."""

    def __init__(self, port, count):
        self.sockets = []
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self.sockets.append(s)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.trickle, daemon=True)
        self.thread.start()

    def trickle(self):
        n = 0
        while not self.stop.wait(0.5):  # the pace of the attack, not a synchronisation
            n += 1
            for s in self.sockets:
                try:
                    s.sendall(f"X-Slow-{n}: 1\r\n".encode())
                except OSError:
                    pass  # closed by hotpod: that is the defence

    def closed_by_server(self):
        closed = 0
        for s in self.sockets:
            s.setblocking(False)
            try:
                closed += s.recv(1) == b""
            except BlockingIOError:
                pass  # still open
            except ConnectionResetError:
                closed += 1
        return closed

    def close(self):
        self.stop.set()
        self.thread.join()
        for s in self.sockets:
            s.close()


class SlowClientsTest(TempTree):
    def test_probes_answer_under_500_clients_and_500_slow_clients(self):
        write(os.path.join(self.dir, "a.txt"), "0")
        hp = self.start(["--build", "true"])
        hp.wait_for("build_finished", build=1)
        port = hp.http_port()

        slow = SlowLoris(port, SLOW_CLIENTS)
        results, stop, enough = multiprocessing.Queue(), multiprocessing.Event(), multiprocessing.Event()
        wanted = multiprocessing.Value("i", 0)
        prober = multiprocessing.Process(target=probe_loop, args=(port, results, stop, enough, wanted))
        prober.start()

        def client(index):
            url = hp.url("/metrics" if index % 2 else "/v1/status")
            return [http_request(url, timeout=60)[0] for _ in range(3)]

        probes = []
        try:
            with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
                answers = [status for statuses in pool.map(client, range(CLIENTS))
                           for status in statuses]
            threads_under_load = threads_of(hp.pid)
            # 40 more probes while only the slow clients remain.
            while not results.empty():
                probes.append(results.get())
            wanted.value = len(probes) + 40
            self.assertTrue(enough.wait(60))
        finally:
            stop.set()
            while prober.is_alive() or not results.empty():
                try:
                    probes.append(results.get(timeout=0.1))
                except Exception:
                    pass
            prober.join()
        still_open = SLOW_CLIENTS - slow.closed_by_server()
        slow.close()

        self.assertEqual(answers, [200] * (3 * CLIENTS))
        self.assertLessEqual(threads_under_load, MAX_THREADS, "no thread per client")
        self.assertGreater(len(probes), 20)
        self.assertEqual({status for _, status, _ in probes}, {200})
        latencies = sorted(seconds for _, _, seconds in probes)
        report = {
            "clients": CLIENTS, "slow_clients": SLOW_CLIENTS, "probes": len(probes),
            "probe_ms": {"p50": 1000 * statistics.median(latencies),
                         "p99": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
                         "max": 1000 * latencies[-1]},
            "threads": threads_under_load, "slow_clients_still_open": still_open,
        }
        os.makedirs(ARTIFACTS, exist_ok=True)
        with open(os.path.join(ARTIFACTS, "slow-clients.json"), "w") as f:
            json.dump(report, f, indent=2)
        print(json.dumps(report))
        self.assertLess(latencies[-1], 1.0, "a probe waited behind the slow clients")

    def test_a_slow_head_is_cut_off_and_oversized_requests_are_refused(self):
        hp = self.start(["--build", "true"])
        hp.wait_for("build_finished", build=1)
        port = hp.http_port()
        # A head that never ends is closed at its deadline (5 s), not held open.
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(b"GET /v1/status HTTP/1.1\r\nHost: x\r\n")
            start = time.monotonic()
            self.assertEqual(recv_or_reset(s), b"")  # unread bytes make the close a reset
            self.assertLess(time.monotonic() - start, 20)
        # A head over 16 KiB is closed unanswered.
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            try:
                s.sendall(b"GET / HTTP/1.1\r\nX-Big: " + b"a" * (20 * 1024) + b"\r\n\r\n")
            except ConnectionResetError:
                pass
            self.assertEqual(recv_or_reset(s), b"")
        # A body over 64 KiB gets 413.
        status, _ = http_request(hp.url("/v1/rebuild"), method="POST", data=b"x" * (100 * 1024))
        self.assertEqual(status, 413)
        self.assertEqual(http_request(hp.url("/healthz"))[0], 200)


if __name__ == "__main__":
    unittest.main()
