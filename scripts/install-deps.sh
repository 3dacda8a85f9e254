#!/usr/bin/env bash
# Installs every Debian package that building, the demo and the tests need.
# Idempotent: runs `apt-get update` and `apt-get install` only when something is missing.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config git clang-format
  # libraries (see shared DESIGN.md: the only ones)
  libcpp-httplib-dev libyaml-cpp-dev libcurl4-openssl-dev prometheus-cpp-dev
  libspdlog-dev libfmt-dev doctest-dev libcli11-dev libtomlplusplus-dev
  # examples and integration tests: a real Go + Gin app, HTTP client, tar, procps
  golang-go golang-github-gin-gonic-gin-dev curl tar procps python3 util-linux
  # the bench smoke run in the suite: inotifywait is the latency floor
  inotify-tools
  # a real FUSE filesystem for the auto backend's mixed-tree test
  bindfs
  # JSON for /v1/status, the event stream and webhooks (no listed library writes JSON)
  nlohmann-json3-dev
  # hotpod tar (issue 17): a well-kept reader and writer of tar, PAX and gzip
  libarchive-dev
  # the dev proxy (issue 18): a maintained HTTP/1 parser (Node's http_parser) to frame requests
  # and responses without buffering them
  libhttp-parser-dev
  # observability tests: promtool + a real Prometheus server, headless Chromium
  prometheus chromium
  # make fuzz: clang's libFuzzer and sanitizer runtimes
  clang libclang-rt-14-dev
  # containers (tests/containers, issue 6):
  #   docker.io + docker-compose: dockerd/docker build and the compose dev stack (compose 1.29);
  #   iptables: dockerd and podman's CNI plugins need the binary even where no rule is added;
  #   podman + runc + catatonit + containernetworking-plugins: `podman kube play` of deploy/
  #     (runc, since crun fails on this kind of host; catatonit for the pod's pause image;
  #     the CNI bridge/portmap plugins for hostPort); uidmap, slirp4netns, fuse-overlayfs: what
  #     podman needs for its storage and for rootless use on a developer's machine;
  #   debootstrap: the base image is made offline from the apt mirror (scripts/base-image.sh).
  docker.io docker-compose iptables
  podman runc catatonit containernetworking-plugins uidmap slirp4netns fuse-overlayfs
  debootstrap
  # manifest tests: YAML in Python (kustomize/helm output, PrometheusRule → promtool); sprig,
  # Helm's own template function library, for rendering the chart (tests/containers/helmlite)
  python3-yaml golang-github-masterminds-sprig-dev
  # make dist (the static binary, docs/install.md): the arm64 cross compiler and qemu-user to
  # run its output here; dpkg-dev for `apt-get source` (libraries built from Debian's source
  # packages) and dpkg-deb; file to tell static from dynamic. Its tests: busybox-static (a root
  # file system with nothing else), dnsmasq-base (a real DNS server on loopback for c-ares).
  g++-aarch64-linux-gnu qemu-user-static dpkg-dev file busybox-static dnsmasq-base
)
# The manifest validation runs kubernetes-models from npm: Debian's nodejs + npm, unless a node
# with npm is already installed (e.g. a NodeSource nodejs, which bundles npm and conflicts with
# Debian's npm package).
if ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null; then sudo_cmd=(sudo); fi

# make dist fetches arm64 -dev packages and Debian source packages: arm64 must be a foreign
# architecture and every deb entry of the machine's sources needs its deb-src twin.
refresh=false
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "install-deps: adding arm64 as a foreign architecture (for make dist)" >&2
  "${sudo_cmd[@]}" dpkg --add-architecture arm64
  refresh=true
fi
src_list=/etc/apt/sources.list.d/hotpod-deb-src.sources
if ! grep -rqsE '^Types:.*deb-src|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "install-deps: adding deb-src twins of the machine's Debian sources ($src_list)" >&2
  {
    for f in /etc/apt/sources.list.d/*.sources; do
      [[ -f $f ]] || continue
      sed -nE '/^Types:/ s/\<deb\>/deb-src/; /^(Types|URIs|Suites|Components|Signed-By):|^$/p' "$f"
      echo
    done
    # One-line sources.list entries become deb822 stanzas too. Debian 12 images often have no
    # sources.list at all: grep's "no such file" must not end the script (set -e, pipefail).
    { grep -hsE '^deb ' /etc/apt/sources.list || true; } | while read -r _ uri suite components; do
      printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n\n' "$uri" "$suite" "$components"
    done
  } | "${sudo_cmd[@]}" tee "$src_list" >/dev/null
  refresh=true
fi
if $refresh; then "${sudo_cmd[@]}" apt-get update -qq; fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then
  if ((${#sudo_cmd[@]} == 0)); then
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
