"""The binaries of `make dist` are what docs/install.md promises: fully static, stripped, with a
matching .sha256, naming their architecture; the arm64 one runs a whole dev loop (change → build
→ restart) under qemu-user on this amd64 machine.

A dynamically linked hotpod fails the same checks: the test copies the development build into a
root file system with no libraries and sees it refused by the kernel ("No such file or
directory": no program interpreter), which is what the static one must not do.
"""
import hashlib
import os
import shutil
import subprocess
import time
import unittest

from hotpod_harness import HOTPOD, Hotpod, TempTree, record_ns, write
from rootfs_support import dist_binary

QEMU = shutil.which("qemu-aarch64-static")


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, **kw)


class StaticBinaryTest(unittest.TestCase):
    def test_each_binary_is_static_stripped_and_has_its_checksum(self):
        for arch, machine in (("amd64", "x86-64"), ("arm64", "ARM aarch64")):
            with self.subTest(arch=arch):
                binary = dist_binary(arch)
                description = run(["file", "-b", binary]).stdout
                self.assertIn("statically linked", description)
                self.assertIn(machine, description)
                self.assertIn("stripped", description.replace("not stripped", "NOT"))
                headers = run(["readelf", "-l", "-d", binary]).stdout
                self.assertNotIn("program interpreter", headers)
                self.assertNotIn("(NEEDED)", headers)
                with open(binary + ".sha256") as f:
                    digest, name = f.read().split()
                self.assertEqual(name, os.path.basename(binary))
                with open(binary, "rb") as f:
                    self.assertEqual(digest, hashlib.sha256(f.read()).hexdigest())
                size = os.path.getsize(binary)
                print(f"{os.path.basename(binary)}: {size / 2**20:.1f} MiB", flush=True)

    def test_version_names_architecture_commit_and_libraries(self):
        version = run([dist_binary("amd64"), "version"]).stdout
        self.assertRegex(version, r"^hotpod \d+\.\d+\.\d+\n")
        self.assertIn("architecture: amd64", version)
        self.assertIn("linkage:      static", version)
        self.assertRegex(version, r"commit:\s+[0-9a-f]{12}")
        for library in ("cpp-httplib", "yaml-cpp", "prometheus-cpp", "curl", "spdlog", "fmt",
                        "CLI11", "toml++", "nlohmann-json"):
            self.assertIn(library, version)
        # libcurl with OpenSSL and c-ares (names resolved without glibc's NSS), nothing else.
        self.assertRegex(version, r"http client:\s+libcurl/\S+ OpenSSL/\S+ c-ares/\S+\n")

    @unittest.skipUnless(os.geteuid() == 0, "SKIPPED: chroot needs root")
    def test_runs_in_a_root_file_system_without_libraries(self):
        root = self.enterContext(_TempDir())
        os.makedirs(os.path.join(root, "bin"))
        shutil.copy(dist_binary("amd64"), os.path.join(root, "bin", "hotpod"))
        shutil.copy(HOTPOD, os.path.join(root, "bin", "hotpod-dynamic"))
        static = run(["chroot", root, "/bin/hotpod", "version"])
        self.assertEqual(static.returncode, 0, static.stderr)
        self.assertIn("architecture: amd64", static.stdout)
        # hotpod run there too: the app it starts needs no /dev/null (the root has no /dev);
        # hotpod run's scratch directory needs a /tmp.
        os.makedirs(os.path.join(root, "src"))
        os.makedirs(os.path.join(root, "tmp"))
        os.chmod(os.path.join(root, "tmp"), 0o1777)
        hp = Hotpod(["--root", "/src", "--", "/bin/hotpod", "version"], cwd=root,
                    wrapper=("chroot", root), binary="/bin/hotpod")
        try:
            hp.wait_for("output", source="app", msg="architecture: amd64")
        finally:
            hp.kill()
        # The development build is dynamic: there it does not even start.
        dynamic = run(["chroot", root, "/bin/hotpod-dynamic", "version"])
        self.assertNotEqual(dynamic.returncode, 0)
        self.assertIn("No such file or directory", dynamic.stderr)


class _TempDir:
    def __enter__(self):
        import tempfile
        self.path = tempfile.mkdtemp(prefix="hotpod-dist-")
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)


@unittest.skipUnless(QEMU, "SKIPPED: qemu-aarch64-static is not installed (qemu-user-static)")
class Arm64UnderQemuTest(TempTree):
    """The arm64 binary, run by qemu-user: its own code is arm64; the build and app commands it
    starts are this machine's programs, as they would be in an arm64 container."""

    def qemu(self, *args, **kw):
        return run([QEMU, dist_binary("arm64"), *args], **kw)

    def test_version_and_check(self):
        version = self.qemu("version")
        self.assertEqual(version.returncode, 0, version.stderr)
        self.assertIn("architecture: arm64", version.stdout)
        write(os.path.join(self.dir, "main.c"), "int main(void) { return 0; }\n")
        write(os.path.join(self.dir, "notes.txt"), "not a source\n")
        write(os.path.join(self.dir, "hotpod.yaml"),
              "watch:\n  include_ext: [c]\nbuild:\n  cmd: cc -o app main.c\nrun:\n  cmd: [./app]\n")
        check = self.qemu("check", "--list-files", cwd=self.dir)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.assertIn("main.c", check.stdout)
        self.assertNotIn("notes.txt", check.stdout)

    def test_a_change_is_built_and_the_app_restarted(self):
        write(os.path.join(self.dir, "version.txt"), "v1\n")
        write(os.path.join(self.dir, "hotpod.yaml"),
              "watch:\n  include_ext: [txt]\n"
              "build:\n  cmd: cp version.txt served.txt\n"
              "run:\n  cmd: sh -c 'cat served.txt; exec sleep 1000'\n")
        hp = self.start([], wrapper=(QEMU,), binary=dist_binary("arm64"))
        hp.wait_for("build_finished", result="success")
        _, first = hp.wait_for("app_started")
        after = hp.mark()
        saved = time.time_ns()
        write(os.path.join(self.dir, "version.txt"), "v2\n")
        _, started = hp.wait_for("build_started", after=after)
        _, built = hp.wait_for("build_finished", after=after, result="success")
        _, second = hp.wait_for("app_started", after=after)
        waited = time.time_ns()
        self.assertNotEqual(first["pid"], second["pid"])
        # qemu-user runs the vfork child as a fork: the time of its execve never reaches hotpod,
        # which then stamps the records with the spawn's return (proc/spawn.h), not with zero.
        for record in (started, second):
            self.assertGreaterEqual(record_ns(record), saved - 1000, record)
            self.assertLessEqual(record_ns(record), waited, record)
        self.assertLessEqual(built["duration_ms"], (waited - saved) // 10**6, built)
        with open(os.path.join(self.dir, "served.txt")) as f:
            self.assertEqual(f.read(), "v2\n")
        self.assertEqual(hp.stop(), 0, hp.log_tail())


if __name__ == "__main__":
    unittest.main()
