"""hotpod tar with the archives the real sync clients write (GNU tar as kubectl cp runs it,
Go's archive/tar as Skaffold, Tilt and compose use it, Python's tarfile in PAX format), with
their exact command lines; and its safety: escapes, devices, set-uid, cut streams, other users'
files, options it does not support."""
import os
import stat
import subprocess
import tarfile
import unittest

from hotpod_harness import HOTPOD, TempTree, write
from tar_support import gnu_archive, go_archive, hotpod_tar, pax_archive

LONG = "d" * 60 + "/" + "e" * 70 + "/" + "long-name-" + "f" * 90 + ".go"  # > 100 bytes: ustar can't


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def tree(root):
    """{relative path: (kind, content or target, mode bits)} of everything below root."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                out[rel] = ("link", os.readlink(path), 0)
            elif stat.S_ISDIR(info.st_mode):
                out[rel] = ("dir", None, 0)
            else:
                with open(path, "rb") as f:
                    out[rel] = ("file", f.read(), stat.S_IMODE(info.st_mode))
    return out


class TarExtractTest(TempTree):
    def setUp(self):
        super().setUp()
        self.src = os.path.join(self.dir, "src")
        self.dest = os.path.join(self.dir, "dest")
        os.makedirs(self.dest)
        write(os.path.join(self.src, "main.go"), "package main\n")
        write(os.path.join(self.src, "pkg", "util.go"), "package pkg\n")
        write(os.path.join(self.src, LONG), "package long\n")
        write(os.path.join(self.src, "run.sh"), "#!/bin/sh\n")
        os.chmod(os.path.join(self.src, "run.sh"), 0o755)
        os.symlink("pkg/util.go", os.path.join(self.src, "alias.go"))
        os.link(os.path.join(self.src, "main.go"), os.path.join(self.src, "hard.go"))
        os.utime(os.path.join(self.src, "main.go"), (1_500_000_000, 1_500_000_000))

    def assertExtracted(self, result):
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        self.assertEqual(tree(self.dest), tree(self.src))

    def test_kubectl_cp_line_with_gnu_tar_archive(self):
        result = hotpod_tar(["--no-same-permissions", "--no-same-owner", "-xmf", "-", "-C",
                             self.dest], gnu_archive(self.src))
        self.assertExtracted(result)
        # -m: times are not restored; hard links stay links.
        self.assertNotEqual(os.stat(os.path.join(self.dest, "main.go")).st_mtime, 1_500_000_000)
        self.assertEqual(os.stat(os.path.join(self.dest, "hard.go")).st_ino,
                         os.stat(os.path.join(self.dest, "main.go")).st_ino)

    def test_skaffold_line_with_go_archive_through_a_tar_symlink(self):
        link = os.path.join(self.dir, "bin", "tar")
        os.makedirs(os.path.dirname(link))
        os.symlink(HOTPOD, link)
        result = hotpod_tar(["xmf", "-", "-C", self.dest, "--no-same-owner"],
                            go_archive(self.src), argv0=link)
        self.assertExtracted(result)

    def test_tilt_line_keeps_modes_and_mtimes_of_a_pax_archive(self):
        data = pax_archive([("app/", None), ("app/" + LONG, b"package long\n", 0o640, 1_234_567_890),
                            ("app/tool", b"#!/bin/sh\n", 0o755, 1_000_000_000)])
        result = hotpod_tar(["-C", self.dest, "-x", "-f", "-"], data)
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        long_path = os.path.join(self.dest, "app", LONG)
        self.assertEqual(read_bytes(long_path), b"package long\n")
        self.assertEqual(os.stat(long_path).st_mtime, 1_234_567_890)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(self.dest, "app", "tool")).st_mode)
                         & 0o700, 0o700)

    def test_compose_line_lists_like_gnu_tar(self):
        data = gnu_archive(self.src)
        result = hotpod_tar(["-v", "-C", self.dest, "-x", "-f", "-"], data)
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        gnu = subprocess.run(["tar", "-tf", "-"], input=data, stdout=subprocess.PIPE, check=True)
        self.assertEqual(result.stdout.decode().splitlines(), gnu.stdout.decode().splitlines())

    def test_gzip_and_create_round_trip_through_gnu_tar(self):
        made = subprocess.run([HOTPOD, "tar", "czf", "-", "-C", self.src, "."],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(made.returncode, 0, made.stderr.decode())
        subprocess.run(["tar", "xzf", "-", "-C", self.dest], input=made.stdout, check=True)
        self.assertEqual(tree(self.dest), tree(self.src))

    def test_a_relative_archive_path_is_read_from_where_tar_started_as_gnu_tar_does(self):
        made = subprocess.run([HOTPOD, "tar", "-C", "src", "-cf", "made.tar", "."],
                              cwd=self.dir, capture_output=True)
        self.assertEqual(made.returncode, 0, made.stderr.decode())
        self.assertTrue(os.path.isfile(os.path.join(self.dir, "made.tar")))
        self.assertExtracted(subprocess.run([HOTPOD, "tar", "-C", "dest", "-xf", "made.tar"],
                                            cwd=self.dir, capture_output=True))

    def test_create_stores_hard_links_as_links_like_gnu_tar(self):
        os.makedirs(os.path.join(self.dir, "linked"))
        first = os.path.join(self.dir, "linked", "a.bin")
        write(first, "x" * 100000)
        os.link(first, os.path.join(self.dir, "linked", "b.bin"))
        made = subprocess.run([HOTPOD, "tar", "cf", "-", "-C", self.dir, "linked"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(made.returncode, 0, made.stderr.decode())
        listed = subprocess.run(["tar", "tvf", "-"], input=made.stdout, stdout=subprocess.PIPE,
                                check=True).stdout.decode()
        self.assertRegex(listed, r"linked/(a|b)\.bin link to linked/(a|b)\.bin")
        self.assertLess(len(made.stdout), 150000, "the data was stored twice")
        subprocess.run(["tar", "xf", "-", "-C", self.dest], input=made.stdout, check=True)
        a, b = (os.stat(os.path.join(self.dest, "linked", n)) for n in ("a.bin", "b.bin"))
        self.assertEqual(a.st_ino, b.st_ino)
        self.assertEqual(a.st_size, 100000)

    def test_escapes_write_nothing_outside(self):
        outside = os.path.join(self.dir, "outside")
        os.makedirs(outside)
        data = pax_archive([
            ("../escaped.txt", b"no"),
            ("ok/../../escaped2.txt", b"no"),
            ("/absolute.txt", b"stripped"),
            ("link", None, 0o777, None, {"type": tarfile.SYMTYPE, "linkname": outside}),
            ("link/through.txt", b"no"),
            ("hard", None, 0o644, None, {"type": tarfile.LNKTYPE, "linkname": "../x"}),
        ])
        result = hotpod_tar(["-C", self.dest, "-x", "-f", "-"], data)
        err = result.stderr.decode()
        self.assertEqual(result.returncode, 2, err)
        self.assertEqual(os.listdir(outside), [])
        self.assertFalse(os.path.exists(os.path.join(self.dir, "escaped.txt")))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "escaped2.txt")))
        self.assertIn("Member name contains '..'", err)
        self.assertIn("Removing leading `/' from member names", err)
        self.assertIn("link/through.txt", err)
        self.assertEqual(read_bytes(os.path.join(self.dest, "absolute.txt")), b"stripped")

    def test_devices_are_not_made_and_setuid_is_dropped(self):
        data = pax_archive([
            ("null", None, 0o666, None, {"type": tarfile.CHRTYPE, "devmajor": 1, "devminor": 3}),
            ("suid", b"x", 0o4755),
        ])
        result = hotpod_tar(["-C", self.dest, "-x", "-f", "-"], data)
        err = result.stderr.decode()
        self.assertEqual(result.returncode, 2, err)
        self.assertIn("null: Cannot mknod", err)
        self.assertIn("suid: set-uid/set-gid bits removed", err)
        self.assertFalse(os.path.lexists(os.path.join(self.dest, "null")))
        self.assertEqual(os.stat(os.path.join(self.dest, "suid")).st_mode & 0o6000, 0)

    def test_cut_stream_leaves_only_complete_files(self):
        data = pax_archive([("first.go", b"a" * 5000), ("second.go", b"b" * 100_000)])
        cut = data[:len(data) // 2]  # in the middle of second.go's content
        result = hotpod_tar(["-C", self.dest, "-x", "-f", "-"], cut)
        self.assertEqual(result.returncode, 2, result.stderr.decode())
        self.assertIn("Unexpected EOF", result.stderr.decode())
        self.assertEqual(sorted(os.listdir(self.dest)), ["first.go"])  # no temp file either
        self.assertEqual(read_bytes(os.path.join(self.dest, "first.go")), b"a" * 5000)

    def test_unsupported_option_is_refused_by_name(self):
        for args, name in ((["-xjf", "-"], "'-j'"), (["-x", "--overwrite", "-f", "-"],
                                                     "'--overwrite'")):
            result = hotpod_tar(args, b"")
            self.assertEqual(result.returncode, 2)
            self.assertIn(name, result.stderr.decode())

    def test_non_root_replaces_a_file_owned_by_another_user(self):
        if os.geteuid() != 0:
            print("SKIPPED (this case): needs root to run as uid 65534 over root's files",
                  flush=True)
            self.skipTest("needs root for setpriv")
        os.chmod(self.dir, 0o755)
        os.chmod(self.dest, 0o777)  # a writable directory, as in a dev image's /app
        owned = os.path.join(self.dest, "main.go")
        write(owned, "old, root's\n")
        os.chmod(owned, 0o644)
        data = pax_archive([("main.go", b"new\n")])
        result = hotpod_tar(["--no-same-permissions", "--no-same-owner", "-xmf", "-", "-C",
                             self.dest], data, user=65534)
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        self.assertEqual(read_bytes(owned), b"new\n")
        self.assertEqual(os.stat(owned).st_uid, 65534)


if __name__ == "__main__":
    unittest.main()
