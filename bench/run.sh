#!/usr/bin/env bash
# hotpod benchmarks. `make bench` runs: ./bench/run.sh build/hotpod
#
#   ./bench/run.sh [--smoke] [path/to/hotpod]
#
# Full run: installs the peers (bench/install-peers.sh), compiles bench/stamp.c and
# bench/scanfloor.c, runs bench/latency.py, bench/rss.py and bench/scan.py (issue 3's goals:
# 1k/10k/100k-file trees, 60 s idle) at full size, writes bench/results/*.json and
# docs/benchmarks.md. Takes about ten minutes.
# --smoke: tiny sizes (5 samples, 1k files, 2-3 s idle), results in a temp dir, docs untouched;
# for the test suite: finishes in well under 60 s and exits non-zero if something is broken.
set -euo pipefail

SMOKE=0
HOTPOD=""
for a in "$@"; do
  case "$a" in
    --smoke) SMOKE=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
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

# Peers. A smoke run survives a machine without network (it skips the inotifywait floor).
FLOOR=()
if ! "$BENCH/install-peers.sh"; then
  if [ "$SMOKE" = 1 ]; then
    echo "run.sh: could not install peers; the smoke run skips the inotifywait floor" >&2
    FLOOR=(--no-floor)
  else
    echo "run.sh: bench/install-peers.sh failed" >&2; exit 1
  fi
fi

"$CC" -O2 -o "$TMP/stamp" "$BENCH/stamp.c"
"$CC" -O2 -o "$TMP/scanfloor" "$BENCH/scanfloor.c"

if [ "$SMOKE" = 1 ]; then
  RESULTS="$TMP/results"
  LAT_ARGS=(--samples 5 --strict)
  RSS_ARGS=(--sizes 1000 --idle 2 --startup-runs 1)
  SCAN_ARGS=(--sizes 100,1000 --rounds 2 --scans-per-round 3 --idle 3 --rss-wait 1 --startup-runs 1)
  LIMIT=45
else
  RESULTS="$BENCH/results"
  LAT_ARGS=()
  RSS_ARGS=()
  SCAN_ARGS=()
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
  echo "$PY bench/latency.py --hotpod $HP_REL --stamp STAMP" "${LAT_ARGS[@]}" "${FLOOR[@]}" "--out bench/results/latency.json"
  echo "$PY bench/rss.py --hotpod $HP_REL" "${RSS_ARGS[@]}" "--out bench/results/rss.json"
  echo "$PY bench/scan.py --hotpod $HP_REL --scanfloor SCANFLOOR" "${SCAN_ARGS[@]}" "${FLOOR[@]/--no-floor/--no-inotifywait}" "--out bench/results/scan.json"
  echo "$PY bench/report.py --results bench/results --out docs/benchmarks.md"
} >"$RESULTS/commands.txt"

status=0
echo "== latency" >&2
timeout --kill-after=10 "$LIMIT" "$PY" "$BENCH/latency.py" --hotpod "$HOTPOD" --stamp "$TMP/stamp" \
  "${LAT_ARGS[@]}" "${FLOOR[@]}" --out "$RESULTS/latency.json" || { echo "run.sh: latency failed ($?)" >&2; status=1; }
echo "== rss" >&2
timeout --kill-after=10 "$LIMIT" "$PY" "$BENCH/rss.py" --hotpod "$HOTPOD" \
  "${RSS_ARGS[@]}" --out "$RESULTS/rss.json" || { echo "run.sh: rss failed ($?)" >&2; status=1; }
echo "== scan" >&2
timeout --kill-after=10 "$LIMIT" "$PY" "$BENCH/scan.py" --hotpod "$HOTPOD" --scanfloor "$TMP/scanfloor" \
  "${SCAN_ARGS[@]}" "${FLOOR[@]/--no-floor/--no-inotifywait}" --out "$RESULTS/scan.json" || { echo "run.sh: scan failed ($?)" >&2; status=1; }

if [ "$SMOKE" = 1 ]; then
  "$PY" "$BENCH/report.py" --results "$RESULTS" --out "$TMP/benchmarks.md" || status=1
  grep -q '^| hotpod | 100 ms | 5 |' "$TMP/benchmarks.md" || { echo "run.sh: report lacks the hotpod latency row" >&2; status=1; }
  grep -q '^| 1k files | 1000 |' "$TMP/benchmarks.md" || { echo "run.sh: report lacks the 1k-files row" >&2; status=1; }
  grep -q '^| 1000 | 101 |' "$TMP/benchmarks.md" || { echo "run.sh: report lacks the 1k-files scan row" >&2; status=1; }
  grep -q '^| inotify start-up' "$TMP/benchmarks.md" || { echo "run.sh: report lacks the start-up goal" >&2; status=1; }
  [ "$status" = 0 ] && echo "bench smoke: ok" >&2
else
  "$PY" "$BENCH/report.py" --results "$RESULTS" --out "$REPO/docs/benchmarks.md" || status=1
  echo "wrote $RESULTS/latency.json $RESULTS/rss.json $RESULTS/scan.json $(rel "$REPO/docs/benchmarks.md")" >&2
fi
exit "$status"
