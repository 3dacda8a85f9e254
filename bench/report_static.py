"""The static-binary section of docs/benchmarks.md (bench/static.py's results)."""
import os


def mib(n):
    return f"{n / 2**20:.1f} MiB" if n is not None else "–"


def kib_mib(n):
    return f"{n / 1024:.1f} MiB" if n is not None else "–"


def static_section(res, w):
    if not res:
        return
    rows = res["rows"]
    w("## Static binary")
    w("")
    w("The fully static binary of `make dist` (docs/install.md) against the dynamically linked "
      "development build of the same sources, on the same machine in one run: file size, the "
      f"time from exec to `hotpod version` having exited (median of {res['params']['runs']} runs), "
      "and `hotpod run` on a copy of examples/gin-app: exec → HTTP server listening, and memory "
      f"after the app started and {res['params']['idle_s']:g} s idle. Aim for the static binary: "
      "≤ 10 MiB stripped.")
    w("")
    w("| binary | size | stripped | shared libraries (NEEDED) | `version` p50 | Gin: exec → listening | Gin idle VmRSS | RssAnon | RssFile | VmHWM | threads |")
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    for kind in ("static", "dynamic"):
        r = rows.get(kind)
        if not r:
            continue
        gin = r["gin"]
        listening = f"{gin['listening_ns'] / 1e6:.1f} ms" if gin.get("listening_ns") else "–"
        w(f"| {kind} (`{r['binary']}`) | {mib(r['size_bytes'])} | "
          f"{mib(r.get('stripped_bytes'))} | {r['shared_libraries']} | "
          f"{r['version_start']['p50']:.1f} ms | {listening} | {kib_mib(gin['vmrss_kib'])} | "
          f"{kib_mib(gin['rss_anon_kib'])} | {kib_mib(gin['rss_file_kib'])} | "
          f"{kib_mib(gin['vmhwm_kib'])} | {gin['threads']} |")
    w("")
    params = res["params"]
    if not any(r.get("tree") for r in rows.values()):
        return
    w(f"Watching a generated tree of {params['tree_files']:,} files ({params['tree_dirs']:,} "
      "directories, 10 files each): `hotpod run --root TREE --build true --backend BACKEND`, "
      f"memory {params['tree_wait_s']:g} s after the `watching` record. Goals (issue 20): "
      "VmHWM ≤ 16 MiB with inotify, ≤ 24 MiB with polling.")
    w("")
    w("| binary | backend | VmHWM | goal | VmRSS | RssAnon | RssFile |")
    w("|---|---|---|---|---|---|---|")
    for kind in ("static", "dynamic"):
        for backend, limit in (("inotify", 16), ("poll", 24)):
            t = (rows.get(kind) or {}).get("tree", {}).get(backend)
            if not t:
                continue
            verdict = "met" if t["vmhwm_kib"] / 1024 <= limit else "NOT met"
            w(f"| {kind} | {backend} | {kib_mib(t['vmhwm_kib'])} | ≤ {limit} MiB: {verdict} | "
              f"{kib_mib(t['vmrss_kib'])} | {kib_mib(t['rss_anon_kib'])} | "
              f"{kib_mib(t['rss_file_kib'])} |")
    w("")
    w("RssFile is the mapped binary and, for the dynamic build, its shared libraries (about 50, "
      "libcurl's tree for the most part): the static binary maps only the pages it uses.")
    w("")


def tarsync_section(res, w, pod=None):
    """bench/tarsync.py: hotpod as the sync tools' tar (issue 17); pod: bench/podsync.py's
    one-file sync through `podman exec`, a row of the same table."""
    if not res:
        if pod:
            w("## Sync target: hotpod as tar")
            w("")
            podsync_lines(pod, w)
        return
    gnu, ours = res["extract_gnu_tar_ms"], res["extract_hotpod_tar_ms"]
    build = res["end_of_stream_to_build_started_ms"]
    w("## Sync target: hotpod as tar")
    w("")
    lines = res.get("lines") or {"x": {"args": ["-x", "-f", "-"], **res}}
    binary = os.path.basename(res.get("tar_binary", "the hotpod binary the bench was given"))
    w(f"Extracting one archive of {res['files']} files (Python's tarfile, PAX) into an empty "
      "directory, and over the same files (laid out by GNU tar first, untimed: what a sync of "
      "changed files meets; GNU tar then removes each file before creating it, hotpod renames "
      f"over it), {gnu['n']} rounds each, GNU tar against `hotpod tar` (`{binary}`: the static "
      "binary of `make dist`, the tar of the images, when there is one) with the same command "
      "line: as kubectl cp, Tilt and compose run it (`-x -f -`, as root: owners and permissions "
      "restored) and as Skaffold does (`xmf - --no-same-owner`). Goal: ≤ 1.1×. The two take "
      "turns, the first of each round alternating, and no tree is removed before the end; "
      f"extracted into {res.get('filesystem', 'the temporary directory')} (on this machine's "
      "ext4 without a journal, creating a file scans past the inodes removed in the last minute "
      "or more in its block group: what other work removes moves both tars' times by up to 9×). "
      "`hotpod tar` writes each file to a temporary name and renames it over the target, so "
      "that no reader sees a half-written file (issue 17): one system call per file more than "
      "GNU tar. Also the time from the end of a one-file sync's stream to the build command's "
      f"first statement, with `hotpod run` watching the tree ({build['n']} syncs; goal ≤ 10 ms "
      "p50).")
    w("")
    w("| | p50 | min | max |")
    w("|---|---|---|---|")
    for line in lines.values():
        g, o = line["extract_gnu_tar_ms"], line["extract_hotpod_tar_ms"]
        args = " ".join(line["args"])
        where = ", over the same files" if line.get("over_existing") else ""
        w(f"| GNU tar `{args}`{where} | {g['p50']:.1f} ms | {g['min']:.1f} ms | {g['max']:.1f} ms |")
        w(f"| hotpod tar `{args}`{where} | {o['p50']:.1f} ms ({line['ratio_p50']:.2f}×: "
          f"{'met' if line['ratio_p50'] <= 1.1 else 'NOT met'}) | {o['min']:.1f} ms | "
          f"{o['max']:.1f} ms |")
    w(f"| end of stream → build started | {build['p50']:.2f} ms | {build['min']:.2f} ms | "
      f"{build['max']:.2f} ms |")
    if pod and not pod.get("skipped"):
        total, synced = pod["sync_to_new_answer_ms"], pod["podman_exec_returned_ms"]
        w(f"| one-file sync through `podman exec` → new answer | {total['p50']:.0f} ms | "
          f"{total['min']:.0f} ms | {total['max']:.0f} ms |")
        w(f"| same sync: until `podman exec` returned | {synced['p50']:.0f} ms | "
          f"{synced['min']:.0f} ms | {synced['max']:.0f} ms |")
    w("")
    if pod:
        podsync_lines(pod, w)


