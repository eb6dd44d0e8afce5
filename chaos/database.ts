import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from '../db/connection';
import { migrateToLatest } from '../db/migrate';

export const CHAOS_SERVER_URL = process.env.CHAOS_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

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

/** A fresh migrated database `<prefix>_<random>` on the server, dropped (WITH FORCE) by drop(). */
export async function createScratchDatabase(prefix: string, serverUrl = CHAOS_SERVER_URL): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = createDb({ connectionString: url.toString(), maxConnections: 4 });
  await migrateToLatest(db);
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
