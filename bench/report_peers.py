"""The peer sections of docs/benchmarks.md (issue 7) and their plots (gnuplot → SVG).

Every number comes from bench/results/{latency,cost,storms,overlay,e2e,soak}.json. The "why"
sentences below explain mechanisms (what the tool does), never values: where a peer wins a row,
the sentence that says so is generated from the numbers, and the mechanism is appended."""

import os
import shutil
import subprocess

import benchlib as bl

# Why a peer can beat hotpod on a measure: the mechanism, no numbers.
WHY = {
    ("latency", "entr"): "entr execs the command from the event loop that read the inotify event, with no debounce timer and no log record to write first",
    ("latency", "inotifywait"): "the floor: a shell loop that runs the command as soon as inotifywait prints the close event",
    ("latency", "reflex"): "reflex's fixed 300 ms batch is part of its reaction time",
    ("latency", "nodemon"): "nodemon runs the command straight from chokidar's change callback",
    ("latency", "chokidar"): "chokidar-cli runs the command straight from its change callback (lodash debounce only when -d > 0)",
    ("latency", "hotpod"): "",
    ("latency_poll", "nodemon"): "at their defaults nodemon and chokidar poll every 100 ms, hotpod every 500 ms (so that a large tree stays within its 5 % CPU budget; see the idle cost)",
    ("latency_poll", "chokidar"): "at their defaults nodemon and chokidar poll every 100 ms, hotpod every 500 ms (so that a large tree stays within its 5 % CPU budget; see the idle cost)",
    ("rss", "reflex"): "reflex is a small Go program that keeps only its inotify watches; hotpod also keeps a per-directory snapshot of the tree (names, sizes, mtimes, inodes) for its rescans and its HTTP server",
    ("rss", "entr"): "entr keeps one watch per listed file and nothing else (the file list comes from find, which has exited)",
    ("rss", "inotifywait"): "inotifywait keeps only the watches and prints events; it has no snapshot of the tree",
    ("cpu", "default"): "hotpod wakes about once a second while idle (timers of its loop and HTTP server; see the wake-ups in the memory table above), the peer blocks in read() until an event arrives; both are a few 10 ms clock ticks per minute",
    ("cpu_poll", "nodemon"): "chokidar's polling (fs.watchFile) stats each file on its own timer; hotpod stretches its interval to its CPU budget",
    ("cpu_poll", "chokidar"): "chokidar's polling (fs.watchFile) stats each file on its own timer; hotpod stretches its interval to its CPU budget",
    ("startup", "entr"): "entr adds one watch per file that find lists and does not read directories itself (and, as for every peer, the bound is for the probe file at the root)",
    ("startup", "inotifywait"): "inotifywait adds the watches without reading the files' metadata; hotpod also stats every entry for its snapshot",
    ("startup", "reflex"): "reflex only adds directory watches (and, as for every peer, the bound is for the probe file at the root)",
    ("startup", "default"): "not the same measure: the peer's bound is for the probe file at the root of the tree, which tools that add watches while they walk (nodemon, chokidar) see before the rest of the tree is watched; hotpod's `watching` comes after every directory is watched",
    ("storm_runs", "default"): "the tool coalesces events with a timer that restarts on each event, so one storm gives one run",
    ("e2e", "default"): "most of save → answer is `go build` and the app's start, the same for every tool; the rest is the tool's reaction and how it stops the old app",
}


def why(kind, tool):
    return WHY.get((kind, tool)) or WHY.get((kind, "default")) or ""


def mib(k):
    return None if k is None else k / 1024.0


# --------------------------------------------------------------------------------------------
# plots


