#!/usr/bin/env python3
"""Writes docs/benchmarks.md from bench/results/*.json (and commands.txt), and the plots under
--plots (gnuplot, SVG).
Every number in the page comes from those files; nothing is typed by hand."""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402
import latency  # noqa: E402
import report_peers as rp  # noqa: E402
import report_proxy  # noqa: E402
import report_static  # noqa: E402
import rollback  # noqa: E402
import rss  # noqa: E402
import scan  # noqa: E402


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def run_by(lat, tool, delay):
    for r in (lat or {}).get("runs", []):
        if r.get("tool") == tool and r.get("delay_ms") == delay and r.get("summary_ms"):
            return r
    return None


def scan_section(sc, w):
    """Issue 3's goals at 100k files: poll scan vs floor, idle CPU, RSS, inotify start-up."""
    p, g = sc["params"], sc["goals"]
    big = max(p["sizes"])
    w("## Large trees: issue 3's goals")
    w("")
    w(f"Generated trees of {', '.join(f'{n:,}' for n in p['sizes'])} files, {p['files_per_dir']} files in every "
      f"directory ({big:,} files: {big // p['files_per_dir']:,} directories plus the root), page cache warm "
      "(trees just generated). Measured by `bench/scan.py`; the floor is `bench/scanfloor.c` "
      "(`cc -O2`): a walk with `openat`/`fdopendir`/`readdir` and one `fstatat(AT_SYMLINK_NOFOLLOW)` per "
      "entry, no filtering or bookkeeping, timed with `CLOCK_MONOTONIC`. Memory goals are read as MiB.")
    w("")
    w(scan.markdown_goals(sc))
    w("")
    for e in sc.get("errors") or []:
        w(f"* error: {e.splitlines()[0]}")
    if sc.get("errors"):
        w("")
    w("### Poll scan vs the floor")
    w("")
    w(f"{p['rounds']} round{'s' if p['rounds'] != 1 else ''}; in each, in a shuffled order, hotpod (`--backend poll --poll-interval 100ms`, "
      "`watch: {poll_budget: 100%}` in a `-c` file, `--log-level debug`) is started and the `scan_wall_us` / "
      f"`scan_cpu_us` of {p['scans_per_round']} `poll_scan` records after `watching` are taken (the start-up "
      f"scan is not counted), then hotpod is stopped and `scanfloor TREE -n {p['scans_per_round'] + 1} --gap-ms 100` "
      "walks the same tree (its first walk is not counted either). Both are paced alike: with a 100 % budget hotpod sleeps max(100 ms, the scan's CPU "
      "time) between scans, and so does scanfloor with `--gap-ms 100` (on a busy machine a process that sleeps "
      "gets the CPU back sooner than one that runs flat out). Medians over all rounds; ratios are hotpod / floor; "
      "wall is the goal's measure, CPU (thread CPU time) is less sensitive to other load on the machine.")
    w("")
    w(scan.markdown_scan(sc))
    w("")
    facts = []
    for c in sc.get("scan") or []:
        extra = (c.get("notes") or [])
        if extra:
            facts.append(f"{c['files']} files: " + "; ".join(extra) + ".")
    if sc.get("scan"):
        c = sc["scan"][-1]
        h, f = c["hotpod"], c["floor"]
        facts.append(
            f"At {c['files']:,} files hotpod's scan costs {h['median_cpu_us'] / 1000:.0f} ms of CPU against the floor's "
            f"{f['median_cpu_us'] / 1000:.0f} ms ({c['ratio_cpu']:.2f} ×): it makes the same system calls per "
            "directory as the floor (the strace table at the end counts them for the start-up walk, which is the "
            "same walk), the rest is its own bookkeeping (sorting names, building the per-directory snapshot, "
            "diffing it). Wall time adds "
            f"{(h['median_wall_us'] - h['median_cpu_us']) / 1000:.0f} ms (hotpod) and "
            f"{(f['median_wall_us'] - f['median_cpu_us']) / 1000:.0f} ms (floor) of waiting for a CPU.")
    for f in facts:
        w(f"* {f}")
    if facts:
        w("")
    i = sc.get("idle")
    if i and i.get("idle"):
        w("### Idle CPU, poll backend, default budget")
        w("")
        w(f"`{bl.shell_join(i['command'])}` on the {i['files']:,}-file tree (default `poll_interval` and "
          f"`poll_budget`). After the start-up build, CPU time (utime+stime, `/proc/PID/stat`) over "
          f"{i['idle']['seconds']:g} s. At the same time, on the same tree, the naive poller "
          f"`{bl.shell_join(i['floor_poller']['command'])}` (a walk, then 500 ms sleep), read the same way.")
        w("")
        w(scan.markdown_idle(sc))
        w("")
        if i.get("effective_interval_ms") and i["idle"].get("median_scan_wall_ms"):
            conf = (i.get("poll_interval_records") or [{}])[-1].get("configured_ms")
            pace = (f"every {i['effective_interval_ms']:,} ms instead of the configured {conf} ms"
                    if conf != i["effective_interval_ms"] else f"every {conf} ms, as configured")
            w(f"* With the default budget hotpod polls the {i['files']:,}-file tree {pace}, so a change is seen within about "
              f"{(i['effective_interval_ms'] + i['idle']['median_scan_wall_ms']) / 1000:.1f} s; the naive poller "
              f"that keeps 500 ms uses {i['floor_poller']['cpu_pct']:.0f} % of a core for the same tree.")
            w("")
        recs = i.get("poll_interval_records") or []
        if recs:
            w("hotpod's `poll_interval` records (the effective interval is chosen so that scan CPU / interval ≤ "
              "budget): " + "; ".join(f"{r['interval_ms']} ms (scan {r['scan_cpu_ms']} ms CPU, {r['scan_wall_ms']} ms wall)"
                                       for r in recs) + ".")
            w("")
    w("### Memory (RSS)")
    w("")
    w("poll: the idle run above; inotify: the last inotify start-up below. `VmRSS` and `VmHWM` from "
      "`/proc/PID/status` right after the `watching` record and again after the wait.")
    w("")
    w(scan.markdown_rss(sc))
    w("")
    st = sc.get("startup")
    if st:
        w("### inotify start-up")
        w("")
        w(f"{st['runs']} round{'s' if st['runs'] != 1 else ''} on the {st['files']:,}-file tree ({st['directories']:,} directories); in each, "
          "in a shuffled order: hotpod with `--backend inotify` and with `--backend poll` (spawn → `watching` "
          "record), `inotifywait -r -m TREE` (spawn → \"Watches established.\" on stderr) and one scanfloor walk. "
          "CPU at ready: utime/stime from `/proc/PID/stat` (10 ms ticks) of the last run; watches: `inotify wd:` "
          "lines in `/proc/PID/fdinfo`.")
        w("")
        w(scan.markdown_startup(sc))
        w("")
        med = st["median_ms"]
        ino_cpu = st["sides"]["inotify"][-1].get("cpu_at_ready_ms") or {}
        bits = []
        if med.get("inotifywait"):
            bits.append(f"hotpod's inotify start-up takes {med['inotify'] / med['inotifywait']:.2f} × the time "
                        f"`inotifywait -r -m` needs to set up the same {st['directories']:,} watches")
        if med.get("poll"):
            bits.append(f"the poll backend's start-up (the same snapshot walk, no watches) takes "
                        f"{med['poll']:.0f} ms, one scanfloor walk {med['floor']:.0f} ms")
        if ino_cpu:
            last = st["sides"]["inotify"][-1]
            bits.append(f"in the last run hotpod had used {ino_cpu['user'] + ino_cpu['sys']:.0f} ms of CPU "
                        f"({ino_cpu['user']:.0f} user, {ino_cpu['sys']:.0f} system, 10 ms ticks) when it logged "
                        f"`watching` {last['ms']:.0f} ms after its spawn, and had been preempted "
                        f"{bl.fmt(last.get('preempted_at_ready'))} times by other processes (the rest of the wall "
                        "time is off the CPU: mostly waiting for one on a busy machine)")
        if bits:
            w("* " + "; ".join(bits) + ".")
            w("")
        st_txt = scan.markdown_strace(sc)
        if st_txt:
            w(st_txt)
            w("")


