#!/usr/bin/env bash
# One static, stripped hotpod for one architecture:
#   scripts/dist/build.sh amd64|arm64  ->  dist/hotpod-VERSION-linux-ARCH and its .sha256
# Its libraries come from scripts/dist/static-deps.sh (cached under /var/cache/hotpod-static).
set -euo pipefail

arch=${1:?usage: build.sh amd64|arm64}
repo=$(cd "$(dirname "$0")/../.." && pwd)
jobs=${JOBS:-$(nproc)}
out_dir=${DIST_DIR:-$repo/dist}
build_dir=${DIST_BUILD_DIR:-$repo/build-dist}/$arch
prefix=$("$repo/scripts/dist/static-deps.sh" "$arch")

cmake -S "$repo" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/toolchains/linux-$arch.cmake" \
  -DHOTPOD_STATIC_PREFIX="$prefix" -DHOTPOD_BUILD_TESTS=OFF -DHOTPOD_WERROR=ON >/dev/null
cmake --build "$build_dir" -j "$jobs" --target hotpod

version=$(sed -n 's/^project(hotpod VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt")
name=hotpod-$version-linux-$arch
mkdir -p "$out_dir"
case $arch in amd64) strip=x86_64-linux-gnu-strip ;; arm64) strip=aarch64-linux-gnu-strip ;; esac
$strip -o "$out_dir/$name" "$build_dir/hotpod"
chmod 0755 "$out_dir/$name"
# Not statically linked (a program interpreter, a dynamic section) is a failed build.
if readelf -l "$out_dir/$name" | grep -q 'Requesting program interpreter' \
   || readelf -d "$out_dir/$name" 2>/dev/null | grep -q NEEDED; then
  echo "dist: $out_dir/$name is not fully static:" >&2
  readelf -ld "$out_dir/$name" | grep -E 'interpreter|NEEDED' >&2
  exit 1
fi
(cd "$out_dir" && sha256sum "$name" >"$name.sha256")
echo "dist: $out_dir/$name ($(du -h "$out_dir/$name" | cut -f1), $(file -b "$out_dir/$name" | cut -d, -f1-2))"
