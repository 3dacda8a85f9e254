#!/usr/bin/env python3
"""hotpod tar (issue 17), side by side in one run: extracting an N-file archive with hotpod's
tar and with GNU tar (same command line, fresh directory each round, the two taking turns), and
the time from the end of a sync's stream (the client closes tar's stdin) to the build started
by hotpod run (the build command is bench/stamp.c, which reads CLOCK_MONOTONIC first thing).

    bench/tarsync.py --hotpod build/hotpod --stamp STAMP [--files 5000] [--rounds 5] \
        [--syncs 10] --out bench/results/tarsync.json
"""
import argparse
import io
import os
import shutil
import subprocess
import sys
import tarfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402


def archive(files, prefix="pkg"):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for i in range(files):
            data = f"package p\n// {i}\n".encode()
            info = tarfile.TarInfo(f"{prefix}/p{i // 100}/f{i}.go")
            info.size = len(data)
            info.mtime = 1_600_000_000
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


# The command lines compared: as kubectl cp / Tilt / compose run it (as root: owners and
# permissions restored), and as Skaffold runs it (-m, --no-same-owner).
COMMAND_LINES = {"x": ["-x", "-f", "-"], "skaffold": ["xmf", "-", "--no-same-owner"]}


def scratch_tmpfs(work):
    """A tmpfs under work to extract into, when we may mount one (root): the tars are compared
    without the disk, whose cost on this machine moves with what others removed lately (below).
    None otherwise (then work's own file system is used, and the report says so)."""
    mount = os.path.join(work, "tmpfs")
    os.makedirs(mount)
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8g", "tmpfs", mount],
                                           capture_output=True).returncode != 0:
        return None
    return mount


def extract_ns(tools, data, work, rounds, args=COMMAND_LINES["x"], over=False):
    """{name: samples} for {name: argv}. The tars take turns, the first of a round alternating,
    and no tree is removed before the bench ends (work is removed as a whole). On ext4 without
    a journal (this machine's disk) each new inode costs a scan past the inodes deleted in the
    last minute or more (fs/ext4/ialloc.c, recently_deleted): when each round's tree was removed
    before the next and one tar's rounds all came first, the second tar paid for the first
    one's deletions. GNU tar against itself that way: 644 ms for the first five rounds, 1858 ms
    (2.89x) for the next five. The sync measurement after this creates files too."""
    samples = {name: [] for name in tools}
    for r in range(rounds):
        order = list(tools.items())
        if r % 2:
            order.reverse()
        for name, argv in order:
            dest = os.path.join(work, f"{name}{r}")
            os.makedirs(dest)
            if over:  # a sync of files the target has already (GNU tar lays them out, untimed)
                subprocess.run(["tar", *args, "-C", dest], input=data, check=True, env=bl.clean_env())
            started = bl.mono_ns()
            subprocess.run([*argv, *args, "-C", dest], input=data, check=True,
                           env=bl.clean_env())
            samples[name].append(bl.mono_ns() - started)
    return samples


def wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise bl.BenchError("tarsync: timed out waiting")
        time.sleep(0.001)


def sync_to_build_ns(hotpod, stamp, work, syncs, files):
    root = os.path.join(work, "src")
    os.makedirs(root)
    stamps = os.path.join(work, "stamps")
    proc = subprocess.Popen([hotpod, "run", "--root", root, "--listen", "127.0.0.1:0",
                             "--delay", "100ms", "--build", f"{stamp} {stamps}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=bl.clean_env(), start_new_session=True)
    try:
        wait_for(lambda: os.path.exists(stamps), 30)  # the first build
        wait_for(lambda: os.path.exists(os.path.join(root, ".hotpod", "sync.sock")), 30)
        samples = []
        for s in range(syncs):
            data = archive(files, prefix=f"s{s}")
            before = len(open(stamps).read().split())
            tar = subprocess.Popen([hotpod, "tar", "-C", root, "-x", "-f", "-"],
                                   stdin=subprocess.PIPE)
            # The stream's end is measured, not tar's start-up: in a real sync tar runs while
            # the archive crosses the network.
            time.sleep(0.1)
            # The stream ends with the block that holds its last non-zero byte: tar cannot
            # finish before it has it, so the clock starts just before it is written (an upper
            # bound; taken after the whole write, a busy machine measured negative times).
            last = len(data.rstrip(b"\0")) - 1
            cut = max(0, last - last % 512)
            tar.stdin.write(data[:cut])
            tar.stdin.flush()
            ended = bl.mono_ns()
            tar.stdin.write(data[cut:])
            tar.stdin.close()
            tar.wait(timeout=60)
            wait_for(lambda: len(open(stamps).read().split()) > before, 30)
            started = int(open(stamps).read().split()[before])
            samples.append(started - ended)
            time.sleep(0.3)  # the build and the kernel's echo settle before the next sync
        return samples
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--hotpod", required=True)
    p.add_argument("--tar", help="the hotpod binary that extracts (default --hotpod): the static one "
                                 "of `make dist` is the tar of the images")
    p.add_argument("--stamp", required=True)
    p.add_argument("--files", type=int, default=5000)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--syncs", type=int, default=10)
    p.add_argument("--sync-files", type=int, default=1)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    tar = os.path.abspath(a.tar or a.hotpod)
    work = bl.make_tempdir("hotpod-tarsync-")
    tmpfs = scratch_tmpfs(work)
    lines = {}
    try:
        data = archive(a.files)
        # Into an empty directory, and over the same files (what a sync of changed files
        # meets: GNU tar then removes each file before it creates it again, hotpod renames over it).
        for over in (False, True):
            for line, args in COMMAND_LINES.items():
                key = line + ("-over" if over else "")
                extracted = extract_ns({"gnu": ["tar"], "hotpod": [tar, "tar"]}, data,
                                       os.path.join(tmpfs or work, key), a.rounds, args, over)
                gnu, ours = bl.summarize_ms(extracted["gnu"]), bl.summarize_ms(extracted["hotpod"])
                lines[key] = {"args": args, "over_existing": over, "extract_gnu_tar_ms": gnu,
                              "extract_hotpod_tar_ms": ours, "ratio_p50": ours["p50"] / gnu["p50"]}
        build = sync_to_build_ns(a.hotpod, a.stamp, work, a.syncs, a.sync_files)
    finally:
        if tmpfs:
            subprocess.run(["umount", tmpfs], check=False)
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "files": a.files,
        "tar_binary": tar,
        "filesystem": "tmpfs" if tmpfs else "the temporary directory's (not root: no tmpfs)",
        "lines": lines,
        # The first command line's, as before (the report's main row).
        **{k: v for k, v in lines["x"].items() if k != "args"},
        "end_of_stream_to_build_started_ms": bl.summarize_ms(build),
    }
    bl.write_json(a.out, result)
    for line, r in lines.items():
        print(f"| extract {a.files} files{' over the same files' if r['over_existing'] else ''}, "
              f"tar {' '.join(r['args'])} | GNU tar "
              f"{r['extract_gnu_tar_ms']['p50']:.1f} ms | hotpod tar "
              f"{r['extract_hotpod_tar_ms']['p50']:.1f} ms ({r['ratio_p50']:.2f}×) |")
    print(f"| end of stream → build started p50 "
          f"{result['end_of_stream_to_build_started_ms']['p50']:.2f} ms |")


if __name__ == "__main__":
    main()
