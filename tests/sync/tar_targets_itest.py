"""hotpod tar against what is in the way, as GNU tar does it: a symlink the archive made and then
names as a directory is replaced by a real directory (nothing lands where it pointed); a file
where a parent directory should be is kept and the member refused ("Not a directory"); and a GNU
incremental archive (`tar -g`), whose directory entries carry data, extracts cleanly."""
import os
import subprocess
import tarfile
import unittest

from hotpod_harness import TempTree, write
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


if __name__ == "__main__":
    unittest.main()