class Plots:
    """Writes .dat files and runs gnuplot (SVG). Missing gnuplot: no plots, said in the doc."""

    def __init__(self, out_dir, link_prefix):
        self.out_dir = out_dir
        self.link_prefix = link_prefix
        self.gnuplot = shutil.which("gnuplot")
        self.made = []
        self.errors = []

    def _run(self, name, script, datasets):
        if not self.gnuplot:
            return None
        os.makedirs(self.out_dir, exist_ok=True)
        dat_paths = []
        for i, rows in enumerate(datasets):
            p = os.path.join(self.out_dir, f".{name}.{i}.dat")
            with open(p, "w") as f:
                for r in rows:
                    f.write(" ".join(str(x) for x in r) + "\n")
            dat_paths.append(p)
        svg = os.path.join(self.out_dir, f"{name}.svg")
        full = (f"set terminal svg size 900,620 dynamic enhanced font 'sans,12' background rgb 'white'\n"
                f"set output '{svg}'\nset key outside below\nset grid\n") + script.format(*dat_paths)
        r = subprocess.run([self.gnuplot], input=full, text=True, capture_output=True)
        for p in dat_paths:
            os.unlink(p)
        if r.returncode != 0 or not os.path.exists(svg):
            self.errors.append(f"{name}: gnuplot failed: {r.stderr.strip()[:300]}")
            return None
        self.made.append(svg)
        return f"{self.link_prefix}{name}.svg"

    def latency_cdf(self, lat, backend, name):
        rows = [r for r in lat.get("runs", []) if r.get("summary_ms") and r.get("backend", "inotify") == backend
                and r.get("tool") != "spawn only"]
        if not rows:
            return None
        datasets, plots = [], []
        for r in rows:
            v = sorted(x / 1e6 for x in r["latency_ns"])
            n = len(v)
            datasets.append([(max(x, 0.01), (i + 1) / n) for i, x in enumerate(v)])
            plots.append(f"'{{{len(datasets) - 1}}}' using 1:2 with steps lw 2 title '{r.get('label', r['tool'])}'")
        script = (f"set title 'Reaction latency, {backend}: close() → command starts (configured delay subtracted)'\n"
                  "set logscale x\nset xrange [1:*]\nset xlabel 'ms (log scale; below 1 ms, e.g. a premature sample, not shown)'\nset ylabel 'fraction of samples'\nset yrange [0:1]\n"
                  "plot " + ", ".join(plots) + "\n")
        return self._run(name, script, datasets)

    def cost_vs_size(self, cost, field, ylabel, name, scale=1.0, logy=False):
        keys = []
        series = {}
        for c in cost.get("cases", []):
            for r in c.get("idle", []):
                if r.get(field) is None:
                    continue
                if r["key"] not in series:
                    keys.append((r["key"], r["label"]))
                    series[r["key"]] = []
                series[r["key"]].append((c["files"], r[field] * scale))
        if not keys:
            return None
        datasets = [series[k] for k, _ in keys]
        plots = [f"'{{{i}}}' using 1:2 with linespoints lw 2 title '{label}'" for i, (_, label) in enumerate(keys)]
        script = (f"set title '{ylabel} while idle vs tree size'\nset logscale x\nset autoscale xfix\nset offsets graph 0.05, graph 0.05, 0, 0\n" + ("set logscale y\n" if logy else "") +
                  f"set xlabel 'files in the tree (log scale)'\nset ylabel '{ylabel}'\nplot " + ", ".join(plots) + "\n")
        return self._run(name, script, datasets)

    def soak_rss(self, soak, name):
        s = (soak.get("soak") or {}).get("samples") or []
        if len(s) < 2:
            return None
        script = ("set title 'hotpod during the soak: VmRSS and open fds'\nset xlabel 'reloads'\nset ylabel 'VmRSS MiB'\n"
                  "set y2label 'open fds'\nset ytics nomirror\nset y2tics\nset yrange [0:*]\nset y2range [0:*]\n"
                  "plot '{0}' using 1:2 with linespoints lw 2 title 'VmRSS MiB', '{0}' using 1:3 axes x1y2 with lines lw 2 title 'fds'\n")
        return self._run(name, script, [[(x["reload"], x["vmrss_kib"] / 1024.0, x["fds"]) for x in s]])


# --------------------------------------------------------------------------------------------
# sections


def latency_wins(lat):
    """Sentences for the rows where a peer's p50 beats hotpod's comparable row."""
    import latency as L  # noqa: PLC0415

    out = []
    for r in lat.get("runs", []):
        s = r.get("summary_ms")
        if not s or r.get("tool") in ("hotpod", "spawn only"):
            continue
        base = L.ratio_base(lat, r)
        if not base:
            continue
        b = base["summary_ms"]
        if s["p50"] < b["p50"]:
            felt = ""
            if r.get("delay_ms") != base.get("delay_ms"):
                pr, pb = s["p50"] + (r.get("delay_ms") or 0), b["p50"] + (base.get("delay_ms") or 0)
                felt = (f" With the configured delays included (what a user waits): {pr:.2f} ms vs {pb:.2f} ms, "
                        f"{'the peer still ahead' if pr < pb else 'hotpod ahead'}.")
            out.append(f"{r.get('label', r['tool'])} ({r.get('backend')}) beats {base.get('label', 'hotpod')} on p50 latency: "
                       f"{s['p50']:.2f} ms vs {b['p50']:.2f} ms ({b['p50'] - s['p50']:.2f} ms less).{felt} "
                       f"Why: {why('latency_poll' if r.get('backend') == 'poll' else 'latency', r['tool'])}.")
    return out


