# syntax=docker/dockerfile:1
# seedgate's container image: built with the README's own commands on Debian 12, run on
# debian:bookworm-slim with only the runtime libraries, as a non-root user, on a read-only root
# filesystem. tests/deploy/dockerfile_test.py checks the build stage against scripts/run.sh and
# the runtime package list against what `ldd` says the binaries need.
#
#   docker build -t <registry>/seedgate:0.1.0 --build-arg VERSION=0.1.0 \
#     --build-arg REVISION=$(git rev-parse HEAD) .

# ---- build: the same steps as `scripts/run.sh` (see the README) -----------------------------
FROM debian:bookworm AS build
WORKDIR /src
# Dependencies first, so that a source change does not reinstall them.
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh
COPY . .
RUN scripts/build.sh -DSEEDGATE_BUILD_TESTS=OFF

# ---- runtime ---------------------------------------------------------------------------------
FROM debian:bookworm-slim
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="seedgate" \
      org.opencontainers.image.description="gRPC façade in front of the Doubao Seed 2.0 chat-completions API" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="docker.io/library/debian:bookworm-slim" \
      org.opencontainers.image.documentation="README.md, section Deploy to Kubernetes"

# The shared libraries `ldd build/bin/seedgate` (and fake-upstream) resolve to, by Debian package
# (apt brings their own dependencies); ca-certificates to verify the upstream's TLS certificate.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates \
      libabsl20220623 \
      libc6 \
      libcurl4 \
      libgcc-s1 \
      libgrpc++1.51 \
      libgrpc29 \
      libprometheus-cpp-core1.0 \
      libprometheus-cpp-pull1.0 \
      libprotobuf32 \
      libre2-9 \
      libssl3 \
      libstdc++6 \
      libtcmalloc-minimal4 \
 && rm -rf /var/lib/apt/lists/*

# seedgate, and the upstream emulator it runs next to itself when it has no API key (demo mode).
COPY --from=build /src/build/bin/seedgate /src/build/bin/fake-upstream /usr/local/bin/

# A fixed numeric non-root user (Kubernetes' runAsNonRoot can check a number, not a name).
RUN groupadd --system --gid 65532 seedgate \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin seedgate
USER 65532:65532

# gRPC, Prometheus /metrics.
EXPOSE 50051 9464
# seedgate writes nothing to disk: the root filesystem may be read-only.
ENTRYPOINT ["/usr/local/bin/seedgate"]
