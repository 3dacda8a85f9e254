"""notify.webhooks: a JSON POST reaches a local receiver, retried after a failure, and a
receiver that never answers does not hold the loop up."""
import http.server
import json
import os
import threading
import unittest

from hotpod_harness import TempTree, http_request, write
from observe_support import sample


class Receiver:
    """A local HTTP receiver that fails the first `failures` requests with 500."""

    def __init__(self, failures):
        self.requests = []
        self.cond = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with outer.cond:
                    outer.requests.append((self.headers["Content-Type"], json.loads(body)))
                    failing = len(outer.requests) <= failures
                    outer.cond.notify_all()
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_count(self, count, timeout=120):
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"only {len(self.requests)} webhook requests arrived")
            return list(self.requests)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class WebhookTest(TempTree):
    def test_delivered_with_a_retry_after_one_failure(self):
        receiver = Receiver(failures=1)
        self.addCleanup(receiver.close)
        write(os.path.join(self.dir, "main.c"), "int main(void) { return 0; }\n")
        write(os.path.join(self.dir, "hotpod.yaml"), f"""
build:
  cmd: cc -o /dev/null main.c
notify:
  webhooks:
    - url: {receiver.url}
      events: [build_succeeded, build_failed]
      retries: 2
""")
        hp = self.start(["--log-level", "debug"])  # webhook_delivered is a debug record
        hp.wait_for("build_finished", build=1, result="success")
        requests = receiver.wait_count(2)  # the failed attempt, then the retry
        hp.wait_for("webhook_delivered", hook_event="build_succeeded", attempts=2)
        self.assertEqual(requests[0], requests[1], "the retry sends the same event")
        content_type, body = requests[1]
        self.assertEqual(content_type, "application/json")
        self.assertEqual(body["event"], "build_succeeded")
        self.assertEqual(body["build"]["number"], 1)
        self.assertEqual(body["build"]["result"], "success")

        mark = hp.mark()
        write(os.path.join(self.dir, "main.c"), "int main(void) { return nope; }\n")
        hp.wait_for("build_finished", after=mark, build=2, result="failure")
        _, body = receiver.wait_count(3)[2]
        hp.wait_for("webhook_delivered", hook_event="build_failed", attempts=1)
        self.assertEqual(body["event"], "build_failed")
        self.assertTrue(any("nope" in line for line in body["build"]["output_tail"]))
        metrics = http_request(hp.url("/metrics"))[1]
        self.assertEqual(sample(metrics, "hotpod_webhook_deliveries_total", result="delivered"),
                         2)

    def test_a_dead_receiver_is_reported_and_never_blocks_the_loop(self):
        import socket
        with socket.socket() as s:  # a port that refuses connections
            s.bind(("127.0.0.1", 0))
            dead = f"http://127.0.0.1:{s.getsockname()[1]}/hook"
        write(os.path.join(self.dir, "a.txt"), "1")
        write(os.path.join(self.dir, "hotpod.yaml"), f"""
build:
  cmd: 'true'
notify:
  webhooks: [{{url: '{dead}', retries: 1}}]
""")
        hp = self.start([])
        hp.wait_for("build_finished", build=1)
        # While deliveries fail and wait to retry, changes still build.
        for number in (2, 3):
            mark = hp.mark()
            write(os.path.join(self.dir, "a.txt"), str(number))
            hp.wait_for("build_finished", after=mark, build=number)
        _, failed = hp.wait_for("webhook_failed", hook_event="build_succeeded")
        self.assertEqual(failed["attempts"], 2)
        self.assertIn("is the receiver up?", failed["msg"])


if __name__ == "__main__":
    unittest.main()
