"""Root file systems that hold only what a test puts there, for the static binaries of
`make dist` (tests/dist/rootfs_itest.py, tests/dist/resolver_itest.py)."""
import glob
import os
import shutil
import subprocess
import tempfile
import time

from hotpod_harness import DIST_DIR, HANG_TIMEOUT, skip, wait_until  # noqa: F401 (re-exported)

BUSYBOX = "/bin/busybox"  # Debian's busybox-static: one static program, every applet


def dist_binary(arch="amd64"):
    found = glob.glob(os.path.join(DIST_DIR, f"hotpod-*-linux-{arch}"))
    if len(found) != 1:
        raise AssertionError(f"expected one {DIST_DIR}/hotpod-*-linux-{arch}, found {found}: "
                             "run `make dist` (make test does)")
    return found[0]


def require_root(*programs):
    """Exits the test file as SKIPPED (77) unless it runs as root with these programs."""
    if os.geteuid() != 0:
        skip("needs root (chroot, mount, PID and network namespaces)")
    missing = [p for p in programs if not shutil.which(p) and not os.path.exists(p)]
    if missing:
        skip(f"{', '.join(missing)} not installed (scripts/install-deps.sh installs them)")


def is_static(path):
    headers = subprocess.run(["readelf", "-l", "-d", path], capture_output=True, text=True,
                             check=True).stdout
    return "program interpreter" not in headers and "(NEEDED)" not in headers


class Root:
    """A fresh directory to chroot into: empty until the test adds to it."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="hotpod-rootfs-")
        os.chmod(self.path, 0o755)

    def cleanup(self):
        shutil.rmtree(self.path, ignore_errors=True)

    def host(self, inside):
        """The host path of a path inside the root ("/app/x" → ROOT/app/x)."""
        return os.path.join(self.path, inside.lstrip("/"))

    def mkdir(self, inside, mode=0o755):
        os.makedirs(self.host(inside), exist_ok=True)
        os.chmod(self.host(inside), mode)

    def write(self, inside, text, mode=0o644):
        path = self.host(inside)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".new", "w") as f:
            f.write(text)
        os.chmod(path + ".new", mode)
        os.rename(path + ".new", path)  # as a build writes: readers see old or new, whole

    def copy(self, source, inside, mode=0o755):
        path = self.host(inside)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        shutil.copy(source, path + ".new")
        os.chmod(path + ".new", mode)
        os.rename(path + ".new", path)

    def add_busybox(self):
        """/bin/busybox and its applets as symlinks, made by busybox itself in the chroot."""
        self.copy(BUSYBOX, "/bin/busybox")
        subprocess.run(["chroot", self.path, "/bin/busybox", "--install", "-s", "/bin"],
                       check=True, timeout=HANG_TIMEOUT)

    def files(self):
        """Every path in the root, relative to it (what the test put there, and nothing else)."""
        found = []
        for top, dirs, names in os.walk(self.path):
            for name in dirs + names:
                found.append(os.path.relpath(os.path.join(top, name), self.path))
        return sorted(found)


def read_lines(path):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []
