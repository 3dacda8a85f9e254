"""The static-binary section of docs/benchmarks.md (bench/static.py's results)."""


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


def tarsync_section(res, w):
    """bench/tarsync.py: hotpod as the sync tools' tar (issue 17)."""
    if not res:
        return
    gnu, ours = res["extract_gnu_tar_ms"], res["extract_hotpod_tar_ms"]
    build = res["end_of_stream_to_build_started_ms"]
    w("## Sync target: hotpod as tar")
    w("")
    w(f"Extracting one archive of {res['files']} files (Python's tarfile, PAX) into an empty "
      f"directory, {gnu['n']} rounds each, GNU tar against `hotpod tar` (goal: ≤ 1.1×); and the "
      f"time from the end of a one-file sync's stream to the build command's first statement, "
      f"with `hotpod run` watching the tree ({build['n']} syncs; goal ≤ 10 ms p50). Measured "
      "while other builds ran on the machine's two cores: compare the two tars of one run.")
    w("")
    w("| | p50 | min | max |")
    w("|---|---|---|---|")
    w(f"| GNU tar, extract | {gnu['p50']:.1f} ms | {gnu['min']:.1f} ms | {gnu['max']:.1f} ms |")
    w(f"| hotpod tar, extract | {ours['p50']:.1f} ms ({res['ratio_p50']:.2f}×) | "
      f"{ours['min']:.1f} ms | {ours['max']:.1f} ms |")
    w(f"| end of stream → build started | {build['p50']:.2f} ms | {build['min']:.2f} ms | "
      f"{build['max']:.2f} ms |")
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
