# hotpod's container image: the sidecar (`hotpod agent`), and the source of the binary for any
# image of yours (the binary is static: it runs in Debian, Alpine, distroless and scratch alike):
#
#   make dist && docker build -t hotpod .                 # the static binaries first (dist/)
#   docker run --rm hotpod hotpod version                  # runs as UID 10001, not root
#   COPY --from=hotpod /usr/local/bin/hotpod /usr/local/bin/hotpod    # in your own image
#
# FROM scratch, plus exactly: the static hotpod that `make dist` built for the target
# architecture (TARGETARCH: amd64 or arm64, set by `docker buildx build --platform`), a CA bundle
# (webhooks over https), a passwd/group entry for UID 10001, a writable /tmp, `tar` as a symlink
# to hotpod (Skaffold's, kubectl cp's, Tilt's and compose's file sync run `tar` in the container;
# hotpod is that tar, and a sync through it is one build), and Debian's busybox-static for one
# command only: `sh` (shell build commands of `hotpod agent`). The HEALTHCHECK is hotpod itself
# (`hotpod healthcheck`): busybox's static wget crashes in a root without glibc's NSS modules.
# docs/install.md says what is in it and how big it is.
#
# The files come from a Debian stage (debian:bookworm-slim; without a registry,
# scripts/base-image.sh --import docker makes it offline with debootstrap).

ARG DEBIAN_IMAGE=debian:bookworm-slim

FROM ${DEBIAN_IMAGE} AS rootfs
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates busybox-static \
 && rm -rf /var/lib/apt/lists/*
RUN install -d -m 0755 /out/bin /out/etc/ssl/certs /out/usr/local/bin \
 && install -d -m 1777 /out/tmp \
 && install -d -o 10001 -g 10001 /out/src /out/shared /out/home/hotpod \
 && install -m 0644 /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/ \
 && install -m 0755 /bin/busybox /out/bin/busybox \
 && ln -s busybox /out/bin/sh \
 && ln -s hotpod /out/usr/local/bin/tar \
 && printf 'root:x:0:0:root:/root:/sbin/nologin\nhotpod:x:10001:10001:hotpod:/home/hotpod:/sbin/nologin\n' \
      >/out/etc/passwd \
 && printf 'root:x:0:\nhotpod:x:10001:\n' >/out/etc/group

FROM scratch
ARG TARGETARCH=amd64
COPY --from=rootfs /out/ /
# One binary per architecture in dist/ (make dist); the version is in its name.
COPY dist/hotpod-*-linux-${TARGETARCH} /usr/local/bin/hotpod
ENV PATH=/usr/local/bin:/bin
# A fixed numeric UID/GID, so that Kubernetes' runAsNonRoot can verify it and so that the app
# container of a pod can run under the same UID (then the agent needs no CAP_KILL to signal it).
USER 10001:10001
WORKDIR /src
EXPOSE 4687
# Liveness of the agent's loop: GET /healthz on the port of HOTPOD_LISTEN (default 4687), or
# HOTPOD_HEALTHZ_URL if the HTTP server listens elsewhere (http.listen in hotpod.yaml).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/hotpod", "healthcheck"]
CMD ["/usr/local/bin/hotpod", "agent"]
