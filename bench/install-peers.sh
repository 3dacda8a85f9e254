#!/usr/bin/env bash
# Installs the tools hotpod is compared with. Idempotent: installs only what is missing, and does
# nothing (no apt-get update, no npm) when everything is present.
#
#   ./bench/install-peers.sh [--debian-only]
#
# --debian-only (the smoke run): the Debian tools below except npm, and no npm install.
# Debian: inotifywait (inotify-tools, the latency floor), reflex, entr, gnuplot (gnuplot-nox, the
#         plots in docs/bench/), git (the checkout storm); full run only: wrk (bench/proxy.py's load)
#         and haproxy (its reference proxy: what a production proxy costs on the same machine).
# npm:    nodemon and chokidar-cli, with `npm install --prefix "$HOTPOD_BENCH_NPM"` (default
#         /var/cache/hotpod-bench/npm), outside the repository; their binaries are then
#         "$HOTPOD_BENCH_NPM/node_modules/.bin/{nodemon,chokidar}". npm itself comes from Debian.
# Exit status: 0 if the Debian tools are there (npm peers are optional: a failure there is
# reported on stderr and the benchmarks skip those peers), 1 otherwise.
set -euo pipefail

DEBIAN_ONLY=0
[ "${1:-}" = "--debian-only" ] && DEBIAN_ONLY=1

# command  package
PEERS=(
  "inotifywait inotify-tools"
  "reflex reflex"
  "entr entr"
  "gnuplot gnuplot-nox"
  "git git"
)
# Only for the full run (the npm peers); the smoke run (--debian-only) does not need them.
[ "$DEBIAN_ONLY" = 1 ] || PEERS+=("npm npm" "wrk wrk" "haproxy haproxy")  # wrk: bench/proxy.py's load; haproxy: its reference proxy
NPM_PREFIX="${HOTPOD_BENCH_NPM:-/var/cache/hotpod-bench/npm}"
# package@version  binary
NPM_PEERS=(
  "nodemon@3 nodemon"
  "chokidar-cli@3 chokidar"
)

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  SUDO=(sudo -n)
fi

missing=()
for entry in "${PEERS[@]}"; do
  read -r cmd pkg <<<"$entry"
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "install-peers: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
  fi
  echo "install-peers: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
    "${SUDO[@]}" apt-get update >&2
    "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >&2
  fi
  for entry in "${PEERS[@]}"; do
    read -r cmd pkg <<<"$entry"
    command -v "$cmd" >/dev/null 2>&1 || { echo "install-peers: $cmd still missing after installing $pkg" >&2; exit 1; }
  done
fi

[ "$DEBIAN_ONLY" = 1 ] && exit 0

npm_missing=()
for entry in "${NPM_PEERS[@]}"; do
  read -r pkg bin <<<"$entry"
  [ -x "$NPM_PREFIX/node_modules/.bin/$bin" ] || npm_missing+=("$pkg")
done
if [ "${#npm_missing[@]}" -gt 0 ]; then
  echo "install-peers: npm install --prefix $NPM_PREFIX ${npm_missing[*]}" >&2
  mkdir -p "$NPM_PREFIX" 2>/dev/null || "${SUDO[@]}" mkdir -p "$NPM_PREFIX"
  if ! npm install --prefix "$NPM_PREFIX" --no-audit --no-fund --loglevel=error "${npm_missing[@]}" >&2; then
    echo "install-peers: npm install failed; the benchmarks skip nodemon and chokidar" >&2
  fi
fi
exit 0
