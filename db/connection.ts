import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema';

// `date` columns stay YYYY-MM-DD strings instead of local-midnight Date objects.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);
// Counts and bigint aggregates come back as numbers; our ids are int4 so no precision is at stake.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export type Db = Kysely<Database>;

export interface DbOptions {
  connectionString: string;
  /** One connection for the embedded PGlite server, which serves a single session. */
  maxConnections?: number;
}

export function createDb({ connectionString, maxConnections = 10 }: DbOptions): Db {
  const pool = new pg.Pool({ connectionString, max: maxConnections });
  // An idle client losing its connection (database restart) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
