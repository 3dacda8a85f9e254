"""audit.path: every build, restart, signal and rollback is one JSON line, and nothing is lost or
torn across 100 reloads with a SIGKILL of hotpod in the middle of a build, a partial line left
by that crash, an app crash, rotation by size and a second hotpod appending to the same log.
The webhook payloads carry the same record; `hotpod audit` shows and filters it; a FIFO at
audit.path is refused."""
import glob
import http.server
import json
import os
import signal
import threading
import time
import unittest

from hotpod_harness import TempTree, http_request, run_hotpod, write

RELOADS = 100
KILLED_AT = 50  # the build of this reload is running when hotpod is SIGKILLed
APP_CRASH_AT = 75  # before this reload, the app is SIGKILLed (and restarted as a crash)


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"fnv1a64:{h:016x}"


def audit_lines(path):
    """Every line of the log and its rotated files, oldest first."""
    files = sorted(glob.glob(path + ".[0-9]*"), key=lambda f: -int(f.rsplit(".", 1)[1])) + [path]
    lines = []
    for name in files:
        with open(name, "rb") as f:
            data = f.read()
        if data:
            complete = data.endswith(b"\n")
            lines += [(name, line, True) for line in data.split(b"\n")[:-1]]
            if not complete:
                lines.append((name, data.rsplit(b"\n", 1)[-1], False))
    return files, lines


