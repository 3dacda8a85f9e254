"""An app that wants the port hotpod's own HTTP server holds (issue 22, third round): it fails
with "address already in use" and crash-loops; hotpod says the port is its own and how to move
it."""
import os
import sys
import unittest

from hotpod_harness import TempTree, free_port, write

# Binds the port it is given, like a web app would, and says what the OS said (as Go does).
APP = """import socket, sys
port = int(sys.argv[1])
s = socket.socket()
try:
    s.bind(("127.0.0.1", port))
except OSError as e:
    print(f"listen tcp 127.0.0.1:{port}: bind: {e.strerror.lower()}", flush=True)
    sys.exit(1)
print("listening", flush=True)
"""


class PortClashTest(TempTree):
    def test_an_app_on_hotpods_own_port_is_told_whose_port_it_is(self):
        src = os.path.join(self.dir, "src")
        write(os.path.join(src, "main.txt"), "v1\n")
        app = os.path.join(self.dir, "app.py")
        write(app, APP)
        port = free_port()
        hp = self.start(["--listen", f"127.0.0.1:{port}", "--root", src, "--",
                         sys.executable, app, str(port)])
        hp.wait_for("output", source="app",
                    msg=f"listen tcp 127.0.0.1:{port}: bind: address already in use")
        crashed, _ = hp.wait_for("app_crashed")
        _, second = hp.wait_for("app_started", after=crashed)
        hp.wait_for("app_crashed", pid=second["pid"])  # a crash loop, and no word about why
        hints = hp.find_all("port_clash")
        self.assertEqual(len(hints), 1, hp.log_tail())  # said once, not on every crash
        self.assertIn(f"port {port}", hints[0]["msg"])
        self.assertIn("hotpod's own HTTP server", hints[0]["msg"])
        self.assertIn("--listen", hints[0]["msg"])


if __name__ == "__main__":
    unittest.main()
