"""Archives as the real sync clients write them, for the hotpod tar tests: GNU tar (kubectl cp),
Go's archive/tar (Skaffold, Tilt, docker compose watch) and Python's tarfile in PAX format."""
import io
import os
import subprocess
import tarfile
import tempfile

from hotpod_harness import HOTPOD

# What Skaffold's util.CreateTar does for each file: FileInfoHeader, Name set to the path in the
# container, then the content. Links too (Tilt's archive writer does the same).
GO_WRITER = r'''
package main

import (
	"archive/tar"
	"io"
	"os"
	"path/filepath"
)

func main() {
	root := os.Args[1]
	tw := tar.NewWriter(os.Stdout)
	filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || path == root {
			return err
		}
		link := ""
		if info.Mode()&os.ModeSymlink != 0 {
			link, _ = os.Readlink(path)
		}
		hdr, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		hdr.Name = filepath.ToSlash(rel)
		if info.IsDir() {
			hdr.Name += "/"
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if info.Mode().IsRegular() {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(tw, f)
			return err
		}
		return nil
	})
	if err := tw.Close(); err != nil {
		os.Exit(1)
	}
}
'''

_go_binary = None


def go_writer():
    """Builds the Go archive writer once (Debian's golang-go, standard library only)."""
    global _go_binary
    if _go_binary:
        return _go_binary
    work = tempfile.mkdtemp(prefix="hotpod-gotar-")
    with open(os.path.join(work, "main.go"), "w") as f:
        f.write(GO_WRITER)
    env = dict(os.environ, GO111MODULE="off", GOPATH=os.path.join(work, "gopath"),
               GOCACHE=os.path.join(work, "cache"), CGO_ENABLED="0")
    binary = os.path.join(work, "gotar")
    subprocess.run(["go", "build", "-o", binary, "main.go"], cwd=work, env=env, check=True)
    _go_binary = binary
    return binary


def go_archive(root):
    return subprocess.run([go_writer(), root], check=True, stdout=subprocess.PIPE).stdout


def gnu_archive(root, *members):
    """As kubectl cp's local side writes it: GNU tar, its default (gnu) format."""
    return subprocess.run(["tar", "cf", "-", "-C", root, *(members or ["."])], check=True,
                          stdout=subprocess.PIPE).stdout


def pax_archive(entries):
    """entries: (name, content or None for a directory, mode, mtime, extra TarInfo settings)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in entries:
            name, content, mode, mtime, *extra = entry + (None,) * (5 - len(entry))
            info = tarfile.TarInfo(name)
            info.mode = mode if mode is not None else 0o644
            info.mtime = mtime if mtime is not None else 1_600_000_000
            for key, value in (extra[0] or {}).items():
                setattr(info, key, value)
            if content is None and info.type == tarfile.REGTYPE:
                info.type = tarfile.DIRTYPE
                info.mode = mode if mode is not None else 0o755
                tar.addfile(info)
            elif content is None:
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return out.getvalue()


def hotpod_tar(args, data, user=None, argv0=None):
    """Runs hotpod's tar with `args`, the archive on stdin; returns the CompletedProcess."""
    prefix = []
    if user is not None:
        prefix = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"]
    if argv0:
        command = [*prefix, argv0, *args]
    else:
        command = [*prefix, HOTPOD, "tar", *args]
    return subprocess.run(command, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=120)
