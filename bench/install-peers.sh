#!/usr/bin/env bash
# Installs the tools hotpod is compared with, from Debian packages. Idempotent: installs only
# what is missing, and does nothing (no apt-get update) when everything is present.
#   inotifywait (inotify-tools): the latency floor.
# Peers for the full comparison (air, reflex, watchexec, entr, ...) go in PEERS below.
set -euo pipefail

# command  package
PEERS=(
  "inotifywait inotify-tools"
)

missing=()
for entry in "${PEERS[@]}"; do
  read -r cmd pkg <<<"$entry"
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-peers: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO=(sudo -n)
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
