import { sql, type Kysely } from 'kysely';

/**
 * The strategy config as the one source of truth every process reads (seeded from config/pairs.yaml), the log of
 * its changes, and the registry's lifecycle: ACTIVE or RETIRED, with the reason and time of retirement, and a
 * retirement waiting for the pair's live trade to close.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema.withSchema('strategy_engine');

  await s
    .createTable('strategy_config')
    .addColumn('id', 'integer', (c) => c.primaryKey().defaultTo(1))
    .addColumn('config', 'jsonb', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('strategy_config_singleton', sql`id = 1`)
    .execute();

  await s
    .createTable('config_change')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('old_values', 'jsonb', (c) => c.notNull())
    .addColumn('new_values', 'jsonb', (c) => c.notNull())
    .execute();

  await s
    .alterTable('pair_registry')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('ACTIVE'))
    .addColumn('retired_at', 'timestamptz')
    .addColumn('retire_reason', 'text')
    .addColumn('retire_pending_reason', 'text')
    .addColumn('last_tested_at', 'timestamptz')
    .execute();
  await sql`ALTER TABLE strategy_engine.pair_registry ADD CONSTRAINT pair_registry_status_check
            CHECK (status IN ('ACTIVE', 'RETIRED'))`.execute(db);
  // Pairs an earlier discovery deactivated (out of its top N) count as retired.
  await sql`UPDATE strategy_engine.pair_registry SET status = 'RETIRED', retired_at = updated_at,
            retire_reason = 'left the top N of a discovery run' WHERE NOT is_active`.execute(db);
}
