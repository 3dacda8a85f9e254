"""The dev proxy (bench/proxy.py, issue 18) and services (bench/services.py, issue 19) sections of
docs/benchmarks.md."""

CASES = {"proxy-stop-first": "hotpod, proxy, `handover: stop-first`",
         "proxy-overlap": "hotpod, proxy, `handover: overlap`",
         "hotpod-no-proxy": "hotpod without the proxy (app on its own port)",
         "nodemon": "nodemon", "reflex": "reflex"}


def load_note(res):
    end = f" at the start, {res['load_end']:.1f} at the end" if res.get("load_end") is not None else ""
    return f"load average {res['load']:.1f}{end} on {res['cpus']} CPUs (other sessions' builds and tests)"


def goal(value, limit, unit, at_most):
    met = value <= limit if at_most else value >= limit
    if met:
        return "met"
    return f"missed by {value - limit:.2f}{unit}" if at_most else f"missed by {limit - value:.2f}{unit}"


def cpu_per_request(r):
    c = r.get("cpu_us_per_request")
    return f"{c['app']:.0f} / {c.get('hotpod', c.get('haproxy', 0)):.0f} / {c['wrk']:.0f}" if c else ""


def proxy_section(res, w):
    if not res:
        return
    goals = res.get("goals") or {"added_p50_ms": 0.2, "throughput_ratio": 0.8}
    w("## Dev proxy")
    w("")
    tl = res.get("throughput_load")
    wrk_note = (f" (the wrk part measured again on {res['throughput_date']} with `--throughput-only`, load "
                f"average {tl[0]:.1f} at its start, {tl[1]:.1f} at its end; the reload rows below are from the "
                "run above)" if tl else "")
    reference = any(run.get("haproxy") for run in res["runs"])
    w(f"`bench/proxy.py` on copies of examples/gin-app, {load_note(res)}{wrk_note}. First, wrk "
      f"({res['seconds']} s each, `-t2` or `-t1`, `--latency`) against the running app's own port and "
      "through hotpod's proxy (`proxy.listen`, stop-first) to the same app process, one after the other"
      + (", then through haproxy (Debian's 2.6, one thread like hotpod's reactor, keep-alive on both sides, "
         "`http-reuse always`) to the same app: the reference, what a production proxy costs on this machine"
         if reference else "")
      + f". Goals (issue 18): added p50 ≤ {goals['added_p50_ms']:g} ms, throughput through the proxy "
      f"≥ {goals['throughput_ratio']:g}× the direct one.")
    w("")
    w("| wrk | requests/s | p50 | p99 | added p50 | added p99 | throughput | goal: added p50 | goal: throughput "
      "| CPU µs per request: app / proxy / wrk |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for run in res["runs"]:
        d = run["direct"]
        w(f"| -c{run['connections']} direct | {d['rps']:.0f} | {d['p50_ms']:.3f} ms | {d['p99_ms']:.2f} ms "
          f"| | | | | | {cpu_per_request(d)} |")
        legs = [("through hotpod's proxy", run["proxy"], run)]
        if run.get("haproxy"):
            legs.append(("through haproxy (reference)", run["haproxy"], run["haproxy"]))
        for name, p, added in legs:
            w(f"| -c{run['connections']} {name} | {p['rps']:.0f} | {p['p50_ms']:.3f} ms | {p['p99_ms']:.2f} ms | "
              f"{added['added_p50_ms']:+.3f} ms | {added['added_p99_ms']:+.2f} ms | {added['throughput_ratio']:.2f}× | "
              f"{goal(added['added_p50_ms'], goals['added_p50_ms'], ' ms', True)} | "
              f"{goal(added['throughput_ratio'], goals['throughput_ratio'], '×', False)} | {cpu_per_request(p)} |")
    w("")
    if any(r["proxy"].get("cpu_us_per_request") for r in res["runs"]):
        w("CPU per request from `/proc/PID/stat` (the proxy: hotpod, or haproxy in its rows; the app: hotpod's "
          "descendants) and wrk's "
          "`RUSAGE_CHILDREN`, over each wrk run. wrk, the app and the proxy share the machine's "
          f"{res['cpus']} CPUs: where they use all of them, requests per second are at most CPUs ÷ "
          "the CPU time of one request, so the proxy's share caps the ratio, whatever the latency. "
          "Its part per request is about the floor of a user-space proxy on loopback TCP: two recv "
          "and two send (one each way on each side) and about half an epoll_wait (strace -c), "
          "most of it in the kernel's TCP stack (hotpod's system time is about 3/4 of its CPU).")
        w("")
    refs = [r for r in res["runs"] if r.get("haproxy")]
    if refs:
        behind = all(r["haproxy"]["throughput_ratio"] <= r["throughput_ratio"] for r in refs)
        w("**The reference.** haproxy, measured the same way in the same run, "
          + ("reaches no more than hotpod's proxy at any concurrency: "
             if behind else "does better than hotpod's proxy at some concurrency: ")
          + "; ".join(f"-c{r['connections']}: {r['haproxy']['throughput_ratio']:.2f}× and "
                      f"{r['haproxy']['added_p50_ms']:+.3f} ms against hotpod's {r['throughput_ratio']:.2f}× "
                      f"and {r['added_p50_ms']:+.3f} ms" for r in refs)
          + (". On this machine the throughput goal, and the added p50 where the CPUs are saturated, are out of "
             "reach of a user-space proxy on loopback TCP, not of hotpod's alone. With cores to spare that cap "
             "goes away; one reactor's own cap is then 1 s ÷ its CPU per request (about "
             f"{1e6 / refs[-1]['proxy']['cpu_us_per_request']['hotpod']:,.0f} requests a second at "
             f"-c{refs[-1]['connections']} here)." if behind else "."))
        w("")
    errors = [f"-c{r['connections']} {k}: {r[k]['errors']}" for r in res["runs"] for k in ("direct", "proxy") if r[k]["errors"]]
    if errors:
        w("wrk errors: " + "; ".join(errors) + ".")
        w("")
    rows = res.get("reload_rows")
    if not rows:
        return
    p = res["reload_params"]
    w("### Failed requests across reloads, save → first new answer")
    w("")
    w(f"{p['rate']} requests a second ({p['workers']} threads, half of them keep-alive, 30 s timeout) on the port "
      f"users connect to while `main.go` is edited {p['reloads']} times; each edit waits for the previous version to have "
      "stopped. Failed: connection refused or reset, timeout, or a status other than 200. Save → first new answer: "
      "from the write of `main.go` to the first response of the load that carries the new text (resolution "
      f"{1000 / p['rate']:.0f} ms), which includes the `go build` (incremental, warm cache; hotpod's own build time in "
      f"its own column; answer − build: per reload, save → answer minus that reload's build as hotpod logs it). "
      f"nodemon and reflex run `{p['peer_command']}` as in the end-to-end section.")
    w("")
    w("| | reloads | requests | failed | per reload | failures | save → first new answer p50 | min | max | go build p50 | answer − build p50 |")
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        label = CASES.get(r["case"], r["case"])
        if r.get("error") and not r.get("requests"):
            w(f"| {label} | {r['reloads']} | – | – | – | error: {r['error']} | | | | | |")
            continue
        kinds = ", ".join(f"{k} {n}" for k, n in r["failure_kinds"].items()) or "–"
        s = r.get("save_to_new_answer_ms") or {}
        build = f"{r['build_p50_ms']:.0f} ms" if r.get("build_p50_ms") is not None else "–"
        beyond = f"{r['beyond_build_p50_ms']:.0f} ms" if r.get("beyond_build_p50_ms") is not None else "–"
        cell = (lambda k: f"{s[k]:.0f} ms" if k in s else "–")  # noqa: E731
        w(f"| {label} | {r['reloads']} | {r['requests']} ({r['rate']}/s) | **{r['failed']}** | {r['failed'] / max(1, r['reloads']):.1f} | {kinds} | "
          f"{cell('p50')} | {cell('min')} | {cell('max')} | {build} | {beyond} |")
    for name, why in (res.get("skipped") or {}).items():
        w(f"| {name} | skipped: {why} | | | | | | | | | |")
    w("")
    w("hotpod keeps the old version answering while it builds; nodemon and reflex stop it first and then run the "
      "build and the app, so their failures are about (build + start-up) × the request rate per reload. hotpod without "
      "the proxy fails in the gap between the old app's exit and the new one's `listen` (ConnectionRefusedError), and "
      "on keep-alive connections the old app closes as it shuts down (RemoteDisconnected).")
    w("")
    errors = [f"{CASES.get(r['case'], r['case'])}: {r['error']}" for r in rows if r.get("error")]
    for e in errors:
        w(f"* error: {e}")
    if errors:
        w("")


def services_section(res, w):
    """bench/services.py: one hotpod with `services:` against three hotpods over one tree."""
    if not res or not res.get("rows"):
        return
    p = res["params"]
    w("## Services: one hotpod for three")
    w("")
    w(f"`bench/services.py`: a generated tree with three small C++ HTTP apps (a, b, c; a and b include "
      f"`shared/version.h`) and {p['dirs'] * p['files']:,} other files in {p['dirs']} directories. \"one\": a hotpod "
      "with `services:` (a: `a/`, `shared/`; b: `b/`, `shared/`; c: `c/`); \"three\": three hotpods, each a "
      "single-app config over the whole tree with `watch.include` set to its service's paths, as one watcher per "
      "service does. Once every app answers: VmRSS and inotify watches of the hotpod processes (summed), their CPU "
      f"(utime+stime) over {p['idle_s']:g} s idle, then the time from an edit of `shared/version.h` to both a and b "
      f"answering the new version (median of {p['edits']} edits; c is checked to be untouched). "
      f"{load_note(res)[0].upper()}{load_note(res)[1:]}.")
    w("")
    w("| | hotpods | VmRSS | idle CPU | inotify watches | shared edit → a and b answer (p50) |")
    w("|---|---|---|---|---|---|")
    for r in res["rows"]:
        label = "one hotpod, `services:`" if r["mode"] == "one" else "three hotpods"
        w(f"| {label} | {r['hotpods']} | {r['rss_mib']:.1f} MiB | {r['idle_cpu_percent']:.2f} % | "
          f"{r['inotify_watches']} | {r['shared_edit_to_both_answering_ms']:.0f} ms |")
    w("")
    one = next((r for r in res["rows"] if r["mode"] == "one"), None)
    three = next((r for r in res["rows"] if r["mode"] == "three"), None)
    if one and three:
        w(f"* One hotpod uses {one['rss_mib'] / three['rss_mib']:.2f}× the memory of three and "
          f"{one['inotify_watches'] / max(1, three['inotify_watches']):.2f}× their inotify watches; the shared edit "
          f"reaches both services in {one['shared_edit_to_both_answering_ms']:.0f} ms against "
          f"{three['shared_edit_to_both_answering_ms']:.0f} ms (edits "
          + ", ".join(f"{v:.0f}" for v in one.get("samples_ms", [])) + " against "
          + ", ".join(f"{v:.0f}" for v in three.get("samples_ms", [])) + " ms).")
        w("")
