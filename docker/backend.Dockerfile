# syntax=docker/dockerfile:1.7
# The backend image: NestJS orchestrator + the agent desk (static files) + the customer widget.
# Build from the repository root:  docker build -f docker/backend.Dockerfile -t engage-backend .
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- all dependencies, for building -------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# npm install, not npm ci: the lock file holds only the platform packages the registry mirror serves
# (nx's darwin/win32 builds are absent there), and npm ci refuses such a lock; install still follows it.
RUN --mount=type=cache,target=/root/.npm npm install --no-audit --no-fund

# ---- build backend, desk and widget with the repository's own build commands ---------------
FROM deps AS build
ENV NG_CLI_ANALYTICS=false NX_DAEMON=false PATH=/app/node_modules/.bin:$PATH
COPY nx.json tsconfig.base.json ./
COPY tools ./tools
COPY libs ./libs
COPY backend ./backend
COPY frontend ./frontend
# backend (project "backend" build target)
RUN node tools/build-node.mjs backend/src libs/protocol/src libs/config-env/src
# agent desk (project "desk" build target) → dist/frontend/desk/browser
RUN cd frontend/desk && ng build
# customer widget (project "cobrowse-snippet" build target) → dist/widget/widget.js
RUN node libs/cobrowse-snippet/build.mjs

# ---- production dependencies only ---------------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm install --omit=dev --no-audit --no-fund

# ---- runtime ------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DEMO_SITE_PORT=0 \
    DATA_DIR=/data
WORKDIR /app
# The document room: poppler (pdfinfo, pdftoppm) checks and renders PDFs; LibreOffice converts office
# files (run in its own network namespace: `unshare -rn` needs user namespaces, which Docker's default
# seccomp profile refuses: without them office uploads fail with conversion_failed, PDFs still work).
RUN apt-get update && apt-get install -y --no-install-recommends poppler-utils util-linux libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui fonts-liberation && rm -rf /var/lib/apt/lists/*
# nx.json marks the repository root, from which the backend finds dist/ (desk and widget files).
COPY --from=build /app/nx.json /app/package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The only writable place: the embedded PostgreSQL's data when DATABASE_URL is not set.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=40s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM goes straight to node (no shell in between), so the backend drains and stops cleanly.
STOPSIGNAL SIGTERM
CMD ["node", "dist/node/backend/src/main.js"]
