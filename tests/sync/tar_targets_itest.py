"""hotpod tar against what is in the way, as GNU tar does it: a symlink the archive made and then
names as a directory is replaced by a real directory (nothing lands where it pointed); a file
where a parent directory should be is kept and the member refused ("Not a directory"); a GNU
incremental archive (`tar -g`), whose directory entries carry data, extracts cleanly; names and
link targets not in normal form land where GNU tar puts them; and a tar stopped by SIGTERM in the
middle of a file leaves no temporary file."""
import os
import signal
import subprocess
import tarfile
import unittest

from hotpod_harness import HOTPOD, TempTree, wait_until, write
from tar_support import hotpod_tar, pax_archive


def read_text(path):
    with open(path) as f:
        return f.read()


class TarTargetsTest(TempTree):
    def setUp(self):
        super().setUp()
        self.dest = os.path.join(self.dir, "dest")
        self.outside = os.path.join(self.dir, "outside")
        os.makedirs(self.dest)
        os.makedirs(self.outside)

    def test_a_directory_over_a_symlink_from_the_archive_replaces_it(self):
        data = pax_archive([
            ("d", None, 0o777, None, {"type": tarfile.SYMTYPE, "linkname": self.outside}),
            ("d", None),  # a directory of the same name
            ("d/f", b"inside\n"),
        ])
        hotpod_tar(["-x", "-f", "-", "-C", self.dest], data)
        self.assertEqual(os.listdir(self.outside), [])  # nothing written through the link
        self.assertFalse(os.path.islink(os.path.join(self.dest, "d")))
        self.assertEqual(read_text(os.path.join(self.dest, "d", "f")), "inside\n")

    def test_a_file_in_the_way_of_a_parent_is_kept(self):
        write(os.path.join(self.dest, "notes"), "mine\n")
        data = pax_archive([("notes/a.go", b"a\n"), ("notes/sub", None), ("other.go", b"o\n")])
        result = hotpod_tar(["-x", "-f", "-", "-C", self.dest], data)
        err = result.stderr.decode()
        self.assertEqual(result.returncode, 2, err)
        self.assertIn("notes/a.go: Cannot open: Not a directory", err)
        self.assertIn("notes/sub: Cannot open: Not a directory", err)
        self.assertEqual(read_text(os.path.join(self.dest, "notes")), "mine\n")
        self.assertEqual(read_text(os.path.join(self.dest, "other.go")), "o\n")

    def test_a_gnu_incremental_archive_extracts_cleanly(self):
        src = os.path.join(self.dir, "src")
        write(os.path.join(src, "d", "a.go"), "a\n")
        write(os.path.join(src, "d", "b.go"), "b\n")
        data = subprocess.run(["tar", "-g", os.path.join(self.dir, "snapshot"), "-cf", "-", "-C",
                               src, "d"], stdout=subprocess.PIPE, check=True).stdout
        result = hotpod_tar(["-x", "-f", "-", "-C", self.dest], data)
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        self.assertEqual(sorted(os.listdir(os.path.join(self.dest, "d"))), ["a.go", "b.go"])

    def test_names_not_in_normal_form_land_where_gnu_tar_puts_them(self):
        data = pax_archive([
            ("./top.go", b"t\n"),
            ("a//b/./c.go", b"c\n"),
            ("./a/b/d.go", b"d\n"),
            ("a/b/e.go", None, 0o644, None, {"type": tarfile.LNKTYPE, "linkname": "./a//b/c.go"}),
            ("plain/f.go", b"f\n"),
        ])
        gnu = os.path.join(self.dir, "gnu")
        os.makedirs(gnu)
        subprocess.run(["tar", "-x", "-f", "-", "-C", gnu], input=data, check=True)
        result = hotpod_tar(["-x", "-f", "-", "-C", self.dest], data)
        self.assertEqual(result.returncode, 0, result.stderr.decode())

        def tree(root):
            out = {}
            for dirpath, dirnames, filenames in os.walk(root):
                for name in dirnames + filenames:
                    path = os.path.join(dirpath, name)
                    out[os.path.relpath(path, root)] = (
                        None if os.path.isdir(path) else read_text(path))
            return out
        self.assertEqual(tree(self.dest), tree(gnu))
        self.assertIn("a/b/c.go", tree(self.dest))
        c, e = (os.stat(os.path.join(self.dest, "a", "b", n)) for n in ("c.go", "e.go"))
        self.assertEqual(c.st_ino, e.st_ino)

    def test_sigterm_in_the_middle_of_a_file_leaves_no_temporary_file(self):
        sub = os.path.join(self.dest, "sub")
        os.makedirs(sub)
        data = pax_archive([("first.go", b"1\n"), ("sub/big.bin", b"b" * (4 << 20))])
        proc = subprocess.Popen([HOTPOD, "tar", "-x", "-f", "-", "-C", self.dest],
                                stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(proc.kill)
        proc.stdin.write(data[:len(data) // 2])  # the first half of big.bin
        proc.stdin.flush()
        wait_until("the temporary file of sub/big.bin", lambda: os.listdir(sub))
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 128 + signal.SIGTERM, err.decode())
        self.assertEqual(os.listdir(sub), [])
        self.assertEqual(sorted(os.listdir(self.dest)), ["first.go", "sub"])


if __name__ == "__main__":
    unittest.main()
