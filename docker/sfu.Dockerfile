# syntax=docker/dockerfile:1.7
# The SFU image: mediasoup workers (one per core) behind the backend-only control API.
# Build from the repository root:  docker build -f docker/sfu.Dockerfile -t engage-sfu .
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NX_DAEMON=false PATH=/app/node_modules/.bin:$PATH ENGAGE_CACHE=/opt/engage
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv python3-pip g++ make pkg-config && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# npm install, not npm ci: see backend.Dockerfile.
RUN --mount=type=cache,target=/root/.npm npm install --no-audit --no-fund
COPY tools ./tools
COPY libs ./libs
COPY sfu ./sfu
COPY tsconfig.base.json nx.json ./
# The same offline-capable worker build as on a developer's machine (Debian libraries, libsrtp
# with OpenSSL crypto built static from the mediasoup@3.8.4 npm tarball, patched for libsrtp 2 and
# kernel-TLS OpenSSL); the binary lands in $ENGAGE_CACHE.
RUN bash tools/build-mediasoup-worker.sh
RUN node tools/build-node.mjs sfu/src libs/protocol/src libs/config-env/src

FROM ${NODE_IMAGE} AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends libssl3 libuv1 libusrsctp2 libabsl20220623 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production MEDIASOUP_WORKER_BIN=/opt/engage/mediasoup-worker SFU_HOST=0.0.0.0 SFU_PORT=3100
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /opt/engage/mediasoup-worker-3.16.0-ossl/mediasoup-worker /opt/engage/mediasoup-worker
USER node
EXPOSE 3100
# RTC ports: RTC_MIN_PORT..RTC_MAX_PORT (udp and tcp) must be published as well; see compose.yaml.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SFU_PORT || 3100) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/node/sfu/src/main.js"]
