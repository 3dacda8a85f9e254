#!/usr/bin/env bash
# Runs every libFuzzer target of a `make fuzz` build for SECONDS each, starting from the corpus
# in fuzz/corpus/<target> (never modified: new inputs go to BUILD/corpus/<target>). Crashes are
# written to BUILD/crashes/; add each one to fuzz/corpus/<target> as a regression.
#   scripts/fuzz.sh BUILD_DIR SECONDS [TARGET…]
set -euo pipefail
build="$1"
seconds="$2"
shift 2
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(config_yaml air_toml ignore_rules parsers http_request exec_state)
fi
mkdir -p "$build/crashes"
status=0
for target in "${targets[@]}"; do
  work="$build/corpus/$target"
  mkdir -p "$work"
  echo "== fuzz_$target for ${seconds}s" >&2
  if ! "$build/fuzz/fuzz_$target" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$build/crashes/$target-" -timeout=10 -rss_limit_mb=4096 \
      "$work" "$repo/fuzz/corpus/$target" 2>"$build/fuzz-$target.log"; then
    status=1
    echo "fuzz_$target FOUND A CRASH: see $build/fuzz-$target.log and $build/crashes/" >&2
  fi
  # The summary: executions, coverage (cov: edges, ft: features), corpus size.
  grep -E "^#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::peak_rss_mb" \
    "$build/fuzz-$target.log" | sed "s/^/  $target: /" >&2 || true
done
exit $status