def hostile_section(h, w):
    """Issue 22's rows: deep trees and mkdir -p bursts, live-reload slots, FUSE roots."""
    def ms(v):
        return "–" if v is None else f"{v:,.0f} ms"

    def p50max(summary):
        return "–" if not summary else f"{summary['p50']:.0f} ms / {summary['max']:.0f} ms"

    d, b, s, f = h["deep"], h["burst"], h["slots"], h["fuse"]
    w("## Hostile input: deep trees, bursts, live-reload slots, FUSE roots")
    w("")
    w("Made under a running `hotpod run` (inotify); /healthz asked every 100 ms meanwhile "
      "(bench/hostile.py).")
    w("")
    w("| what | size | absorbed in | /healthz failures | slowest /healthz |")
    w("|---|---|---|---|---|")
    w(f"| nested tree, one file per level | {d['depth']:,} levels | {ms(d['absorb_ms'])} | "
      f"{d['healthz_failures']} | {d['healthz_worst_ms']:.0f} ms |")
    w(f"| one `mkdir -p` burst | {b['directories']:,} directories | {ms(b['absorb_ms'])} | "
      f"{b['healthz_failures']} | {b['healthz_worst_ms']:.0f} ms |")
    w("")
    w(f"**Live-reload slots.** With all {s['slots']} `/v1/events` slots taken, one stream is closed "
      f"and a new one asked for in a loop: it gets its `hello` after {p50max(s['reclaim_ms'])} "
      f"(median / max of {s['samples']}).")
    w("")
    if f.get("skipped"):
        w(f"**FUSE root:** skipped ({f['skipped']}).")
    else:
        w(f"**FUSE root** (bindfs, {f['files']:,} files, `backend: auto` → {f.get('backend')}, "
          f"`poll_interval` {f['poll_interval_ms']} ms):")
        w("")
        w("| change | latency (median / max) |")
        w("|---|---|")
        w(f"| written through the mount (inotify) | {p50max(f.get('through_ms'))} |")
        w(f"| written below the mount (verification walk) | {p50max(f.get('below_ms'))} |")
        w("")
        w(f"Idle CPU on that mount: hybrid {f['hybrid_idle_cpu_pct']}% of a core, "
          f"poll {f['poll_idle_cpu_pct']}%.")
    w("")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--results", required=True, help="directory with latency.json, rss.json, scan.json, commands.txt")
    ap.add_argument("--out", required=True, help="Markdown file to write")
    ap.add_argument("--plots", help="directory for the SVG plots (default: bench/ beside --out)")
    args = ap.parse_args()
    plots_dir = args.plots or os.path.join(os.path.dirname(os.path.abspath(args.out)), "bench")
    plots = rp.Plots(plots_dir, os.path.relpath(plots_dir, os.path.dirname(os.path.abspath(args.out))) + "/")
    peers = {k: load(os.path.join(args.results, f"{k}.json")) for k in ("cost", "storms", "overlay", "e2e", "soak")}

    lat = load(os.path.join(args.results, "latency.json"))
    rs = load(os.path.join(args.results, "rss.json"))
    sc = load(os.path.join(args.results, "scan.json"))
    rb = load(os.path.join(args.results, "rollback.json"))
    if not lat and not rs and not sc and not rb and not any(peers.values()):
        print(f"report: no results in {args.results}", file=sys.stderr)
        return 1
    try:
        with open(os.path.join(args.results, "commands.txt")) as f:
            commands = [line.rstrip("\n") for line in f if line.strip()]
    except FileNotFoundError:
        commands = []

    first = lat or rs or sc or next(v for v in peers.values() if v)
    m = first["machine"]
    out = []
    w = out.append
    w("# Benchmarks")
    w("")
    w("<!-- Generated by bench/run.sh (bench/report.py) from bench/results/*.json. Do not edit by hand: rerun `make bench`. -->")
    w("")
    w(f"Generated {first['generated_at']} with {m.get('hotpod_version') or 'hotpod'}.")
    w("")
    w("## Machine")
    w("")
    w("| | |")
    w("|---|---|")
    w(f"| CPUs (nproc) | {m.get('nproc')} |")
    w(f"| CPU model | {m.get('cpu_model')} |")
    w(f"| memory | {m.get('mem_total_mib')} MiB |")
    w(f"| kernel | {m.get('kernel')} |")
    w(f"| OS | {m.get('os')} |")
    w(f"| temp filesystem | {m.get('tmp_fs')} |")
    w(f"| fs.inotify.max_user_watches | {m.get('max_user_watches')} |")
    for name, res in (("latency", lat), ("rss", rs), ("scan", sc)) + tuple(peers.items()) + (("rollback", rb),):
        if res:
            w(f"| load average ({name}: start → end) | {res['machine'].get('loadavg_at_start')} → {res['machine'].get('loadavg_at_end')} |")
    w("")
    w("The machine is shared (other builds may run at the same time), so single-digit-millisecond")
    w("differences between runs are noise; compare the rows of one run with each other.")
    w("The load averages above are what the other users of the machine added (on 2 cores, a load above 2")
    w("means processes waited for a CPU): latencies and start-up times include that waiting, CPU times")
    w("(idle cost, scan CPU) much less so.")
    w("")
    skipped = sorted({t for v in peers.values() if v for t in v.get("peers_skipped", [])})
    if skipped:
        w(f"**Peers not installed, their rows are skipped**: {', '.join(skipped)} (bench/install-peers.sh installs them).")
        w("")
    w("## Commands")
    w("")
    w("```sh")
    for c in commands or ["./bench/run.sh build/hotpod"]:
        w(c)
    w("```")
    w("")

    rp.goals_section(lat, peers["cost"], peers["storms"], peers["overlay"], peers["soak"], w)

    if lat:
        p = lat["params"]
        w("## Latency: file close → build command starts")
        w("")
        w(f"{p['samples']} samples per row, in a tree of {p['tree']['files']} files in {p['tree']['directories']} "
          "directories. Each sample writes one file (open, write, close), reads `CLOCK_MONOTONIC` right "
          "after `close()`, waits for the tool to report the end of the build (hotpod: the "
          "`build_finished` JSON record; the inotifywait loop: its `finished` line; the peers: the line "
          "`STAMP OUT -` prints after reading the clock, which they pass through), and reads the `CLOCK_MONOTONIC` value that the build command "
          "(`bench/stamp.c`, `cc -O2`) took in the first statement of its `main()`. "
          "The value is stamp − close − configured delay. Every tool runs the same command through `/bin/sh -c` "
          f"(the peers with a trailing `-`). Rows run interleaved, round-robin in a shuffled order; the polling rows take "
          f"{max([r.get('samples_requested', 0) for r in lat['runs'] if r.get('backend') == 'poll'] or [p['samples']])} samples (each waits up to a poll interval). Peers are configured at their "
          "defaults and, where they have a delay setting, also at their minimum; the table says which. Peers' readiness "
          "is probed (a write until the command runs), then the first sample waits until the tool has been quiet.")
        w("")
        w(latency.markdown(lat))
        w("")
        h100, h0, floor, spawn = (run_by(lat, "hotpod", 100), run_by(lat, "hotpod", 0),
                                  run_by(lat, "inotifywait", 0), run_by(lat, "spawn only", 0))
        facts = []
        if h100 and floor:
            facts.append(f"p50 of hotpod at the default delay (delay subtracted) minus p50 of the `inotifywait` floor: "
                         f"{h100['summary_ms']['p50'] - floor['summary_ms']['p50']:+.2f} ms.")
        if h0 and floor:
            facts.append(f"The same with `--delay 0ms`: {h0['summary_ms']['p50'] - floor['summary_ms']['p50']:+.2f} ms.")
        wake = lat.get("timer_wake")
        if wake:
            facts.append(f"A process that waits {wake['delay_ms']} ms on a timerfd in `epoll_wait` (as hotpod waits out its "
                         f"quiet period) wakes {wake['p50_us'] / 1000:.2f} ms late (p50; p90 {wake['p90_us'] / 1000:.2f} ms, "
                         f"{wake['samples']} samples of `bench/timerwake.c`) on this machine: an idle virtual CPU takes that "
                         "long to run again. The default delay's row pays it; the `--delay 0ms` row and the floor do not.")
        if spawn:
            facts.append(f"Starting `/bin/sh -c STAMP` alone costs {spawn['summary_ms']['p50']:.2f} ms (p50) on this machine, "
                         "so most of every row is process creation, not watching.")
        if h0 and h0.get("cancelled_builds"):
            facts.append(f"With `--delay 0ms`, {h0['cancelled_builds']} of {h0['summary_ms']['n']} single writes made hotpod start "
                         "a build on an earlier event of the write (the modify of open-with-truncate or write), then "
                         "cancel it when the close event arrived and start again; the row measures the build that "
                         f"completed. {h0.get('premature', 0)} build command(s) actually started before `close()`. "
                         "The default quiet period avoids this.")
        if floor and floor.get("premature"):
            facts.append(f"`inotifywait` reacts to the close event, so its {floor['premature']} \"premature\" sample(s) "
                         "are measurement noise: the bench was descheduled between `close()` and reading the clock.")
        facts += rp.latency_wins(lat)
        for f in facts:
            w(f"* {f}")
        w("")
        for backend in ("inotify", "poll"):
            link = plots.latency_cdf(lat, backend, f"latency-{backend}")
            if link:
                w(f"![latency distribution, {backend}]({link})")
                w("")
        w("Tool command lines (`HOTPOD`: the binary under test, `TREE`: the row's temp tree, `STAMP`: the "
          "compiled stamp, `OUT`: its output file):")
        w("")
        w("```sh")
        for r in lat["runs"]:
            if r.get("command"):
                w(bl.shell_join(r["command"]))
        w("```")
        w("")

    if rs:
        p = rs["params"]
        w("## Memory and CPU while watching")
        w("")
        w(f"`hotpod run --root TREE --build true --log-format json` (no app), started from an empty directory. "
          f"Start-up is the median of {p['startup_runs']} starts (tree in the page cache). In the last start, after "
          f"the start-up build, hotpod is left idle for {p['idle_s']:g} s and read from `/proc/PID/status`, "
          f"`/proc/PID/task/*/schedstat` and `/proc/PID/fdinfo`; then one file is changed and the bench waits "
          f"for the build, to check that the watch works at that size. Generated trees have {p['files_per_dir']} "
          "files per directory.")
        w("")
        w(rss.markdown(rs))
        w("")
        extra = []
        for c in rs["cases"]:
            bits = []
            if c.get("vmrss_after_build_kib") is not None:
                bits.append(f"VmRSS after one rebuild {c['vmrss_after_build_kib'] / 1024:.1f} MiB")
            if c.get("change_to_build_finished_ms") is not None:
                bits.append(f"change → build finished {c['change_to_build_finished_ms']:.0f} ms")
            if c.get("generate_s") is not None:
                bits.append(f"tree generated in {c['generate_s']:.1f} s")
            bits += c.get("notes") or []
            bits += [f"error: {e.splitlines()[0]}" for e in c.get("errors") or []]
            if bits:
                extra.append(f"* {c['name']}: " + "; ".join(bits) + ".")
        out.extend(extra)
        w("")

    if sc:
        scan_section(sc, w)

    if peers["cost"]:
        rp.cost_section(peers["cost"], w, plots)
    if peers["storms"]:
        rp.storms_section(peers["storms"], w)
    if peers["overlay"]:
        rp.overlay_section(peers["overlay"], w)
    if peers["e2e"]:
        rp.e2e_section(peers["e2e"], w)
    if peers["soak"]:
        rp.soak_section(peers["soak"], w, plots)
    hostile = load(os.path.join(args.results, "hostile.json"))
    if hostile:
        hostile_section(hostile, w)
    if rb:
        rollback.markdown(rb, w)
    report_static.idle_section(load(os.path.join(args.results, "idle.json")), w)
    report_static.static_section(load(os.path.join(args.results, "static.json")), w)
    report_static.tarsync_section(load(os.path.join(args.results, "tarsync.json")), w,
                                  load(os.path.join(args.results, "podsync.json")))
    report_proxy.proxy_section(load(os.path.join(args.results, "proxy.json")), w)
    report_proxy.services_section(load(os.path.join(args.results, "services.json")), w)
    if not plots.gnuplot:
        w("**No plots**: gnuplot is not installed (bench/install-peers.sh installs gnuplot-nox).")
        w("")
    for e in plots.errors:
        w(f"* plot error: {e}")

    w("Raw results: `bench/results/*.json` (latency, rss, scan, cost, storms, overlay, e2e, soak, hostile, "
      "rollback, idle, static, tarsync, podsync, proxy, services), regenerated by "
      "`make bench`. Plots: `docs/bench/*.svg` (gnuplot).")
    w("")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
