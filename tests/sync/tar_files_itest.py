"""hotpod tar writes regular files itself (not through libarchive's disk writer): owners, modes,
times and sparse members must come out as GNU tar makes them, also where hotpod skips a system
call because nothing would change (an owner that is already right, a mode the umask kept)."""
import os
import stat
import subprocess
import tarfile
import unittest

from hotpod_harness import TempTree, write
from tar_support import hotpod_tar, pax_archive


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def gnu_extract(args, data):
    return subprocess.run(["tar", *args], input=data, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, check=True)


class TarFilesTest(TempTree):
    def setUp(self):
        super().setUp()
        self.ours = os.path.join(self.dir, "ours")
        self.gnus = os.path.join(self.dir, "gnu")
        os.makedirs(self.ours)
        os.makedirs(self.gnus)

    def both(self, args, data):
        """The same command line with hotpod's tar into ours/ and GNU tar into gnu/."""
        result = hotpod_tar([*args, "-C", self.ours], data)
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        gnu_extract([*args, "-C", self.gnus], data)

    def assertSameFile(self, name, what=("mode", "uid", "gid", "mtime", "size", "content")):
        ours, gnu = os.path.join(self.ours, name), os.path.join(self.gnus, name)
        a, b = os.lstat(ours), os.lstat(gnu)
        got = {"mode": stat.S_IMODE(a.st_mode), "uid": a.st_uid, "gid": a.st_gid,
               "mtime": a.st_mtime_ns, "size": a.st_size, "content": read_bytes(ours)}
        want = {"mode": stat.S_IMODE(b.st_mode), "uid": b.st_uid, "gid": b.st_gid,
                "mtime": b.st_mtime_ns, "size": b.st_size, "content": read_bytes(gnu)}
        self.assertEqual({k: got[k] for k in what}, {k: want[k] for k in what}, name)

    def test_modes_the_umask_would_change_are_restored_as_root_and_masked_otherwise(self):
        data = pax_archive([("open.sh", b"#!/bin/sh\n", 0o777), ("shared", b"x", 0o666),
                            ("private", b"y", 0o600), ("sticky", b"z", 0o1755)])
        old = os.umask(0o027)
        try:
            self.both(["-x", "-f", "-"], data)
            names = ["open.sh", "shared", "private"] + (["sticky"] if os.geteuid() == 0 else [])
            for name in names:
                self.assertSameFile(name)
            if os.geteuid() == 0:
                mode = stat.S_IMODE(os.stat(os.path.join(self.ours, "shared")).st_mode)
                self.assertEqual(mode, 0o666)  # -p is the default for root: no umask
            for d in (self.ours, self.gnus):
                for name in os.listdir(d):
                    os.unlink(os.path.join(d, name))
            self.both(["--no-same-permissions", "-x", "-f", "-"], data)
            for name in ("open.sh", "shared", "private"):
                self.assertSameFile(name, ("mode", "content"))
            mode = stat.S_IMODE(os.stat(os.path.join(self.ours, "shared")).st_mode)
            self.assertEqual(mode, 0o640)
        finally:
            os.umask(old)

    def test_root_restores_owners_also_our_own_in_a_set_gid_directory(self):
        if os.geteuid() != 0:
            print("SKIPPED (this case): restoring owners needs root", flush=True)
            self.skipTest("needs root")
        other = 65534
        data = pax_archive([
            ("theirs.go", b"a", 0o644, None, {"uid": other, "gid": other, "uname": "",
                                               "gname": ""}),
            ("mine.go", b"b", 0o644, None, {"uid": 0, "gid": os.getegid(), "uname": "",
                                             "gname": ""}),
            ("sub/first.go", b"c", 0o644, None, {"uid": 0, "gid": os.getegid(), "uname": "",
                                                  "gname": ""}),
            ("sub/second.go", b"d", 0o644, None, {"uid": 0, "gid": os.getegid(), "uname": "",
                                                   "gname": ""}),
        ])
        # A set-gid directory of another group: a new file gets that group, and the archive's
        # (our own) must be put back, as GNU tar does.
        for d in (self.ours, self.gnus):
            os.makedirs(os.path.join(d, "sub"))
            os.chown(os.path.join(d, "sub"), -1, other)
            os.chmod(os.path.join(d, "sub"), 0o2775)
        self.both(["-x", "-f", "-"], data)
        for name in ("theirs.go", "mine.go", "sub/first.go", "sub/second.go"):
            self.assertSameFile(name, ("uid", "gid", "content"))
        self.assertEqual(os.stat(os.path.join(self.ours, "theirs.go")).st_uid, other)
        self.assertEqual(os.stat(os.path.join(self.ours, "sub/second.go")).st_gid,
                         os.getegid())
        # --no-same-owner: the set-gid directory's group stays, as with GNU tar.
        for d in (self.ours, self.gnus):
            for name in ("first.go", "second.go"):
                os.unlink(os.path.join(d, "sub", name))
        self.both(["--no-same-owner", "-x", "-f", "-"], data)
        for name in ("sub/first.go", "sub/second.go"):
            self.assertSameFile(name, ("uid", "gid"))
        self.assertEqual(os.stat(os.path.join(self.ours, "sub/second.go")).st_gid, other)

    def test_times_with_nanoseconds_and_touch(self):
        data = pax_archive([("t.go", b"t", 0o644, 1_234_567_890.5)])
        self.both(["-x", "-f", "-"], data)
        self.assertSameFile("t.go", ("mtime", "content"))
        self.assertEqual(os.stat(os.path.join(self.ours, "t.go")).st_mtime_ns,
                         1_234_567_890_500_000_000)
        os.unlink(os.path.join(self.ours, "t.go"))
        result = hotpod_tar(["-xmf", "-", "-C", self.ours], data)
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        self.assertGreater(os.stat(os.path.join(self.ours, "t.go")).st_mtime, 1_600_000_000)

    def test_sparse_members_keep_their_holes_and_size(self):
        src = os.path.join(self.dir, "src")
        os.makedirs(src)
        path = os.path.join(src, "sparse.img")
        with open(path, "wb") as f:
            f.seek(1 << 20)
            f.write(b"middle")
            f.truncate(3 << 20)  # ends in a hole
        write(os.path.join(src, "after.txt"), "after\n")
        for fmt in ("gnu", "posix"):
            with self.subTest(format=fmt):
                data = subprocess.run(["tar", "-S", f"--format={fmt}", "-cf", "-", "-C", src,
                                       "sparse.img", "after.txt"], check=True,
                                      stdout=subprocess.PIPE).stdout
                listed = subprocess.run(["tar", "-tvf", "-"], input=data, check=True,
                                        stdout=subprocess.PIPE).stdout.decode()
                self.assertIn("sparse.img", listed)
                result = hotpod_tar(["-x", "-f", "-", "-C", self.ours], data)
                self.assertEqual(result.returncode, 0, result.stderr.decode())
                out = os.path.join(self.ours, "sparse.img")
                self.assertEqual(read_bytes(out), read_bytes(path))
                self.assertEqual(read_bytes(os.path.join(self.ours, "after.txt")), b"after\n")
                os.unlink(out)

    def test_no_temporary_file_is_left_and_hard_links_to_written_files_work(self):
        data = pax_archive([
            ("dir/a.go", b"a" * 70000),
            ("dir/b.go", None, 0o644, None, {"type": tarfile.LNKTYPE, "linkname": "dir/a.go"}),
            ("dir/a.go", b"second version"),
        ])
        result = hotpod_tar(["-x", "-f", "-", "-C", self.ours], data)
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        self.assertEqual(sorted(os.listdir(os.path.join(self.ours, "dir"))), ["a.go", "b.go"])
        self.assertEqual(read_bytes(os.path.join(self.ours, "dir/a.go")), b"second version")
        # The link names the first version's inode; the second replaced a.go by rename.
        self.assertEqual(read_bytes(os.path.join(self.ours, "dir/b.go")), b"a" * 70000)

    def test_a_full_disk_is_an_error_keeps_the_old_file_and_leaves_no_temporary(self):
        small = os.path.join(self.dir, "small")
        os.makedirs(small)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", small],
                                 capture_output=True, text=True)
        if mounted.returncode != 0:
            print(f"SKIPPED (this case): mount tmpfs failed: {mounted.stderr.strip()}",
                  flush=True)
            self.skipTest("needs a tmpfs mount")
        self.addCleanup(subprocess.run, ["umount", "-l", small], capture_output=True)
        write(os.path.join(small, "big.bin"), "old\n")
        # big.bin: a directory that exists (hotpod's own writes); new/big.bin: one that does not
        # yet (libarchive makes it and writes that file). The old binary exited 0 and renamed a
        # 1 MiB file with a hole where the writes had failed over the old big.bin.
        data = pax_archive([("big.bin", b"n" * (1 << 20)), ("new/big.bin", b"m" * (1 << 20)),
                            ("next.go", b"next\n")])
        result = hotpod_tar(["-x", "-f", "-", "-C", small], data)
        err = result.stderr.decode()
        self.assertEqual(result.returncode, 2, err)
        self.assertIn("tar: big.bin: Cannot write: No space left on device", err)
        self.assertIn("tar: new/big.bin: Cannot write: No space left on device", err)
        self.assertEqual(read_bytes(os.path.join(small, "big.bin")), b"old\n")
        self.assertEqual(read_bytes(os.path.join(small, "next.go")), b"next\n")
        self.assertEqual(sorted(os.listdir(small)), ["big.bin", "new", "next.go"])
        self.assertEqual(os.listdir(os.path.join(small, "new")), [])


if __name__ == "__main__":
    unittest.main()
