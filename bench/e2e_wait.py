"""e2e (bench/peers.py): the old app's exit, awaited before the bench asks for the new answer.

hotpod keeps the old version serving during the build and stops it once the build has
succeeded; the peers (reflex -s, nodemon) stop it at the save. A GET that reaches the old app
while it shuts down is an in-flight request its graceful stop waits for: Go's
http.Server.Shutdown then polls for it every millisecond, and the old app's stop, on the path
from the save to the new answer, grew from 2.2 ms to 3.7 ms (median of 10 saves each, the Gin
example under hotpod). Only for hotpod, as the GETs during the build did (OutputWritten). So
e2e waits for the old app's exit first when the old app (not the tool itself: hotpod's proxy
holds the port across the restart) answered on the port before the save. The time measured is
unchanged: from the save to the first right answer.
"""
import os
import select


def listening_sockets(port):
    """The socket inodes ("socket:[N]") listening on TCP port, IPv4 or IPv6."""
    sockets = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)  # the header
                for line in f:
                    fields = line.split()
                    local, state, inode = fields[1], fields[3], fields[9]
                    if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                        sockets.add(f"socket:[{inode}]")
        except OSError:
            continue
    return sockets


def listener_pid(port):
    """The process holding the socket that listens on port, or None."""
    sockets = listening_sockets(port)
    for pid in (p for p in os.listdir("/proc") if p.isdigit()) if sockets else ():
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue  # gone, or not ours to read
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") in sockets:
                    return int(pid)
            except OSError:
                pass
    return None


class OldApp:
    """The app answering on port before a save (None: nothing listens, or the tool itself does).
    A pidfd, opened before the save, so that a reused PID cannot be mistaken for it."""

    def __init__(self, port, tool_pid):
        pid = listener_pid(port)
        self.pid = pid if pid is not None and pid != tool_pid else None
        self.fd = None
        if self.pid is not None:
            try:
                self.fd = os.pidfd_open(self.pid)
            except OSError:  # exited already, or no pidfds (Linux < 5.3): nothing to wait for
                self.pid = None

    def wait_gone(self, timeout_s):
        """True once it has exited (or when there was nothing to wait for)."""
        if self.fd is None:
            return True
        poller = select.poll()
        poller.register(self.fd, select.POLLIN)
        return bool(poller.poll(timeout_s * 1000))

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
