#!/usr/bin/env bash
# hotpod benchmarks. `make bench` runs: ./bench/run.sh build/hotpod
#
#   ./bench/run.sh [--smoke] [path/to/hotpod]
#
# Full run: installs the peers (bench/install-peers.sh: reflex, entr, inotifywait, gnuplot from
# Debian; nodemon, chokidar-cli from npm), compiles bench/stamp.c and bench/scanfloor.c, runs
# bench/latency.py (hotpod and every peer), bench/rss.py, bench/scan.py (issue 3's goals),
# bench/peers.py cost/storms/overlay/e2e/soak (issue 7), bench/hostile.py (issue 22),
# bench/tarsync.py and bench/podsync.py (issue 17), bench/idle.py (issue 20), bench/proxy.py
# (issue 18), bench/services.py (issue 19), bench/rollback.py (issue 21) and, when `make dist`
# made one, bench/static.py (issue 15) at full size, writes bench/results/*.json,
# docs/benchmarks.md and docs/bench/*.svg. About 50 min, plus 20-40 for proxy.py's reloads.
# --smoke: tiny sizes (5 samples, 100-1k files, 1-3 s idle, a few peers), results in a temp dir,
# docs untouched; for the test suite: finishes in about 75 s on 2 cores (ctest allows 300) and
# exits non-zero if something is broken. Peers that are not installed are skipped (said on stderr and in the report).
set -euo pipefail

SMOKE=0
HOTPOD=""
for a in "$@"; do
  case "$a" in
    --smoke) SMOKE=1 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $a" >&2; exit 2 ;;
    *) [ -z "$HOTPOD" ] || { echo "run.sh: one hotpod path only" >&2; exit 2; }; HOTPOD="$a" ;;
  esac
done

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$BENCH")"
HOTPOD="${HOTPOD:-$REPO/build/hotpod}"
[ -x "$HOTPOD" ] || { echo "run.sh: hotpod binary not found or not executable: $HOTPOD" >&2; exit 2; }
HOTPOD="$(cd "$(dirname "$HOTPOD")" && pwd)/$(basename "$HOTPOD")"
PY="${PYTHON:-python3}"
export PYTHONDONTWRITEBYTECODE=1
CC="${CC:-cc}"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/hotpod-bench.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

cd "$TMP"   # no hotpod.yaml here; the scripts also start hotpod from empty dirs

# Peers. A smoke run survives a machine without network (it skips the inotifywait floor) and
# does not install the npm peers (it uses them if they are there).
FLOOR=()
INSTALL=("$BENCH/install-peers.sh")
[ "$SMOKE" = 1 ] && INSTALL+=(--debian-only)
if ! "${INSTALL[@]}"; then
  if [ "$SMOKE" = 1 ]; then
    echo "run.sh: could not install peers; the smoke run skips the inotifywait floor" >&2
    FLOOR=(--no-floor)
  else
    echo "run.sh: bench/install-peers.sh failed" >&2; exit 1
  fi
fi

"$CC" -O2 -o "$TMP/stamp" "$BENCH/stamp.c"
"$CC" -O2 -o "$TMP/scanfloor" "$BENCH/scanfloor.c"
"$CC" -O2 -o "$TMP/timerwake" "$BENCH/timerwake.c"

if [ "$SMOKE" = 1 ]; then
  RESULTS="$TMP/results"
  LAT_ARGS=(--samples 5 --strict)
  RSS_ARGS=(--sizes 1000 --idle 2 --startup-runs 1)
  SCAN_ARGS=(--sizes 100,1000 --rounds 2 --scans-per-round 3 --idle 3 --rss-wait 1 --startup-runs 1)
  # Peers: the smallest sizes that still go through every code path; one Debian and one npm peer.
  LAT_ARGS+=(--poll-samples 3 --only entr,chokidar-d0,hotpod-poll-min)
  COST_ARGS=(--sizes 100 --idle 0.5 --only hotpod,hotpod-poll,entr)
  STORM_ARGS=(--tar-files 100 --repo-files 60 --storm-quiet 0.2 --storm-cap 5 --only hotpod)
  OVL_ARGS=(--overlay-timeout 5 --verify-interval 1s --only hotpod-auto)
  E2E_ARGS=(--edits 1 --no-peers --warm-timeout 10 --answer-timeout 15 --app "$BENCH/e2e-smoke-app")
  SOAK_ARGS=(--reloads 20)
  HOSTILE_ARGS=(--depth 100 --burst 500 --slot-samples 2 --fuse-files 100 --fuse-samples 2 --idle 1)
  ROLLBACK_ARGS=(--samples 1 --ready-timeout 2s)
  TARSYNC_ARGS=(--files 200 --rounds 2 --syncs 2)
  LIMIT=45
