#!/usr/bin/env bash
# Makes the base image the Dockerfile's FROM expects (debian:bookworm-slim) without a registry:
# debootstrap a minimal Debian 12 from the apt mirror this machine is configured with, and keep
# the root filesystem as a tarball, so that it is made once per machine, not once per test run.
#
#   scripts/base-image.sh                  # prints the tarball's path (makes it if missing)
#   scripts/base-image.sh --import docker  # ... and `docker import`s it as debian:bookworm-slim
#   scripts/base-image.sh --import podman  # ... the same into podman's storage
#
# HOTPOD_TEST_CACHE (default /var/cache/hotpod-test) holds the tarball: outside any checkout, so
# fresh clones and build directories reuse it. Needs root (debootstrap) and `debootstrap`
# (scripts/install-deps.sh installs it). A cold run takes about a minute and 130 MB.
set -euo pipefail

cache=${HOTPOD_TEST_CACHE:-/var/cache/hotpod-test}
tag=${HOTPOD_BASE_TAG:-debian:bookworm-slim}
suite=bookworm
tarball="$cache/base/debian-$suite-minbase.tar"
import=""

while (($#)); do
  case $1 in
    --import) import=$2; shift 2 ;;
    *) echo "usage: $0 [--import docker|podman]" >&2; exit 2 ;;
  esac
done

# The mirror apt uses here: the first URIs of a deb822 .sources file, else the first "deb" line.
mirror() {
  local uri=""
  if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
    uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources)
  fi
  if [[ -z $uri && -f /etc/apt/sources.list ]]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' \
      /etc/apt/sources.list)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

make_tarball() {
  mkdir -p "$cache/base"
  # One maker at a time (two test files may start at once); the loser reuses the winner's file.
  exec 9>"$cache/base/.lock"
  flock 9
  [[ -s $tarball ]] && return 0
  local root
  root=$(mktemp -d "$cache/base/rootfs.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  echo "base-image: debootstrap --variant=minbase $suite from $(mirror) (about a minute, once)" >&2
  debootstrap --variant=minbase "$suite" "$root" "$(mirror)" >"$cache/base/debootstrap.log" 2>&1 || {
    tail -20 "$cache/base/debootstrap.log" >&2
    exit 1
  }
  # The image uses the same apt sources as this machine (updates and security included), like
  # Docker Hub's debian:bookworm-slim does.
  if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
    rm -f "$root/etc/apt/sources.list"
    cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/"
  fi
  # As in the -slim images: no apt lists or package caches, no docs or man pages.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
  tar -C "$root" --numeric-owner -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  rm -rf "$root"
  trap - EXIT
}

[[ -s $tarball ]] || make_tarball

# ENV PATH: `docker import` sets no environment at all, and podman kube play fails without PATH.
changes=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  --change 'CMD ["bash"]')
case $import in
  "") ;;
  docker) docker import "${changes[@]}" "$tarball" "$tag" >/dev/null ;;
  podman) podman import -q "${changes[@]}" "$tarball" "$tag" >/dev/null ;;
  *) echo "base-image: --import docker or podman" >&2; exit 2 ;;
esac
echo "$tarball"