def podsync_lines(pod, w):
    if pod.get("skipped"):
        w(f"**One-file sync through `podman exec`: skipped**: {pod['skipped']}.")
        w("")
        return
    w(f"One-file sync through `podman exec` (`bench/podsync.py`, {pod['syncs']} syncs after one "
      "not counted): `tar c -C STAGE version.txt | podman exec -i CONTAINER tar xmf - -C /src "
      "--no-same-owner` into a container of the FROM scratch image the container tests build "
      f"(`{pod['image']}`: the static hotpod, busybox, a static HTTP app; its only tar is "
      f"hotpod: /bin/tar → `{pod.get('image_tar') or '?'}`), as UID 10001, "
      "read-only root, no capabilities, host network. In it `hotpod run` builds (a busybox "
      "`cat` into /out) and restarts the app, which reads its answer once at start. Timed from "
      "the spawn of the two processes to the app's first answer with the new content (polled "
      "every 2 ms on 127.0.0.1): podman's own start-up of the exec, hotpod's tar, the build, "
      "the restart. Most of it is `podman exec` itself: it returns about when the new app "
      "already answers (its own teardown overlaps hotpod's build and restart, which take tens "
      f"of milliseconds, as the row above shows). {pod['podman']}; load average {pod['loadavg'][0].split()[0]} at the start, "
      f"{pod['loadavg'][1].split()[0]} at the end on {pod['cpus']} CPUs; "
      f"{pod['builds_started']} builds in the container's log (expected "
      f"{pod['syncs'] + 2}: the first, then one per sync, the warm-up's included).")
    w("")


def idle_section(res, w):
    """bench/idle.py: threads, wake-ups and memory while nothing changes (issue 20)."""
    if not res or not res.get("gin"):
        return
    g, goals = res["gin"], res["goals"]
    verdict = lambda ok: "met" if ok else "NOT met"  # noqa: E731
    w("## Idle: nothing changes")
    w("")
    w(f"`bench/idle.py`: `hotpod run` on a copy of examples/gin-app, the app built and running, no file changing "
      f"and no HTTP client, for {g['idle_s']:g} s. Binary: `{res['binary']}` ({res['binary_kind']}). Threads and their "
      "context switches from `/proc/PID/task/*/status` (wake-ups), memory from `/proc/PID/status`; the binary's "
      "clean pages are dropped from the page cache first (a binary just written by the linker sits in large folios, "
      "which count whole into RssFile: 8 MiB instead of 5 for the static one).")
    w("")
    w("| | measured | goal | verdict |")
    w("|---|---|---|---|")
    names = ", ".join(f"{t['name']} {t['wakeups']}" for t in g["per_thread"])
    w(f"| threads | {g['threads']} | ≤ {goals['threads']} | {verdict(g['threads'] <= goals['threads'])} |")
    w(f"| wake-ups per second (all threads) | {g['wakeups_per_s']:.2f} (per thread in {g['idle_s']:g} s: {names}) | "
      f"≤ {goals['wakeups_per_s']:g} | {verdict(g['wakeups_per_s'] <= goals['wakeups_per_s'])} |")
    w(f"| on-CPU time | {g['on_cpu_ms']:.2f} ms in {g['idle_s']:g} s | | |")
    rss = g["vmrss_kib"] / 1024
    w(f"| VmRSS | {rss:.1f} MiB (RssAnon {g['rss_anon_kib'] / 1024:.1f}, RssFile {g['rss_file_kib'] / 1024:.1f}; "
      f"VmHWM {g['vmhwm_kib'] / 1024:.1f}) | ≤ {goals['vmrss_mib']:g} MiB (static build) | "
      f"{verdict(rss <= goals['vmrss_mib']) if res['binary_kind'] == 'static' else 'not the static build'} |")
    if g.get("threads_after_scrape_and_linger") is not None:
        w(f"| threads after one GET /metrics | {g['threads_right_after_scrape']} right after, "
          f"{g['threads_after_scrape_and_linger']} {g['linger_s']:g} s later (the worker ended) | | |")
    w("")