def cost_section(cost, w, plots):
    p = cost["params"]
    w("## Peers: idle cost and start-up")
    w("")
    w(f"`bench/peers.py cost`. Generated trees of {', '.join(f'{n:,}' for n in p['sizes'])} files ({p['files_per_dir']} per "
      "directory). **Start-up** (one tool at a time): the time until the first change would be seen. hotpod and the "
      "inotifywait loop say when their watches are set (`watching` record, \"Watches established.\"), and hotpod then "
      "runs its build for the next write (checked). The peers say nothing reliable, so the bench writes a probe file "
      "until the tool runs its command; \"≤\" is the write that was seen, the bound below it the write before, which "
      "was not (period: the tool's quiet time + 150 ms). The probe file is at the root of the tree: a tool that adds "
      "watches while it walks the tree (nodemon and chokidar do) may see it before the rest of the tree is watched, so "
      "a peer's value is the time until the root is watched, a lower bound for the whole tree. "
      f"**Idle** (all tools at once on the same tree, nothing changing): CPU time (utime+stime of the tool and its "
      f"children, `/proc/PID/stat`, 10 ms ticks) over {p['idle_s']:g} s, VmRSS summed over the tool's processes (entr "
      "and the inotifywait loop run under `sh`; nodemon and chokidar are one node process), inotify watches from "
      "`/proc/PID/fdinfo`. One measurement per size and tool: no min/median/max here. "
      "Tools are configured at their defaults (the min-delay variants watch the same way).")
    w("")
    for c in cost.get("cases", []):
        hp = {r["key"]: r for r in c.get("idle", [])}
        hs = {r["key"]: r for r in c.get("startup", [])}
        w(f"### {c['files']:,} files ({c.get('directories', '?'):,} directories)" if isinstance(c.get("directories"), int)
          else f"### {c['files']:,} files")
        w("")
        w("| tool | backend | configured as | first change seen (ms) | idle CPU % of a core | VmRSS MiB | RSS ÷ hotpod | peak RSS MiB | inotify watches | processes | runs while idle |")
        w("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        keys = [r["key"] for r in c.get("startup", [])]
        for k in keys:
            st = hs.get(k, {})
            idl = hp.get(k, {})
            if st.get("skipped"):
                w(f"| {st['label']} | | | skipped: {st['skipped']} | | | | | | | |")
                continue
            if "ready_line_ms" in st:
                fc = f"{st['ready_line_ms']:.0f}"
            elif "probe_ms" in st:
                fc = f"≤ {st['probe_ms']:.0f} (> {st['probe_lower_ms']:.0f})"
            else:
                fc = "error: " + "; ".join(st.get("errors") or ["?"])
            base = hp.get("hotpod-poll" if idl.get("backend") == "poll" else "hotpod", {})
            ratio = (f"{idl['rss_kib'] / base['rss_kib']:.1f} ×" if idl.get("rss_kib") and base.get("rss_kib") else "–")
            err = "; ".join(idl.get("errors") or [])
            w(f"| {st.get('label', k)} | {st.get('backend', '')} | {st.get('config', '')} | {fc} | "
              f"{bl.fmt(idl.get('cpu_pct'), 2) if not err else 'error: ' + err} | {bl.fmt(mib(idl.get('rss_kib')), 1)} | {ratio} | "
              f"{bl.fmt(mib(idl.get('rss_peak_kib')), 1)} | {bl.fmt(idl.get('inotify_watches'))} | {bl.fmt(idl.get('procs'))} | "
              f"{bl.fmt(idl.get('runs_while_idle'))} |")
        w("")
        facts = []
        for backend, hk in (("inotify", "hotpod"), ("poll", "hotpod-poll")):
            h = hp.get(hk)
            hst = hs.get(hk)
            if not h or h.get("rss_kib") is None:
                continue
            for r in c.get("idle", []):
                if r.get("backend") != backend or r["key"].startswith("hotpod") or r.get("rss_kib") is None:
                    continue
                tool = r["key"].split("-")[0]
                if r["rss_kib"] < h["rss_kib"]:
                    facts.append(f"{r['label']} uses less memory than hotpod ({mib(r['rss_kib']):.1f} vs {mib(h['rss_kib']):.1f} MiB). Why: {why('rss', tool)}.")
                if r.get("cpu_pct") is not None and h.get("cpu_pct") is not None and r["cpu_pct"] < h["cpu_pct"]:
                    facts.append(f"{r['label']} used less idle CPU than {h['label']} ({r['cpu_pct']:.2f} % vs {h['cpu_pct']:.2f} %). "
                                 f"Why: {why('cpu_poll' if backend == 'poll' else 'cpu', tool)}.")
                st = hs.get(r["key"], {})
                fc = st.get("ready_line_ms", st.get("probe_ms"))
                if hst and fc is not None and hst.get("ready_line_ms") is not None and fc < hst["ready_line_ms"]:
                    facts.append(f"{r['label']} saw its first change sooner than {hst['label']} ({fc:.0f} vs {hst['ready_line_ms']:.0f} ms). "
                                 f"Why: {why('startup', tool)}.")
        for f in facts:
            w(f"* {f}")
        if facts:
            w("")
    for field, label, name, scale, logy in (("rss_kib", "VmRSS MiB", "cost-rss", 1 / 1024.0, True),
                                            ("cpu_pct", "idle CPU % of a core", "cost-cpu", 1.0, False)):
        link = plots.cost_vs_size(cost, field, label, name, scale, logy)
        if link:
            w(f"![{label} vs tree size]({link})")
            w("")
    w("Commands (`TREE`: the generated tree, `STAMP OUT`: the triggered command):")
    w("")
    w("```sh")
    seen = set()
    for c in cost.get("cases", [])[:1]:
        for r in c.get("startup", []):
            if r.get("command") and r["key"] not in seen:
                seen.add(r["key"])
                w(bl.shell_join(r["command"]))
    w("```")
    w("")


def completed_cancelled(r):
    """hotpod's own account of a storm (its build_finished records); peers report none."""
    if r.get("builds_completed") is None:
        return "–"
    return f"{r['builds_completed']} / {r['builds_cancelled']}"


def storms_section(st, w):
    p = st["params"]
    w("## Peers: storms")
    w("")
    w(f"`bench/peers.py storms`. Each tool alone, on a fresh tree. **tar**: `tar xf - -C TREE` of {p['tar_files']:,} files "
      "read from a pipe; after the first half of the archive the bench appends to `src/main.go` (a change made during "
      f"the storm), then sends the second half. **checkout**: a generated repository of {p['repo_files']:,} files, "
      f"`git checkout b` changes {p['checkout_changed_files']:,} paths (a third modified, a tenth removed, a tenth added) "
      "while the bench appends to `src/main.go` (untracked). A storm ends when the tool has been quiet for its delay + "
      f"{p['quiet_s']:g} s; counting stops after {p.get('cap_s', 45):g} s. **final state built**: the last run started "
      "after the storm's last write; \"no\" means the change made during the storm (and the storm's last files) were "
      "never built: lost until the next save.")
    w("")
    w("| storm | tool | backend | configured as | storm ms | runs | during / after the storm | first run after start (ms) | last run after end (ms) | final state built | builds completed / cancelled |")
    w("|---|---|---|---|---:|---:|---:|---:|---:|---|---:|")
    for r in st.get("rows", []):
        if r.get("skipped"):
            w(f"| {r['storm']} | {r['label']} | | | skipped: {r['skipped']} | | | | | | |")
            continue
        if r.get("errors") and "runs" not in r:
            w(f"| {r['storm']} | {r['label']} | {r.get('backend', '')} | {r.get('config', '')} | error: {r['errors'][0]} | | | | | | |")
            continue
        runs = str(r["runs"])
        # settle() stops at the cap without saying so: a last run within the quiet period of
        # the cap means the tool was still running its command when counting stopped.
        cap = p.get("cap_s", 45)
        cut = r.get("still_running_after_s") or (r.get("last_run_after_end_ms") is not None
                                                  and r["last_run_after_end_ms"] / 1000 >= cap - p["quiet_s"])
        if cut:
            runs = f"≥ {r['runs']} (still running when counting stopped, {cap:g} s)"
        built = "yes" if r["final_state_built"] else ("**no** (the tool had exited)" if r.get("tool_exited") else "**no**")
        w(f"| {r['storm']} | {r['label']} | {r.get('backend', '')} | {r.get('config', '')} | {bl.fmt(r['storm_ms'], 0)} | {runs} | "
          f"{r['runs_during']} / {r['runs_after']} | {bl.fmt(r['first_run_after_start_ms'], 0)} | {bl.fmt(r['last_run_after_end_ms'], 0)} | {built} | "
          f"{completed_cancelled(r)} |")
    w("")
    facts = []
    for kind in ("tar", "checkout"):
        rows = [r for r in st.get("rows", []) if r.get("storm") == kind and "runs" in r]
        h = next((r for r in rows if r["key"] == "hotpod"), None)
        if not h:
            continue
        hv = f"{h['runs']} run{'s' if h['runs'] != 1 else ''}" + (", final state built" if h["final_state_built"] else ", final state NOT built")
        one = [r["label"] for r in rows if r["runs"] == 1 and r["final_state_built"]]
        lost = [r["label"] for r in rows if not r["final_state_built"]]
        many = [f"{r['label']} ({r['runs']})" for r in rows if r["runs"] > 1]
        facts.append(f"{kind}: hotpod (defaults): {hv}. Exactly one run, after the last write: {', '.join(one) or 'none'}. "
                     f"More than one run: {', '.join(many) or 'none'}. Final state never built: {', '.join(lost) or 'none'}.")
        if h.get("builds_completed") is not None:
            facts.append(f"{kind}: hotpod's own account: {h['builds_completed']} build(s) completed, {h['builds_cancelled']} "
                         "cancelled. A lone change of a quiet tree is built after 0.1 ms; bench/peers.py appends to src/main.go "
                         "during the storm (tar: after half the archive; checkout: once git holds .git/index.lock), so the "
                         "storm's changes wait the full quiet period, and while git holds its index lock the window stays "
                         "open past watch.max_delay. The bench's build command ends within a millisecond, so an early build "
                         "here completes instead of being cancelled.")
        if not (h["runs"] == 1 and h["final_state_built"]):
            for r in rows:
                if r is not h and r["runs"] == 1 and r["final_state_built"]:
                    facts.append(f"{kind}: {r['label']} wins this row: one run, after the last write, where hotpod (defaults) had {hv}. "
                                 f"Why: {why('storm_runs', r['key'].split('-')[0])}.")
        if h["runs"] == 1 and h["final_state_built"]:
            ties = [r for r in rows if r is not h and r["runs"] == 1 and r["final_state_built"] and r.get("last_run_after_end_ms") is not None
                    and h.get("last_run_after_end_ms") is not None and r["last_run_after_end_ms"] < h["last_run_after_end_ms"]]
            for r in ties:
                facts.append(f"{kind}: {r['label']} also ran once, and sooner after the storm ({r['last_run_after_end_ms']:.0f} vs "
                             f"{h['last_run_after_end_ms']:.0f} ms). Why: its quiet period is shorter or it ran before the storm's tail was read.")
    for f in facts:
        w(f"* {f}")
    w("")


def overlay_section(ov, w):
    w("## Peers: missed changes (overlayfs lower layer)")
    w("")
    if ov.get("skipped"):
        w(f"**SKIPPED**: {ov['skipped']}.")
        w("")
        return
    w("`bench/peers.py overlay`. For each tool: `mount -t overlay overlay -o lowerdir=L,upperdir=U,workdir=W M`, the tool "
      "watches `M` (readiness probed through `M`), then the bench appends to `L/src/f3.go`, a file not copied up: the change "
      "is visible through `M` but produces no inotify event on it (RECIPES: \"inotify and overlayfs\"). Seen: the tool ran "
      f"its command within {ov['params'].get('timeout_s', 15):g} s. hotpod (auto) picks `hybrid` on an overlay root "
      "(verification walk every 5 s).")
    w("")
    w("| tool | backend | configured as | hotpod's backend | seen | after ms |")
    w("|---|---|---|---|---|---:|")
    for r in ov.get("rows", []):
        if r.get("skipped"):
            w(f"| {r['label']} | | | | skipped: {r['skipped']} | |")
        elif r.get("errors"):
            w(f"| {r['label']} | {r.get('backend', '')} | {r.get('config', '')} | | error: {r['errors'][0]} | |")
        else:
            w(f"| {r['label']} | {r.get('backend', '')} | {r.get('config', '')} | {r.get('hotpod_backend') or '–'} | "
              f"{'yes' if r['seen'] else '**missed**'} | {bl.fmt(r.get('seen_after_ms'), 0)} |")
    w("")
    rows = [r for r in ov.get("rows", []) if "seen" in r]
    h = next((r for r in rows if r["key"] == "hotpod-auto"), None)
    if h and h["seen"]:
        faster = [r for r in rows if r["seen"] and r["key"] != "hotpod-auto" and not r["key"].startswith("hotpod")
                  and r["seen_after_ms"] < h["seen_after_ms"]]
        for r in faster:
            w(f"* {r['label']} saw the lower-layer write sooner than hotpod (auto) ({r['seen_after_ms']:.0f} vs {h['seen_after_ms']:.0f} ms). "
              "Why: it polls every file every 100 ms (and pays for it in idle CPU, see the cost tables); hotpod's hybrid "
              "verification walks the tree every 5 s on top of inotify.")
    missed = [r["label"] for r in rows if not r["seen"]]
    w(f"* Missed the change: {', '.join(missed) or 'none'}.")
    w("")


def e2e_section(e2, w):
    w("## Peers: end-to-end (save → the Gin example answers)")
    w("")
    if e2.get("skipped"):
        w(f"**SKIPPED**: {e2['skipped']}.")
        w("")
        return
    p = e2["params"]
    w(f"`bench/peers.py e2e`. A copy of `{p['app']}` per tool; each tool builds with `{p['build']}` and runs `./app` "
      f"({p['env']}; the cache was warmed by one build of {p['warm_build_s']:g} s first). {p['edits']} saves per tool; the tools "
      "run at once, each idle on its own copy and port, and the saves take turns, the order turning each round. The "
      "bench rewrites the `greeting` constant in `main.go`, waits (inotify on the copy) until the build has written "
      "`./app` and until the old app (the process that listened on the port before the save, unless that is the tool "
      "itself, as hotpod's proxy is) has exited, then GETs `/` every millisecond until the body is the new text (the "
      "HTTP answer is the measurement; there is no event to wait for). Milliseconds from the save (its content "
      "written, its close() called) to that answer. No GET during the build nor during the old app's graceful stop: "
      "they loaded the old app, which hotpod keeps serving while the peers stop it at the save, and slowed only "
      "hotpod (an in-flight GET makes Go's `http.Server.Shutdown` wait for its next 1 ms poll: the old app's stop "
      "took 3.7 ms instead of 2.2 ms, bench/e2e_wait.py).")
    w("")
    w("| tool | edits | min | median | max | ÷ hotpod (median) | first answer after start (s) | command |")
    w("|---|---:|---:|---:|---:|---:|---:|---|")
    h = next((r for r in e2.get("rows", []) if r.get("tool") == "hotpod" and r.get("summary_ms")), None)
    for r in e2.get("rows", []):
        if r.get("skipped"):
            w(f"| {r['tool']} | skipped: {r['skipped']} | | | | | | |")
            continue
        s = r.get("summary_ms") or {}
        ratio = f"{s['p50'] / h['summary_ms']['p50']:.2f} ×" if s and h else "–"
        err = ("; error: " + r["errors"][0]) if r.get("errors") else ""
        w(f"| {r['tool']} | {s.get('n', 0)}{err} | {bl.fmt(s.get('min'), 0)} | {bl.fmt(s.get('p50'), 0)} | {bl.fmt(s.get('max'), 0)} | "
          f"{ratio} | {bl.fmt(r.get('first_answer_s'))} | `{bl.shell_join(r['command'])}`"
          + (f", hotpod.yaml `{{{r['config']}}}`" if r.get("config") else "") + " |")
    w("")
    own = [r for r in e2.get("rows", []) if r.get("tool", "").startswith("hotpod") and r.get("parts_p50_ms")]
    if own:
        w("**hotpod's own part** (goal ≤ 5 ms p50): the total minus the build's duration and the app's own start-up, "
          "both as hotpod's records give them (`build_started` → `build_finished` of the build that succeeded; "
          "`app_started` → the first right answer, or → `app_promoted` with `overlap`, where the readiness probe's "
          "find, the switch and the proxy's hop to the first right answer are hotpod's; `build_started` and "
          "`app_started` are stamped with hotpod's `execve` of the program, `build_finished` with the moment hotpod "
          "saw the build end, docs/logging.md), medians over the edits. Without the proxy the old app must "
          "exit before the new one can listen on the same port; with `handover: overlap` the new version starts "
          "on a port of its own at once, and the old one is stopped after the switch, off the path:")
        w("")
        w("| hotpod | save → build started | build | build finished → app started | app start-up | total | **hotpod's own part** | builds started / cancelled (all edits) |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|")
    for hp in own:
        q = hp["parts_p50_ms"]
        parts = hp["parts"]
        split = ""
        if q.get("old_app_exit_ms") is not None:
            split = (f" (the old app's exit after SIGTERM {q['old_app_exit_ms']:.2f} ms, "
                     f"then the new one's start {q['stopped_to_started_ms']:.2f} ms)")
        start_up = f"{q['app_startup_ms']:.1f} ms"
        if q.get("promoted_to_answer_ms") is not None:
            start_up += f" (to `app_promoted`; then {q['promoted_to_answer_ms']:.2f} ms to the answer)"
        w(f"| {hp['tool']} | {q['save_to_build_started_ms']:.2f} ms | {q['build_ms']:.0f} ms | {q['build_finished_to_app_started_ms']:.2f} ms{split} | "
          f"{start_up} | {q['total_ms']:.0f} ms | **{q['hotpod_ms']:.2f} ms** "
          f"({'met' if q['hotpod_ms'] <= 5 else 'NOT met'}) | {sum(p['builds_started'] for p in parts)} / "
          f"{sum(p['builds_cancelled'] for p in parts)} |")
    if own:
        w("")
    if h:
        for r in e2.get("rows", []):
            s = r.get("summary_ms")
            if r is not h and s and s["p50"] < h["summary_ms"]["p50"]:
                w(f"* {r['tool']} has the lower median ({s['p50']:.0f} vs {h['summary_ms']['p50']:.0f} ms). Why: {why('e2e', r['tool'])}.")
        w("")


def soak_section(sk, w, plots):
    s = sk.get("soak") or {}
    w(f"## Soak: {s.get('reloads_requested', 0):,} reloads")
    w("")
    w(f"`bench/peers.py soak`: `{bl.shell_join(s.get('command', []))}`; each reload appends to a watched file and waits for "
      "the `app_started` record (build `true`, then the app `sleep` is stopped and started again). VmRSS, fds, threads "
      "and zombies (processes in state Z under hotpod) from `/proc`. Growth is measured from the sample after the first "
      "tenth of the reloads (allocator warm) to the end; the growth from the first reload is given too.")
    w("")
    if not s.get("samples"):
        w("No samples: " + "; ".join(s.get("errors") or ["?"]))
        w("")
        return
    b, e = s.get("baseline") or s["samples"][0], s.get("final") or s["samples"][-1]
    first = s["samples"][0]
    goal = 5.0
    g = s.get("rss_growth_pct")
    w("| | after reload 1 | baseline (reload " + str(b["reload"]) + ") | end (reload " + str(e["reload"]) + ") | goal | verdict |")
    w("|---|---:|---:|---:|---|---|")
    w(f"| VmRSS MiB | {mib(first['vmrss_kib']):.2f} | {mib(b['vmrss_kib']):.2f} | {mib(e['vmrss_kib']):.2f} | growth ≤ {goal:g} % | "
      f"{bl.fmt(g)} % ({bl.fmt(s.get('rss_growth_from_first_pct'))} % from reload 1): {'met' if g is not None and g <= goal else 'NOT met'} |")
    w(f"| open fds | {first['fds']} | {b['fds']} | {e['fds']} | constant | {'met' if e['fds'] <= b['fds'] else 'NOT met'} |")
    w(f"| zombies | {first['zombies']} | {b['zombies']} | {e['zombies']} | 0 | {'met' if e['zombies'] == 0 else 'NOT met'} |")
    w(f"| threads | {first['threads']} | {b['threads']} | {e['threads']} | | |")
    w(f"| processes (hotpod + app) | {first['processes']} | {b['processes']} | {e['processes']} | | |")
    w("")
    w(f"{s.get('reloads_done', 0)} of {s['reloads_requested']} reloads in {bl.fmt(s.get('wall_s'))} s (`--delay {s['delay_ms']}ms`); "
      f"build results {s.get('build_results')}; exit code on SIGTERM {s.get('exit_code_on_sigterm')}."
      + ("; errors: " + "; ".join(s["errors"]) if s.get("errors") else ""))
    w("")
    link = plots.soak_rss(sk, "soak-rss")
    if link:
        w(f"![hotpod VmRSS and fds over the reloads]({link})")
        w("")


def goals_section(lat, cost, storms, overlay, soak, w):
    """Issue 7's goals for hotpod, each with the measured value and a verdict."""
    rows = []

    def run(key):
        return next((r for r in (lat or {}).get("runs", []) if r.get("key") == key and r.get("summary_ms")), None)

    floor = run("inotifywait")
    for key in ("hotpod-100", "hotpod-0"):
        h = run(key)
        if h and floor:
            d = h["summary_ms"]["p50"] - floor["summary_ms"]["p50"]
            measured = f"{h['summary_ms']['p50']:.2f} ms vs {floor['summary_ms']['p50']:.2f} ms: {d:+.2f} ms"
            wake = (lat or {}).get("timer_wake")
            if key == "hotpod-100" and wake:
                measured += (f" (of which waking from the {wake['delay_ms']} ms timer costs this machine "
                             f"{wake['p50_us'] / 1000:.2f} ms, p50 of bench/timerwake)")
            rows.append((f"reaction latency within 1 ms of the inotifywait floor ({h['label']}, p50, delay subtracted)",
                         measured, "met" if d <= 1.0 else "NOT met"))
    if cost and cost.get("cases"):
        big = max(cost["cases"], key=lambda c: c["files"])
        idle = {r["key"]: r for r in big.get("idle", [])}
        h = idle.get("hotpod")
        if h and h.get("cpu_pct") is not None:
            rows.append((f"idle CPU ~0 with inotify ({big['files']:,} files)", f"{h['cpu_pct']:.2f} % of a core over {h['seconds']:g} s",
                         "met" if h["cpu_pct"] < 0.5 else "NOT met"))
        hp = idle.get("hotpod-poll")
        if hp and hp.get("cpu_pct") is not None:
            rows.append((f"idle CPU with polling within the poll budget, 5 % ({big['files']:,} files)", f"{hp['cpu_pct']:.2f} %",
                         "met" if hp["cpu_pct"] <= 5.0 else "NOT met"))
        for k in ("hotpod", "hotpod-poll"):
            r = idle.get(k)
            if r and r.get("rss_kib"):
                rows.append((f"RSS ≤ 32 MB at {big['files']:,} files ({r['label']})", f"{r['rss_kib'] / 1024:.1f} MiB (peak {r['rss_peak_kib'] / 1024:.1f})",
                             "met" if r["rss_peak_kib"] / 1024 <= 32 else "NOT met"))
    if storms:
        for kind in ("tar", "checkout"):
            h = next((r for r in storms.get("rows", []) if r.get("key") == "hotpod" and r.get("storm") == kind and "runs" in r), None)
            if h:
                rows.append((f"exactly one run per storm, after the last write ({kind})",
                             f"{h['runs']} run(s), final state {'built' if h['final_state_built'] else 'NOT built'}",
                             "met" if h["runs"] == 1 and h["final_state_built"] else "NOT met"))
    if overlay and not overlay.get("skipped"):
        h = next((r for r in overlay.get("rows", []) if r.get("key") == "hotpod-auto" and "seen" in r), None)
        if h:
            rows.append(("zero missed changes: overlay lower-layer write (hotpod auto)", "seen" if h["seen"] else "missed",
                         "met" if h["seen"] else "NOT met"))
    elif overlay:
        rows.append(("zero missed changes: overlay lower-layer write", f"skipped: {overlay['skipped']}", "not measured"))
    s = (soak or {}).get("soak") or {}
    if s.get("rss_growth_pct") is not None:
        rows.append((f"soak: RSS growth ≤ 5 % over {s.get('reloads_done', 0):,} reloads", f"{s['rss_growth_pct']:.2f} %",
                     "met" if s["rss_growth_pct"] <= 5 else "NOT met"))
        f = s.get("final") or {}
        rows.append(("soak: no zombies, fds constant", f"{f.get('zombies')} zombies, fds {s['baseline']['fds']} → {f.get('fds')}",
                     "met" if f.get("zombies") == 0 and f.get("fds", 1e9) <= s["baseline"]["fds"] else "NOT met"))
    if not rows:
        return
    w("## Issue 7's goals for hotpod")
    w("")
    w("| goal | measured | verdict |")
    w("|---|---|---|")
    for g, m, v in rows:
        w(f"| {g} | {m} | {v} |")
    w("")
