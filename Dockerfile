# One image for every khiw process. The services run TypeScript through tsx (no build step,
# DESIGN.md / CONVENTIONS.md), so the entry point is `node --import tsx` and the argument
# names the script:
#   docker run khiw services/gateway/src/main.ts          (the default)
#   docker run khiw services/booking-worker/src/main.ts
#   docker run khiw packages/db/src/cli/migrate.ts
#   docker run khiw services/booking-worker/src/cli/load-campaign.ts /campaigns/x.json
# Build from the repository root: docker build -t khiw .

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------- fetch: lockfile only
# `pnpm fetch` fills the store from the lockfile alone, so this layer (the slow one) is
# rebuilt only when the lockfile changes, not on every source edit. The store lives in the
# layer, not in a BuildKit cache mount: a cached layer with an evicted cache mount would
# leave the offline install below with an empty store.
FROM ${NODE_IMAGE} AS fetch
ENV CI=true
# The version pinned in package.json `packageManager`; npm -g rather than corepack, whose
# download-and-verify step has broken builds on older Node 20 images.
RUN npm install -g pnpm@10.34.8 && pnpm --version
WORKDIR /app
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch --frozen-lockfile --store-dir /pnpm/store

# ---------------------------------------------------------------- build: install + prisma
FROM fetch AS build
COPY . .
RUN pnpm install --frozen-lockfile --offline --store-dir /pnpm/store
# generate needs no schema engine (it uses the bundled Wasm); the CLI only insists that
# the variable names an executable (DESIGN.md section 5).
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/true CHECKPOINT_DISABLE=1 pnpm db:generate

# ---------------------------------------------------------------- runtime
# No pnpm, no store, no compiler toolchain: node, tini and the installed tree. The tree
# keeps the root devDependencies because tsx (the runtime loader) is one of them.
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
# Owned by root, run as node (uid 1000): the code cannot rewrite itself. tsx writes its
# transform cache under the OS temp dir, which stays writable (an emptyDir in k8s).
COPY --from=build /app /app
USER 1000:1000
EXPOSE 8080 8081 8082 8083
# tini is PID 1: it forwards SIGTERM to node (whose handlers drain and exit) and reaps
# zombies; node as PID 1 would ignore signals it has no handler for.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--import", "tsx"]
CMD ["services/gateway/src/main.ts"]
