#!/usr/bin/env bash
# The third-party libraries of the static hotpod, for one architecture (amd64 or arm64), in a
# prefix under /var/cache/hotpod-static that is keyed by the Debian package versions they come
# from, so that a second `make dist` reuses it. Prints the prefix on stdout.
#
#   * static archives Debian ships (OpenSSL, zlib, c-ares, yaml-cpp) and the header-only
#     libraries (spdlog + fmt used header-only, nlohmann-json, CLI11, toml++): the target
#     architecture's -dev packages, downloaded and unpacked into PREFIX/sysroot (not installed);
#   * built from Debian's own source packages (`apt-get source`, no other download):
#     libcurl (HTTP and HTTPS over OpenSSL, names resolved by c-ares, nothing else),
#     prometheus-cpp (core only), cpp-httplib (its single header, which the -dev package
#     splits into a shared library) and libarchive (tar and gzip only: Debian's libarchive.a
#     wants acl, xml2, nettle, lzma, zstd, lz4, bz2 and b2, which hotpod's tar never needs).
set -euo pipefail

arch=${1:?usage: static-deps.sh amd64|arm64}
case $arch in
  amd64) triplet=x86_64-linux-gnu ;;
  arm64) triplet=aarch64-linux-gnu ;;
  *) echo "static-deps: unknown architecture '$arch' (amd64 or arm64)" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
cache_root=${HOTPOD_STATIC_CACHE:-/var/cache/hotpod-static}
jobs=${JOBS:-$(nproc)}

# Static archives and headers from the target architecture's binary packages.
archive_packages=(libssl-dev zlib1g-dev libc-ares-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
                  libtomlplusplus-dev)
indep_packages=(nlohmann-json3-dev libcli11-dev)
# Source packages built here, each named by a binary package of the same version.
source_packages=(curl:libcurl4-openssl-dev prometheus-cpp:prometheus-cpp-dev
                 cpp-httplib:libcpp-httplib-dev libarchive:libarchive-dev
                 http-parser:libhttp-parser-dev)

# "PACKAGE VERSION" for each package apt would fetch, in one apt-cache call (each costs seconds).
candidate_versions() {
  apt-cache show --no-all-versions "$@" 2>/dev/null | awk '/^Package:/ {p = $2} /^Version:/ {print p, $2}'
}
version_of() { awk -v p="$1" '$1 == p {print $2; exit}' <<<"$known"; }

# The key: every package version that goes in, the compiler, and the recipe's revision (raise it
# when a change here changes what is built).
recipe=3
known=$(candidate_versions "${archive_packages[@]/%/:$arch}"; candidate_versions "${indep_packages[@]}" \
        "${source_packages[@]#*:}")
versions=""
missing=()
for p in "${archive_packages[@]}" "${indep_packages[@]}"; do
  v=$(version_of "$p"); [[ -n $v ]] || missing+=("$p")
  versions+="$p $v"$'\n'
done
for entry in "${source_packages[@]}"; do
  v=$(version_of "${entry#*:}"); [[ -n $v ]] || missing+=("${entry#*:}")
  versions+="${entry%%:*} (source) $v"$'\n'
