"""The Debian packages of `make dist` do what docs/install.md promises: on a clean Debian 12 (the
debootstrap'd minbase root file system of scripts/base-image.sh, extracted into a temp dir and
entered with chroot), `apt install ./hotpod_VERSION_amd64.deb` installs /usr/bin/hotpod with no
dependency and no network, `hotpod version` there says amd64 and static, `dpkg -L hotpod` lists
the binary, and `apt remove hotpod` takes it away again. The arm64 package says Architecture
arm64, holds a static aarch64 binary that qemu-aarch64-static runs (`architecture: arm64`), and
dpkg on this amd64 root refuses to install it.

The packages are dist/hotpod_*_ARCH.deb (`make dist` makes them); where dist/ has only the
binaries, scripts/dist/deb.sh packages them into a temp copy of dist/ (seconds). A package whose
binary is dynamic fails here: minbase has glibc but none of hotpod's libraries.

Needs root (chroot, mount namespaces): SKIPPED (exit 77) otherwise. Costs 15-30 s, mostly
unpacking the 110 MB root file system; the tarball is made once per machine (debootstrap, about
a minute).
"""
import glob
import os
import shutil
import subprocess
import tempfile
import unittest

from hotpod_harness import DIST_DIR, SOURCE_DIR, skip

QEMU = shutil.which("qemu-aarch64-static")
DEB_SH = os.path.join(SOURCE_DIR, "scripts", "dist", "deb.sh")
BASE_IMAGE_SH = os.path.join(SOURCE_DIR, "scripts", "base-image.sh")
ROOT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def run(argv, timeout=300, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)


def checked(argv, **kw):
    proc = run(argv, **kw)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} exited {proc.returncode}:\n"
                             f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def package(arch, scratch):
    """dist/hotpod_*_ARCH.deb, or one that deb.sh makes from dist/'s binary in scratch."""
    debs = glob.glob(os.path.join(DIST_DIR, f"hotpod_*_{arch}.deb"))
    if len(debs) == 1:
        return debs[0]
    if debs:
        raise AssertionError(f"more than one hotpod_*_{arch}.deb in {DIST_DIR}: {debs}")
    binaries = glob.glob(os.path.join(DIST_DIR, f"hotpod-*-linux-{arch}"))
    if len(binaries) != 1:
        raise AssertionError(f"expected one {DIST_DIR}/hotpod-*-linux-{arch} to package, found "
                             f"{binaries}: run `make dist` (make test does)")
    out = os.path.join(scratch, "dist")
    os.makedirs(out, exist_ok=True)
    shutil.copy(binaries[0], out)
    checked(["bash", DEB_SH, arch], env=dict(os.environ, DIST_DIR=out))
    return glob.glob(os.path.join(out, f"hotpod_*_{arch}.deb"))[0]


def in_root(root, *argv):
    """argv chrooted into root, in private mount and PID namespaces with their own /proc and
    /dev/pts: every mount goes away with the namespace, whatever happens to the test."""
    setup = ('mount -t proc proc "$0/proc" && '
             'mount -t devpts -o newinstance,ptmxmode=0666 devpts "$0/dev/pts" && '
             'exec chroot "$0" env -i "$1" DEBIAN_FRONTEND=noninteractive "${@:2}"')
    return run(["unshare", "--mount", "--pid", "--fork", "--kill-child", "--propagation",
                "private", "bash", "-c", setup, root, ROOT_PATH, *argv])


class DebianPackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            skip("chroot into a Debian root file system and mount namespaces need root")
        for tool in ("dpkg-deb", "unshare", "chroot", "debootstrap", "file"):
            if not shutil.which(tool):
                skip(f"{tool} is missing (scripts/install-deps.sh installs it)")
        cls.scratch = tempfile.mkdtemp(prefix="hotpod-deb-")
        cls.addClassCleanup(shutil.rmtree, cls.scratch, ignore_errors=True)
        # Made once per machine and cached (HOTPOD_TEST_CACHE); prints the tarball's path.
        tarball = checked(["bash", BASE_IMAGE_SH], timeout=1200).stdout.strip().splitlines()[-1]
        cls.root = os.path.join(cls.scratch, "root")
        os.makedirs(cls.root)
        checked(["tar", "-C", cls.root, "--numeric-owner", "-xf", tarball])

    def test_amd64_installs_runs_is_listed_and_removes_on_clean_debian(self):
        deb = package("amd64", self.scratch)
        self.assertEqual(checked(["dpkg-deb", "-f", deb, "Architecture"]).stdout.strip(),
                         "amd64")
        self.assertEqual(checked(["dpkg-deb", "-f", deb, "Depends"]).stdout.strip(), "",
                         "a static binary depends on nothing")
        name = os.path.basename(deb)
        shutil.copy(deb, os.path.join(self.root, "root", name))
        self.assertFalse(os.path.exists(os.path.join(self.root, "usr", "bin", "hotpod")))

        # As docs/install.md says; apt finds the file by its ./ path, no package lists needed.
        install = in_root(self.root, "sh", "-c", f"cd /root && apt install -y ./{name}")
        self.assertEqual(install.returncode, 0, install.stdout + install.stderr)
        self.assertIn("Setting up hotpod", install.stdout)
        self.assertIn("1 newly installed", install.stdout)

        version = in_root(self.root, "hotpod", "version")
        self.assertEqual(version.returncode, 0, version.stdout + version.stderr)
        self.assertRegex(version.stdout, r"^hotpod \d+\.\d+\.\d+\n")
        self.assertIn("architecture: amd64", version.stdout)
        self.assertIn("linkage:      static", version.stdout)
        which = in_root(self.root, "sh", "-c", "command -v hotpod")
        self.assertEqual(which.stdout.strip(), "/usr/bin/hotpod")

        listed = in_root(self.root, "dpkg", "-L", "hotpod")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertIn("/usr/bin/hotpod", listed.stdout.splitlines())
        status = in_root(self.root, "dpkg-query", "-W", "-f", "${Status} ${Architecture}",
                         "hotpod")
        self.assertEqual(status.stdout, "install ok installed amd64")

        remove = in_root(self.root, "apt", "remove", "-y", "hotpod")
        self.assertEqual(remove.returncode, 0, remove.stdout + remove.stderr)
        self.assertIn("Removing hotpod", remove.stdout)
        self.assertFalse(os.path.lexists(os.path.join(self.root, "usr", "bin", "hotpod")))
        gone = in_root(self.root, "dpkg-query", "-W", "-f", "${Status}", "hotpod")
        self.assertNotIn("installed", gone.stdout.replace("not-installed", ""))
        self.assertNotEqual(in_root(self.root, "hotpod", "version").returncode, 0)

    def test_arm64_holds_a_static_aarch64_binary_that_this_root_refuses(self):
        deb = package("arm64", self.scratch)
        self.assertEqual(checked(["dpkg-deb", "-f", deb, "Architecture"]).stdout.strip(),
                         "arm64")
        contents = os.path.join(self.scratch, "arm64-contents")
        checked(["dpkg-deb", "-x", deb, contents])
        binary = os.path.join(contents, "usr", "bin", "hotpod")
        self.assertTrue(os.access(binary, os.X_OK), f"{deb} has no executable /usr/bin/hotpod")
        description = checked(["file", "-b", binary]).stdout
        self.assertIn("ARM aarch64", description)
        self.assertIn("statically linked", description)

        # The wrong architecture for this amd64 Debian: dpkg says so instead of installing it.
        name = os.path.basename(deb)
        shutil.copy(deb, os.path.join(self.root, "root", name))
        refused = in_root(self.root, "dpkg", "-i", f"/root/{name}")
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("package architecture (arm64) does not match system (amd64)",
                      refused.stderr)
        after = in_root(self.root, "dpkg-query", "-W", "-f", "${Architecture}", "hotpod")
        self.assertNotEqual(after.stdout, "arm64")

        if not QEMU:
            self.skipTest("SKIPPED: qemu-aarch64-static is not installed (qemu-user-static): "
                          "the arm64 binary was checked but not run")
        version = run([QEMU, binary, "version"], timeout=120)
        self.assertEqual(version.returncode, 0, version.stderr)
        self.assertIn("architecture: arm64", version.stdout)
        self.assertIn("linkage:      static", version.stdout)


if __name__ == "__main__":
    unittest.main()
