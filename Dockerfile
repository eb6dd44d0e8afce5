# The pairs worker, API and simulator image (docker-compose.yml runs each with its own command).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
EXPOSE 8001 8787
CMD ["node", "bin/pairs.js", "--help"]