done
if ((${#missing[@]})); then
  echo "static-deps: apt knows no version of: ${missing[*]} (for $arch)" >&2
  echo "static-deps: run scripts/install-deps.sh (it enables arm64 and deb-src), then retry" >&2
  exit 1
fi
compiler="$triplet-g++"
versions+="compiler $($compiler -dumpfullversion)"$'\n'
key=$(printf 'recipe %s\n%s' "$recipe" "$versions" | sha256sum | cut -c1-16)
prefix=$cache_root/$arch-$key
# One builder per architecture at a time (two checkouts, or make -j); the others wait and reuse.
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock-$arch"
flock 9
if [[ -f $prefix/complete ]]; then
  echo "$prefix"
  exit 0
fi

log() { echo "static-deps[$arch]: $*" >&2; }
log "building into $prefix (once for these package versions; later runs reuse it)"
work=$cache_root/work-$arch-$key
mkdir -p "$work/debs" "$prefix/sysroot" "$prefix/include" "$prefix/lib"
sysroot=$prefix/sysroot

fetch_failed() {
  log "cannot fetch $1 from Debian's mirror: see the apt output above."
  log "it needs network access to the mirror in /etc/apt/sources.list.d and, for source"
  log "packages, a deb-src entry (scripts/install-deps.sh adds one)."
  exit 1
}

# Each step leaves a stamp in the prefix when it succeeded: a run that was interrupted (or failed
# in a later step) resumes where it stopped instead of building everything again.
step() {
  local name=$1
  shift
  if [[ -f $prefix/.step-$name ]]; then return 0; fi
  log "$name"
  "$@"
  touch "$prefix/.step-$name"
}

binary_packages() {
  rm -rf "$work/debs" && mkdir -p "$work/debs"
  (cd "$work/debs" && for p in "${archive_packages[@]}"; do
     apt-get -o APT::Sandbox::User=root download -qq "$p:$arch" >&2 || fetch_failed "$p:$arch"
   done && for p in "${indep_packages[@]}"; do
     apt-get -o APT::Sandbox::User=root download -qq "$p" >&2 || fetch_failed "$p"
   done)
  for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$sysroot"; done
}

source_packages() {
  for entry in "${source_packages[@]}"; do
    rm -rf "$work/${entry%%:*}"-[0-9]*/
    (cd "$work" && apt-get -o APT::Sandbox::User=root source -qq "${entry%%:*}" >&2) \
      || fetch_failed "the source of ${entry%%:*}"
  done
}

# pkg-config answers for the target's sysroot only (never the build machine's libraries).
export PKG_CONFIG_LIBDIR=$sysroot/usr/lib/$triplet/pkgconfig:$sysroot/usr/share/pkgconfig
export PKG_CONFIG_SYSROOT_DIR=$sysroot
cflags="-O2 -ffunction-sections -fdata-sections"
cppflags="-isystem $sysroot/usr/include/$triplet -isystem $sysroot/usr/include"

libcurl() {
  (cd "$work"/curl-*/ && ./configure --host="$triplet" CC="$triplet-gcc" CFLAGS="$cflags" \
     CPPFLAGS="$cppflags" LDFLAGS="-L$sysroot/usr/lib/$triplet" --prefix="$prefix" \
     --disable-shared --enable-static --with-openssl --enable-ares --without-zlib \
     --with-ca-bundle=/etc/ssl/certs/ca-certificates.crt --with-ca-path=/etc/ssl/certs \
     --disable-ldap --disable-ldaps --disable-rtsp --disable-dict --disable-telnet --disable-tftp \
     --disable-pop3 --disable-imap --disable-smb --disable-smtp --disable-gopher --disable-mqtt \
     --disable-ftp --disable-file --disable-manual --disable-netrc --disable-ntlm --disable-ntlm-wb \
     --disable-tls-srp --disable-websockets --disable-alt-svc --disable-cookies \
     --without-libpsl --without-libidn2 --without-nghttp2 --without-nghttp3 --without-ngtcp2 \
     --without-librtmp --without-libssh2 --without-libssh --without-zstd --without-brotli \
     --without-gssapi --without-libgsasl >"$work/curl-configure.log" 2>&1 \
     || { tail -30 "$work/curl-configure.log" >&2; log "libcurl's configure failed"; exit 1; }
   make -j"$jobs" -C lib >"$work/curl-make.log" 2>&1 && make -C lib install >/dev/null \
     && make -C include install >/dev/null) \
    || { tail -30 "$work/curl-make.log" >&2; log "libcurl's build failed"; exit 1; }
}

prometheus_core() {
  cmake -S "$work"/prometheus-cpp-*/ -B "$work/prometheus-build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_COMPILER="$triplet-g++" -DCMAKE_C_COMPILER="$triplet-gcc" \
    -DCMAKE_CXX_FLAGS="$cflags" -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
    -DBUILD_SHARED_LIBS=OFF -DENABLE_PULL=OFF -DENABLE_PUSH=OFF -DENABLE_COMPRESSION=OFF \
    -DENABLE_TESTING=OFF -DUSE_THIRDPARTY_LIBRARIES=OFF -DGENERATE_PKGCONFIG=OFF \
    >"$work/prometheus.log" 2>&1 \
    && cmake --build "$work/prometheus-build" -j"$jobs" >>"$work/prometheus.log" 2>&1 \
    && cmake --install "$work/prometheus-build" >>"$work/prometheus.log" 2>&1 \
    || { tail -30 "$work/prometheus.log" >&2; log "prometheus-cpp's build failed"; exit 1; }
}

# --disable-maintainer-mode: Debian's patches leave configure.ac newer than configure, and make
# would otherwise try to run automake, which is not needed (nor installed).
# -fvect-cost-model=dynamic: GCC 12's -O2 vectorizes only loops without a remainder, and the tar
# reader's header checksum (sums over 148 + 8 + 356 bytes, once per member) stays a byte loop:
# 2,600 instructions a member, a fifth of hotpod tar's whole extraction; vectorized, 680
# (callgrind, docs/benchmarks.md "hotpod tar's instructions").
libarchive() {
  (cd "$work"/libarchive-*/ && ./configure --host="$triplet" CC="$triplet-gcc" \
     CFLAGS="$cflags -fvect-cost-model=dynamic" \
     CPPFLAGS="$cppflags" LDFLAGS="-L$sysroot/usr/lib/$triplet" --prefix="$prefix" \
     --disable-maintainer-mode --disable-shared --enable-static --disable-bsdtar --disable-bsdcat \
     --disable-bsdcpio --disable-xattr --disable-acl --disable-posix-regex-lib --with-zlib \
     --without-bz2lib --without-libb2 --without-iconv --without-lz4 --without-zstd --without-lzma \
     --without-openssl --without-xml2 --without-expat >"$work/libarchive.log" 2>&1 \
     && make -j"$jobs" libarchive.la >>"$work/libarchive.log" 2>&1 \
     && make install-libLTLIBRARIES install-includeHEADERS >>"$work/libarchive.log" 2>&1) \
    || { tail -30 "$work/libarchive.log" >&2; log "libarchive's build failed"; exit 1; }
}

# Node's http_parser (the dev proxy): one C file; Debian ships no static archive of it.
http_parser() {
  (cd "$work"/http-parser-*/ && "$triplet-gcc" $cflags -DHTTP_PARSER_STRICT=0 -c http_parser.c \
     -o http_parser.o && "$triplet-ar" rcs "$prefix/lib/libhttp_parser.a" http_parser.o \
     && install -m 0644 http_parser.h "$prefix/include/http_parser.h") \
    || { log "http-parser's build failed"; exit 1; }
}

httplib_header() { install -m 0644 "$work"/cpp-httplib-*/httplib.h "$prefix/include/httplib.h"; }

step binary-packages binary_packages
step source-packages source_packages
step libcurl libcurl
step prometheus-cpp prometheus_core
step libarchive libarchive
step cpp-httplib httplib_header
step http-parser http_parser

printf '%s' "$versions" >"$prefix/versions"
rm -rf "$work"
touch "$prefix/complete"
log "done"
echo "$prefix"
