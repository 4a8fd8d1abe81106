# syntax=docker/dockerfile:1.7
# The proxy worker image: one Chromium (Debian's), one isolated context per session.
# Build from the repository root:  docker build -f docker/proxy-worker.Dockerfile -t engage-proxy-worker .
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NX_DAEMON=false PATH=/app/node_modules/.bin:$PATH
COPY package.json package-lock.json ./
# npm install, not npm ci: see backend.Dockerfile.
RUN --mount=type=cache,target=/root/.npm npm install --no-audit --no-fund
COPY tools ./tools
COPY libs ./libs
COPY proxy-worker ./proxy-worker
COPY tsconfig.base.json nx.json ./
RUN node tools/build-node.mjs proxy-worker/src libs/protocol/src

FROM ${NODE_IMAGE} AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-liberation && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production PROXY_HOST=0.0.0.0 PROXY_PORT=4400 CHROMIUM_PATH=/usr/lib/chromium/chromium
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Chromium keeps its sandbox: the worker runs as an unprivileged user (it adds --no-sandbox only as root).
USER node
EXPOSE 4400
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PROXY_PORT || 4400) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/node/proxy-worker/src/main.js"]