else
  RESULTS="$BENCH/results"
  LAT_ARGS=()
  RSS_ARGS=()
  SCAN_ARGS=()
  COST_ARGS=()
  STORM_ARGS=()
  OVL_ARGS=()
  E2E_ARGS=()
  SOAK_ARGS=()
  HOSTILE_ARGS=()
  ROLLBACK_ARGS=()
  TARSYNC_ARGS=()
  LIMIT=1800
fi
mkdir -p "$RESULTS"

# Exact commands, for docs/benchmarks.md (paths relative to the repository where possible).
rel() { local p="$1"; case "$p" in "$REPO"/*) echo "${p#"$REPO"/}" ;; *) echo "$p" ;; esac; }
HP_REL="$(rel "$HOTPOD")"
{
  echo "./bench/run.sh $HP_REL$([ "$SMOKE" = 1 ] && echo ' --smoke')"
  echo "# which runs, from an empty temp dir:"
  echo "./bench/install-peers.sh"
  echo "$CC -O2 -o STAMP bench/stamp.c"
  echo "$CC -O2 -o SCANFLOOR bench/scanfloor.c"
  echo "$CC -O2 -o TIMERWAKE bench/timerwake.c"
  echo "$PY bench/latency.py --hotpod $HP_REL --stamp STAMP --timerwake TIMERWAKE" "${LAT_ARGS[@]}" "${FLOOR[@]}" "--out bench/results/latency.json"
  echo "$PY bench/rss.py --hotpod $HP_REL" "${RSS_ARGS[@]}" "--out bench/results/rss.json"
  echo "$PY bench/scan.py --hotpod $HP_REL --scanfloor SCANFLOOR" "${SCAN_ARGS[@]}" "${FLOOR[@]/--no-floor/--no-inotifywait}" "--out bench/results/scan.json"
  for wl in cost storms overlay e2e soak; do
    case "$wl" in cost) A=("${COST_ARGS[@]}") ;; storms) A=("${STORM_ARGS[@]}") ;; overlay) A=("${OVL_ARGS[@]}") ;;
      e2e) A=("${E2E_ARGS[@]}") ;; soak) A=("${SOAK_ARGS[@]}") ;; esac
    echo "$PY bench/peers.py $wl --hotpod $HP_REL --stamp STAMP" "${A[@]}" "--out bench/results/$wl.json"
  done
  echo "$PY bench/hostile.py --hotpod $HP_REL" "${HOSTILE_ARGS[@]}" "--out bench/results/hostile.json"
  echo "$PY bench/rollback.py --hotpod $HP_REL" "${ROLLBACK_ARGS[@]}" "--out bench/results/rollback.json"
  echo "$PY bench/tarsync.py --hotpod $HP_REL --stamp STAMP [--tar dist/hotpod-VERSION-linux-amd64]" "${TARSYNC_ARGS[@]}" "--out bench/results/tarsync.json"
  echo "$PY bench/report.py --results bench/results --out docs/benchmarks.md   # plots: docs/bench/*.svg"
} >"$RESULTS/commands.txt"

status=0
echo "== latency ($(date +%T))" >&2
timeout --kill-after=10 "$LIMIT" "$PY" "$BENCH/latency.py" --hotpod "$HOTPOD" --stamp "$TMP/stamp" --timerwake "$TMP/timerwake" \
  "${LAT_ARGS[@]}" "${FLOOR[@]}" --out "$RESULTS/latency.json" || { echo "run.sh: latency failed ($?)" >&2; status=1; }
echo "== rss ($(date +%T))" >&2
timeout --kill-after=10 "$LIMIT" "$PY" "$BENCH/rss.py" --hotpod "$HOTPOD" \
  "${RSS_ARGS[@]}" --out "$RESULTS/rss.json" || { echo "run.sh: rss failed ($?)" >&2; status=1; }
echo "== scan ($(date +%T))" >&2
timeout --kill-after=10 "$LIMIT" "$PY" "$BENCH/scan.py" --hotpod "$HOTPOD" --scanfloor "$TMP/scanfloor" \
  "${SCAN_ARGS[@]}" "${FLOOR[@]/--no-floor/--no-inotifywait}" --out "$RESULTS/scan.json" || { echo "run.sh: scan failed ($?)" >&2; status=1; }

for wl in cost storms overlay e2e soak; do
  case "$wl" in cost) A=("${COST_ARGS[@]}") ;; storms) A=("${STORM_ARGS[@]}") ;; overlay) A=("${OVL_ARGS[@]}") ;;
    e2e) A=("${E2E_ARGS[@]}") ;; soak) A=("${SOAK_ARGS[@]}") ;; esac
  echo "== $wl ($(date +%T))" >&2
  timeout --kill-after=10 "$LIMIT" "$PY" "$BENCH/peers.py" "$wl" --hotpod "$HOTPOD" --stamp "$TMP/stamp" \
    "${A[@]}" --out "$RESULTS/$wl.json" || { echo "run.sh: $wl failed ($?)" >&2; status=1; }
done

echo "== hostile ($(date +%T))" >&2
timeout --kill-after=10 "$LIMIT" "$PY" "$BENCH/hostile.py" --hotpod "$HOTPOD" \
  "${HOSTILE_ARGS[@]}" --out "$RESULTS/hostile.json" || { echo "run.sh: hostile failed ($?)" >&2; status=1; }

# The static binary of `make dist` against this (dynamic) one, when there is one; also the
# hotpod of the FROM scratch image podsync.py runs.
STATIC_BIN="$(ls "$REPO"/dist/hotpod-*-linux-amd64 2>/dev/null | head -1 || true)"
# hotpod tar (issue 17): extracting N files vs GNU tar; end of a sync's stream → build started.
echo "== tarsync ($(date +%T))" >&2
# The tar that extracts: the static binary (the images' tar) when there is one.
TAR_ARGS=()
[ -n "$STATIC_BIN" ] && TAR_ARGS=(--tar "$STATIC_BIN")
timeout --kill-after=10 "$LIMIT" "$PY" "$BENCH/tarsync.py" --hotpod "$HOTPOD" --stamp "$TMP/stamp" \
  "${TAR_ARGS[@]}" "${TARSYNC_ARGS[@]}" --out "$RESULTS/tarsync.json" || { echo "run.sh: tarsync failed ($?)" >&2; status=1; }
# A one-file sync through `podman exec` into the FROM scratch image → new answer (issue 17). Full
# run only (podman, the static binary, an image build); podsync.py skips loudly, and the report
# says why, where podman cannot run.
if [ "$SMOKE" = 0 ]; then
  echo "== podsync ($(date +%T))" >&2
  echo "$PY bench/podsync.py --static $(rel "${STATIC_BIN:-dist/hotpod-VERSION-linux-amd64}") --out bench/results/podsync.json" >>"$RESULTS/commands.txt"
  timeout --kill-after=10 "$LIMIT" "$PY" "$BENCH/podsync.py" --static "$STATIC_BIN" \
    --out "$RESULTS/podsync.json" || { echo "run.sh: podsync failed ($?)" >&2; status=1; }
fi

# Idle cost (issue 20): the static binary when there is one, else this one.
if [ "$SMOKE" = 0 ]; then
  echo "== idle ($(date +%T))" >&2
  echo "$PY bench/idle.py --hotpod $HP_REL --out bench/results/idle.json" >>"$RESULTS/commands.txt"
  timeout --kill-after=10 "$LIMIT" "$PY" "$BENCH/idle.py" --hotpod "$HOTPOD" \
    --out "$RESULTS/idle.json" || { echo "run.sh: idle failed ($?)" >&2; status=1; }
fi
# The dev proxy (issue 18: wrk direct vs proxied, failed requests across reloads with and without
# it and for nodemon and reflex) and one hotpod with services: vs three (issue 19). Full run
# only: each needs real builds (go build, g++) and takes minutes, not the smoke run's seconds.
if [ "$SMOKE" = 0 ]; then
  echo "== proxy ($(date +%T))" >&2
  echo "$PY bench/proxy.py --hotpod $HP_REL --out bench/results/proxy.json" >>"$RESULTS/commands.txt"
  timeout --kill-after=10 "$LIMIT" "$PY" "$BENCH/proxy.py" --hotpod "$HOTPOD" \
    --out "$RESULTS/proxy.json" || { echo "run.sh: proxy failed ($?)" >&2; status=1; }
  echo "== services ($(date +%T))" >&2
  echo "$PY bench/services.py --hotpod $HP_REL --out bench/results/services.json" >>"$RESULTS/commands.txt"
  timeout --kill-after=10 "$LIMIT" "$PY" "$BENCH/services.py" --hotpod "$HOTPOD" \
    --out "$RESULTS/services.json" || { echo "run.sh: services failed ($?)" >&2; status=1; }
fi
if [ "$SMOKE" = 0 ] && [ -n "$STATIC_BIN" ]; then
  echo "== static ($(date +%T))" >&2
  echo "$PY bench/static.py --dynamic $HP_REL --static $(rel "$STATIC_BIN") --out bench/results/static.json" >>"$RESULTS/commands.txt"
  timeout --kill-after=10 "$LIMIT" "$PY" "$BENCH/static.py" --dynamic "$HOTPOD" --static "$STATIC_BIN" \
    --out "$RESULTS/static.json" || { echo "run.sh: static failed ($?)" >&2; status=1; }
fi
echo "== rollback ($(date +%T))" >&2
timeout --kill-after=10 "$LIMIT" "$PY" "$BENCH/rollback.py" --hotpod "$HOTPOD" \
  "${ROLLBACK_ARGS[@]}" --out "$RESULTS/rollback.json" || { echo "run.sh: rollback failed ($?)" >&2; status=1; }

if [ "$SMOKE" = 1 ]; then
  "$PY" "$BENCH/report.py" --results "$RESULTS" --out "$TMP/benchmarks.md" --plots "$TMP/plots" || status=1
  [ -n "${HOTPOD_BENCH_KEEP_REPORT:-}" ] && cp -r "$TMP/benchmarks.md" "$TMP/plots" "$HOTPOD_BENCH_KEEP_REPORT"/
  grep -q '^| hotpod | inotify | defaults (--delay 100ms) | 2 ms | 5 |' "$TMP/benchmarks.md" || { echo "run.sh: report lacks the hotpod latency row" >&2; status=1; }
  grep -q '^| 1k files | 1000 |' "$TMP/benchmarks.md" || { echo "run.sh: report lacks the 1k-files row" >&2; status=1; }
  grep -q '^| 1000 | 101 |' "$TMP/benchmarks.md" || { echo "run.sh: report lacks the 1k-files scan row" >&2; status=1; }
  grep -q '^| inotify start-up' "$TMP/benchmarks.md" || { echo "run.sh: report lacks the start-up goal" >&2; status=1; }
  grep -q '^| hotpod | inotify | defaults (--delay 100ms) | [0-9]' "$TMP/benchmarks.md" || { echo "run.sh: report lacks hotpod's cost row" >&2; status=1; }
  grep -q '^| tar | hotpod | inotify | .* | yes | [0-9]* / [0-9]* |$' "$TMP/benchmarks.md" || { echo "run.sh: report lacks hotpod's tar storm row (or hotpod lost the change)" >&2; status=1; }
  grep -q '^## Soak: 20 reloads' "$TMP/benchmarks.md" || { echo "run.sh: report lacks the soak" >&2; status=1; }
  grep -q '^| nested tree, one file per level | 100 levels | [0-9]' "$TMP/benchmarks.md" || { echo "run.sh: report lacks the deep-tree row" >&2; status=1; }
  grep -q '^| exits on SIGTERM | 1 | ' "$TMP/benchmarks.md" || { echo "run.sh: report lacks the rollback row" >&2; status=1; }
  if command -v gnuplot >/dev/null 2>&1; then
    [ -s "$TMP/plots/latency-inotify.svg" ] && [ -s "$TMP/plots/cost-rss.svg" ] || { echo "run.sh: plots missing" >&2; status=1; }
  else
    echo "run.sh: gnuplot not installed; the smoke run checks no plots" >&2
  fi
  for t in reflex entr nodemon chokidar; do
    grep -q "skipped: $t not installed" "$TMP/benchmarks.md" && echo "run.sh: $t not installed: its smoke rows are skipped" >&2
  done
  [ "$status" = 0 ] && echo "bench smoke: ok" >&2
else
  "$PY" "$BENCH/report.py" --results "$RESULTS" --out "$REPO/docs/benchmarks.md" --plots "$REPO/docs/bench" || status=1
  echo "wrote $RESULTS/*.json $(rel "$REPO/docs/benchmarks.md") $(rel "$REPO/docs/bench")/*.svg" >&2
fi
exit "$status"
