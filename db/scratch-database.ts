import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from './connection';
import { migrateToLatest } from './migrate';

/** The server scratch databases are made on (tests, benchmarks, the crash harness); never the app's own database. */
export const SCRATCH_SERVER_URL = process.env.SCRATCH_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ScratchDatabase {
  name: string;
  url: string;
  db: Db;
  drop(): Promise<void>;
}

async function admin(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export interface ScratchOptions {
  serverUrl?: string;
  /** Apply the migrations (default true). */
  migrate?: boolean;
  maxConnections?: number;
}

/** A fresh database `<prefix>_<random>` on the server, migrated unless told not to, dropped (WITH FORCE) by drop(). */
export async function createScratchDatabase(
  prefix: string,
  { serverUrl = SCRATCH_SERVER_URL, migrate = true, maxConnections = 4 }: ScratchOptions = {},
): Promise<ScratchDatabase> {
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = createDb({ connectionString: url.toString(), maxConnections });
  if (migrate) await migrateToLatest(db);
  return {
    name,
    url: url.toString(),
    db,
    drop: async () => {
      await db.destroy();
      await admin(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