class AuditLogTest(TempTree):
    def project(self, extra=""):
        os.makedirs(os.path.join(self.dir, "src"))
        os.makedirs(os.path.join(self.dir, "bin"))
        os.makedirs(os.path.join(self.dir, "logs"))
        write(os.path.join(self.dir, "src", "main.txt"), "version 0\n")
        write(os.path.join(self.dir, "hotpod.yaml"), f"""
watch:
  delay: 20ms
build:
  cmd: sleep 0.1 && cp src/main.txt bin/app.txt
  artifacts: [bin/app.txt]
run:
  cmd: [sleep, '100000']
  stop_timeout: 2s
audit:
  path: logs/audit.jsonl
  max_size: 16KiB
  keep: 20
{extra}""")
        return os.path.join(self.dir, "logs", "audit.jsonl")

    def reload(self, hp, i):
        mark = hp.mark()
        write(os.path.join(self.dir, "src", "main.txt"), f"version {i}\n")
        return hp.wait_for("app_started", after=mark)[1]

    def test_100_reloads_with_crashes_lose_and_tear_no_line(self):
        log = self.project()
        builds = starts = 0

        first = self.start([])
        first.wait_for("app_started")
        for i in range(1, KILLED_AT):
            self.reload(first, i)
        mark = first.mark()
        write(os.path.join(self.dir, "src", "main.txt"), f"version {KILLED_AT}\n")
        first.wait_for("build_started", after=mark)
        first.stop(signal.SIGKILL)
        builds += first.count("build_finished")
        starts += first.count("app_started")
        # What a crash inside a write would leave: half a record without its newline.
        with open(log, "ab") as f:
            f.write(b'{"event":"build","time":"2026-12-03T2')

        second = self.start([])
        _, repaired = second.wait_for("audit_repaired")
        self.assertEqual(repaired["bytes"], 37)
        _, app = second.wait_for("app_started")
        for i in range(KILLED_AT + 1, RELOADS + 1):
            if i == APP_CRASH_AT:
                mark = second.mark()
                os.kill(app["pid"], signal.SIGKILL)
                second.wait_for("app_started", after=mark)
            app = self.reload(second, i)
        self.assertEqual(second.stop(), 0)
        builds += second.count("build_finished")
        starts += second.count("app_started")

        files, lines = audit_lines(log)
        self.assertGreater(len(files), 2, "16KiB of records were rotated")
        records = []
        for name, line, complete in lines:
            self.assertTrue(complete, f"{name}: a line without its newline: {line[:80]!r}")
            records.append(json.loads(line))  # every line is one JSON document
        by_event = {}
        for r in records:
            by_event.setdefault(r["event"], []).append(r)
        # One record per build that finished and per start of the app, none lost, none twice.
        self.assertEqual(len(by_event["build"]), builds)
        started = [r for r in by_event["restart"] if r["result"] == "started"]
        self.assertEqual(len(started), starts)
        self.assertEqual(len(records), builds + starts)
        self.assertEqual([r["build"] for r in by_event["build"][:KILLED_AT]],
                         list(range(1, KILLED_AT + 1)))
        kinds = [r["trigger"]["kind"] for r in by_event["build"]]
        self.assertEqual(kinds.count("start"), 2, "one start build per hotpod")
        self.assertEqual(kinds.count("files"), RELOADS - 1, "the killed build never finished")
        crashes = [r for r in started if r["trigger"]["kind"] == "crash"]
        self.assertEqual(len(crashes), 1)
        self.assertEqual(crashes[0]["reason"], "crash")
        times = [r["time"] for r in records]
        self.assertEqual(times, sorted(times), "appended in order, across both hotpods")

        # The trigger carries the changed file's size and content hash as the build saw it; the
        # version is the hash of the artefact it built (here a copy of that file).
        for r in by_event["build"]:
            self.assertEqual(r["result"], "success")
            if r["trigger"]["kind"] == "files":
                (changed,) = r["trigger"]["files"]
                self.assertEqual(changed["path"], "src/main.txt")
                self.assertEqual(r["version"], changed["hash"])
        last = by_event["build"][-1]["trigger"]["files"][0]
        content = f"version {RELOADS}\n".encode()
        self.assertEqual((last["size"], last["hash"]), (len(content), fnv1a64(content)))
        for r in started:
            if r["trigger"]["kind"] == "build":
                self.assertEqual(r["trigger"]["build"], r["build"])
        self.assertEqual(started[-1]["version"], fnv1a64(content))

        # hotpod audit: the same records, filtered.
        def audit(*args):
            result = run_hotpod(["audit", *args], cwd=self.dir)
            self.assertEqual(result.returncode, 0, result.stderr)
            return result.stdout.splitlines()

        self.assertEqual([json.loads(line) for line in audit("--json")], records)
        table = audit()
        self.assertEqual(table[0].split(), ["TIME", "EVENT", "RESULT", "BUILD", "VERSION", "TRIGGER"])
        self.assertEqual(len(table), len(records) + 1)
        self.assertIn("1 file(s): src/main.txt", table[-2])
        rows = audit("--path", "src/*.txt", "--event", "build")
        self.assertEqual(len(rows), 1 + RELOADS - 1, "the header and the builds the file set off")
        self.assertEqual(audit("--path", "docs/**", "--json"), [])
        self.assertEqual(audit("--since", "2h", "--json", "--event", "restart"),
                         audit("--json", "--event", "restart"))
        middle = records[len(records) // 2]["time"]
        later = audit("--since", middle, "--json")
        self.assertEqual([json.loads(line) for line in later],
                         [r for r in records if r["time"] >= middle])
        self.assertEqual(len(audit("--until", "2000-01-01", "--json")), 0)

    def test_webhooks_carry_the_audit_record_and_requests_their_client(self):
        received = []
        cond = threading.Condition()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with cond:
                    received.append(body)
                    cond.notify_all()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        log = self.project(f"notify:\n  webhooks: [http://127.0.0.1:{server.server_address[1]}/]\n")
        hp = self.start(["--log-level", "debug"], env={"HOTPOD_TOKEN": "s3cret"})
        hp.wait_for("app_started")
        mark = hp.mark()
        status, _ = http_request(hp.url("/v1/rebuild"), method="POST",
                                 headers={"Authorization": "Bearer s3cret"}, data=b"")
        self.assertEqual(status, 202)
        hp.wait_for("app_started", after=mark)
        with cond:
            self.assertTrue(cond.wait_for(lambda: len(received) >= 4, 60), received)
        self.assertEqual(hp.stop(), 0)

        _, lines = audit_lines(log)
        records = [json.loads(line) for _, line, _ in lines]
        carried = [body["audit"] for body in received]
        self.assertEqual(carried, records[:len(carried)], "the webhooks carry the audit records")
        self.assertEqual([b["event"] for b in received],
                         ["build_succeeded", "restart", "build_succeeded", "restart"])
        requested = records[2]
        self.assertEqual((requested["event"], requested["trigger"]["kind"]), ("build", "request"))
        self.assertEqual(requested["trigger"]["action"], "rebuild")
        self.assertRegex(requested["trigger"]["client"], r"^127\.0\.0\.1:\d+$")

    def test_a_rules_signal_is_recorded_with_the_file_that_set_it_off(self):
        os.makedirs(os.path.join(self.dir, "config"))
        write(os.path.join(self.dir, "hotpod.yaml"), """
run:
  cmd: [python3, -c, 'import signal, time; signal.signal(signal.SIGHUP, lambda *a: None); time.sleep(100000)']
rules:
  - match: 'config/*.yaml'
    signal: SIGHUP
audit:
  path: audit.jsonl
""")
        hp = self.start([])
        _, started = hp.wait_for("app_started")
        mark = hp.mark()
        write(os.path.join(self.dir, "config", "app.yaml"), "greeting: hi\n")
        hp.wait_for("app_signalled", after=mark)
        self.assertEqual(hp.stop(), 0)
        with open(os.path.join(self.dir, "audit.jsonl")) as f:
            records = [json.loads(line) for line in f]
        self.assertEqual([r["event"] for r in records], ["restart", "signal"],
                         "the audit log's own writes set nothing off")
        signalled = records[1]
        self.assertEqual((signalled["signal"], signalled["result"], signalled["pid"]),
                         ("SIGHUP", "sent", started["pid"]))
        self.assertEqual(signalled["trigger"]["files"],
                         [{"path": "config/app.yaml", "change": "created", "size": 13,
                           "hash": fnv1a64(b"greeting: hi\n")}])
        self.assertEqual(records[0]["trigger"], {"kind": "start"})
        self.assertIsNone(records[0]["version"], "python3 is not a build output")

    def test_a_fifo_at_audit_path_is_refused(self):
        log = self.project()
        os.mkfifo(log)
        scratch = os.path.join(self.dir, "tmp")
        os.makedirs(scratch)
        started = time.monotonic()
        result = run_hotpod(["run", "--log-format", "json", "--listen", "off"], cwd=self.dir,
                            env={"TMPDIR": scratch})
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn(f"{log} is a named pipe (FIFO), not a regular file", result.stderr)
        self.assertLess(time.monotonic() - started, 30, "opening it did not block")
        self.assertTrue(os.path.exists(log) and not os.path.isfile(log), "the FIFO is kept")
        self.assertEqual(os.listdir(scratch), [], "no scratch directory is left behind")


if __name__ == "__main__":
    unittest.main()
