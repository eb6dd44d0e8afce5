import type { Server } from 'node:http';
import type { Express } from 'express';

export const DEFAULT_API_HOST = '127.0.0.1';
export const DEFAULT_API_PORT = 8001;

/**
 * V8 flags for a standalone `pairs api` process (`node <flags> bin/pairs.js api`). Without them V8 lets the
 * heap grow lazily under load (340 MB RSS after the API bench, 208 MB of it heap awaiting collection); with
 * them the same load peaks near 150 MB with live heap around 60 MB (bench/api.bench.ts).
 */
export const API_NODE_FLAGS = ['--max-semi-space-size=2', '--max-old-space-size=128'];

/** Listens and resolves once bound (rejects on EADDRINUSE and the like). */
export function listen(app: Express, port: number, host: string = DEFAULT_API_HOST): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

/** Stops accepting, ends keep-alive sockets, resolves when the server is closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
