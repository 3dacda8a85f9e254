# hotpod's container image: the sidecar (`hotpod agent`), and the source of the binary for your
# own dev image:
#
#   docker build -t hotpod .                               # this file; the default target
#   docker run --rm hotpod hotpod version                  # runs as UID 10001, not root
#   COPY --from=hotpod /usr/local/bin/hotpod /usr/local/bin/hotpod    # in your toolchain image
#
# Two stages: `builder` compiles hotpod from this checkout with Debian's compilers and libraries
# (the only dependencies, see scripts/install-deps.sh); the runtime stage is Debian minimal plus
# exactly the shared libraries the binary links (the builder lists them), tar (Skaffold's and
# `kubectl cp`'s file sync runs `tar` in the container), curl (the HEALTHCHECK) and CA
# certificates (webhooks over https).
#
# The base image is debian:bookworm-slim. Without a registry, scripts/base-image.sh --import
# docker makes it offline with debootstrap.

ARG DEBIAN_IMAGE=debian:bookworm-slim

FROM ${DEBIAN_IMAGE} AS builder
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      g++ make cmake pkg-config \
      libcpp-httplib-dev libyaml-cpp-dev libcurl4-openssl-dev prometheus-cpp-dev \
      libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
# Only what the binary is made of: edits to docs, tests or examples keep the compile cached.
COPY CMakeLists.txt ./
COPY cmake ./cmake
COPY agent ./agent
# -j2: the project's machines have two cores, shared.
RUN cmake -S . -B out -DCMAKE_BUILD_TYPE=Release -DHOTPOD_BUILD_TESTS=OFF \
 && cmake --build out -j2 --target hotpod \
 && install -D -s -m 0755 out/hotpod /out/usr/local/bin/hotpod \
 && /out/usr/local/bin/hotpod version
# The Debian packages that hold the shared libraries the binary needs (the runtime installs
# exactly these; libc and libstdc++ are in the base already, but naming them does no harm).
RUN ldd /out/usr/local/bin/hotpod | awk '$3 ~ /^\// {print $3}' \
    | xargs -r realpath | xargs -r dpkg -S 2>/dev/null | cut -d: -f1 | sort -u > /out/runtime-packages \
 && cat /out/runtime-packages

FROM ${DEBIAN_IMAGE} AS runtime
ENV DEBIAN_FRONTEND=noninteractive
COPY --from=builder /out/runtime-packages /usr/local/share/hotpod/runtime-packages
RUN apt-get update \
 && apt-get install -y --no-install-recommends tar curl ca-certificates \
      $(cat /usr/local/share/hotpod/runtime-packages) \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/*
# A fixed numeric UID/GID, so that Kubernetes' runAsNonRoot can verify it and so that the app
# container of a pod can run under the same UID (then the agent needs no CAP_KILL to signal it).
RUN groupadd --gid 10001 hotpod \
 && useradd --uid 10001 --gid 10001 --home-dir /home/hotpod --create-home --shell /usr/sbin/nologin hotpod \
 && install -d -o 10001 -g 10001 /src /shared
COPY --from=builder /out/usr/local/bin/hotpod /usr/local/bin/hotpod
USER 10001:10001
WORKDIR /src
EXPOSE 4687
# Liveness of the agent's loop. HOTPOD_HEALTHZ_URL if you moved the HTTP server (http.listen).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS --max-time 2 "${HOTPOD_HEALTHZ_URL:-http://127.0.0.1:4687/healthz}" >/dev/null || exit 1
CMD ["/usr/local/bin/hotpod", "agent"]
