import { sql } from 'kysely';

/**
 * The database's now() for `updated_at`. Typed `never` because schema.ts wraps these columns in
 * Generated<ColumnType<…>>, whose update type kysely does not unwrap.
 */
export const NOW = sql<never>`now()`;
