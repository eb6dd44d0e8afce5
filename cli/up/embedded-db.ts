import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedDatabase {
  /** postgres:// URL of the socket server; serves one session, so use a pool of one connection. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * PGlite stored in `dataDir`, served over the PostgreSQL wire protocol on 127.0.0.1 so the ordinary `pg` driver
 * (and therefore kysely and the migrations) can use it. Port 0 picks a free port.
 */
export async function startEmbeddedDatabase({ dataDir, port = 0 }: { dataDir: string; port?: number }): Promise<EmbeddedDatabase> {
  mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port, maxConnections: 1 });
  try {
    await server.start();
  } catch (err) {
    await pglite.close();
    throw err;
  }
  const conn = server.getServerConn();
  const actualPort = Number(conn.slice(conn.lastIndexOf(':') + 1));
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${actualPort}/postgres`,
    port: actualPort,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await pglite.close();
    },
  };
}
