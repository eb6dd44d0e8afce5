# The pairs worker, API and simulator image (docker-compose.yml runs each with its own command). Production runs
# the compiled JavaScript (`npm run build` -> dist/), not the TypeScript sources, with the workflow bundle prebuilt.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund && node scripts/prebuild-bundle.js

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
EXPOSE 8001 8787
# Each service's command gives its own V8 flags (cli/node-flags.ts): node <flags> dist/cli/run.js <command>.
CMD ["node", "dist/cli/run.js", "--help"]
