# syntax=docker/dockerfile:1
# rope-server container image: build on the official Swift 6.3 image, run on debian:bookworm-slim.
#   docker build -t rope-server .
#   docker run --rm -p 8080:8080 rope-server
# scripts/container-check builds this file with a real Docker engine (making both base images where no registry is
# reachable) and runs the image read-only, with a memory limit, as its own user.

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
# libmicrohttpd: Debian bookworm's 0.9.75 source with our patches (its own error responses in JSON and reported to us,
# no zeroing of freed connection memory, new connections accepted in series), a static library linked into the
# binary. Its own layer, rebuilt only when the script or a patch changes.
COPY deps/libmicrohttpd ./deps/libmicrohttpd
RUN deps/libmicrohttpd/build
# The manifest declares the test targets too, and SwiftPM refuses a package whose target folders are missing, so
# Tests/ comes along (it is not built: --product rope-server).
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
# The Swift runtime and Foundation are linked statically (most of the binary's 72 MB), so the runtime image needs no
# Swift toolchain. Debug information is stripped; the symbol table stays, so crash backtraces keep their names.
RUN swift build -c release --static-swift-stdlib --product rope-server \
    && mkdir -p /out \
    && strip --strip-debug -o /out/rope-server \
       "$(swift build -c release --static-swift-stdlib --show-bin-path)/rope-server" \
    && chmod 0755 /out/rope-server

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
# The server reads config/rope-server.json, openapi.yaml and web/explorer.html relative to its working directory.
WORKDIR /app
COPY --from=build /out/rope-server /usr/local/bin/rope-server
COPY config/rope-server.json config/rope-server.json
COPY openapi.yaml openapi.yaml
COPY web/explorer.html web/explorer.html
COPY deploy/docker/healthcheck /usr/local/bin/rope-healthcheck
# Numeric user so Kubernetes' runAsNonRoot can verify it without an /etc/passwd lookup.
USER 10001:10001
EXPOSE 8080
# GET /health over bash's /dev/tcp (no curl in the image), on the address the server listens on whichever way it was
# set (--port, ROPE_PORT or the config file): the script finds it in /proc.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/usr/local/bin/rope-healthcheck"]
ENTRYPOINT ["/usr/local/bin/rope-server"]
