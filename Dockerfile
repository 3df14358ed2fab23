# syntax=docker/dockerfile:1
# rope-server container image: build on the official Swift 6.3 image, run on debian:bookworm-slim.
#   docker build -t rope-server .
#   docker run --rm -p 8080:8080 rope-server
# scripts/container-smoke proves the runtime stage below without a Docker engine (debootstrap + chroot); it reads
# this file, so keep the runtime stage's instructions simple (RUN, COPY, WORKDIR, USER, EXPOSE, HEALTHCHECK,
# ENTRYPOINT, ENV on one line each, RUN continued with backslashes).

FROM swift:6.3-bookworm AS build
# Versions are not pinned on purpose: the Debian mirror serves only the current bookworm build (security updates
# replace the old one), so a pin would break the build instead of making it reproducible.
# What deps/libmicrohttpd/build needs besides the toolchain's clang and apt-get (which fetches Debian's source package):
# make, patch and xz, and pkg-config for SwiftPM to find the result.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends make patch pkg-config xz-utils \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# libmicrohttpd: Debian bookworm's 0.9.75 source with our patches (its own error responses in JSON, no zeroing of freed
# connection memory), a static library linked into the binary. Its own layer, rebuilt only when the script or a patch
# change.
COPY deps/libmicrohttpd ./deps/libmicrohttpd
RUN deps/libmicrohttpd/build
# The manifest declares the test targets too, and SwiftPM refuses a package whose target folders are missing, so
# Tests/ comes along (it is not built: --product rope-server).
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
# The Swift runtime and Foundation are linked statically, so the runtime image needs no Swift toolchain.
RUN swift build -c release --static-swift-stdlib --product rope-server \
    && install -D -m 0755 "$(swift build -c release --static-swift-stdlib --show-bin-path)/rope-server" /out/rope-server

FROM debian:bookworm-slim AS runtime
# ldd of the --static-swift-stdlib binary: libstdc++.so.6, libgcc_s.so.1, libm/libc (libmicrohttpd is linked in
# statically). libgcc-s1 and libc6 are essential in Debian; libstdc++6 is named so it never goes away silently.
# Unpinned for the reason given in the build stage.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libstdc++6 \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 rope \
    && useradd --system --uid 10001 --gid rope --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin rope
# The server reads config/rope-server.json and openapi.yaml relative to its working directory.
WORKDIR /app
COPY --from=build /out/rope-server /usr/local/bin/rope-server
COPY config/rope-server.json config/rope-server.json
COPY openapi.yaml openapi.yaml
# Numeric user so Kubernetes' runAsNonRoot can verify it without an /etc/passwd lookup.
USER 10001:10001
EXPOSE 8080
# bash (essential in Debian) speaks HTTP over /dev/tcp: no curl in the image. It follows ROPE_PORT; a server
# started with --port instead needs its own health check (docker run --health-cmd ...).
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${ROPE_PORT:-8080} && printf 'GET /health HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q '^HTTP/1\\.[01] 200'"]
ENTRYPOINT ["/usr/local/bin/rope-server"]
