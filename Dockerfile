# syntax=docker/dockerfile:1
# Coulisses Crew: build the bundle, install production dependencies only, run as the unprivileged `node` user.
#   docker build -t coulisses-crew .
#   docker run --rm -p 8000:8000 -e REALISONS_SECRET_KEY=... -e DATABASE_URL=postgresql://... coulisses-crew
# Migrations are a separate one-shot command (compose.yaml's `migrate` service): node dist/cli.js db upgrade

ARG NODE_IMAGE=node:20-bookworm-slim

# Toolchain for native addons (better-sqlite3 builds from source where no prebuilt binary matches).
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./

# Every dependency, to bundle src/ into dist/ (esbuild).
FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# Production dependencies only: what dist/ loads at run time (native addons, externals of the bundle).
FROM toolchain AS prod-deps
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    APP_ENV=prod \
    HOST=0.0.0.0 \
    PORT=8000 \
    OUTBOX_DIR=/app/data/outbox
WORKDIR /app
COPY --from=prod-deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node templates ./templates
# SQLite file and mail outbox when no PostgreSQL / SMTP is configured: mount a volume here.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8000
# Liveness only (no database round trip): the orchestrator restarts a process that stopped answering.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/server.js"]
