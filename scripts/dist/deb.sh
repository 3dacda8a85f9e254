#!/usr/bin/env bash
# A Debian package of the static binary: scripts/dist/deb.sh amd64|arm64 (after build.sh)
#   -> dist/hotpod_VERSION_ARCH.deb, installable with `apt install ./hotpod_VERSION_ARCH.deb`.
# It depends on nothing: the binary is static.
set -euo pipefail

arch=${1:?usage: deb.sh amd64|arm64}
repo=$(cd "$(dirname "$0")/../.." && pwd)
out_dir=${DIST_DIR:-$repo/dist}
version=$(sed -n 's/^project(hotpod VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt")
binary=$out_dir/hotpod-$version-linux-$arch
[[ -x $binary ]] || { echo "deb: $binary is missing: run scripts/dist/build.sh $arch first" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
install -D -m 0755 "$binary" "$stage/usr/bin/hotpod"
install -d "$stage/usr/share/doc/hotpod" "$stage/DEBIAN"
install -m 0644 "$repo/README.md" "$stage/usr/share/doc/hotpod/README.md"
cat >"$stage/DEBIAN/control" <<CONTROL
Package: hotpod
Version: $version
Architecture: $arch
Maintainer: hotpod developers <hotpod@localhost>
Section: devel
Priority: optional
Installed-Size: $(du -k -s "$stage/usr" | cut -f1)
Description: hot reload for apps in containers and pods
 Watches a source tree, rebuilds where the code runs, restarts or signals the
 app, and reports health, readiness, metrics and events. A static binary:
 runs the same in any image (hotpod exec, hotpod agent, hotpod run).
CONTROL
dpkg-deb --root-owner-group -Zxz --build "$stage" "$out_dir/hotpod_${version}_$arch.deb" >/dev/null
(cd "$out_dir" && sha256sum "hotpod_${version}_$arch.deb" >"hotpod_${version}_$arch.deb.sha256")
echo "dist: $out_dir/hotpod_${version}_$arch.deb"
