import { sql, type Kysely } from 'kysely';

/**
 * Issue 10 (one shared account):
 * - pair_trade gets the status NEEDS_ATTENTION (an exit or compensation that could not complete yet: still live,
 *   still retrying) with its reason and since when; it counts as live for the one-live-trade-per-pair index.
 * - symbol_order_lane: at most one engine order in flight per symbol (see README "One account, one lane per
 *   symbol"). The row names the holder's client order id and what it asked for, so anyone can tell when the
 *   holder's order is final and take the lane over.
 * Numbered 004, after main's 002_walkforward_runs and 003_config_and_registry_status: kysely refuses a new migration that
 * sorts before ones a database has already applied.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE strategy_engine.pair_trade DROP CONSTRAINT pair_trade_status_check`.execute(db);
  await sql`ALTER TABLE strategy_engine.pair_trade ADD CONSTRAINT pair_trade_status_check
            CHECK (status IN ('PENDING', 'OPEN', 'CLOSING', 'NEEDS_ATTENTION', 'CLOSED', 'FAILED'))`.execute(db);
  await sql`DROP INDEX strategy_engine.pair_trade_one_live_per_pair`.execute(db);
  await sql`CREATE UNIQUE INDEX pair_trade_one_live_per_pair ON strategy_engine.pair_trade (pair_id)
            WHERE status IN ('PENDING', 'OPEN', 'CLOSING', 'NEEDS_ATTENTION')`.execute(db);
  await sql`ALTER TABLE strategy_engine.pair_trade ADD COLUMN attention_reason text`.execute(db);
  await sql`ALTER TABLE strategy_engine.pair_trade ADD COLUMN attention_since timestamptz`.execute(db);

  await db.schema
    .withSchema('strategy_engine')
    .createTable('symbol_order_lane')
    .addColumn('symbol', 'text', (c) => c.primaryKey())
    .addColumn('client_order_id', 'text', (c) => c.notNull())
    .addColumn('side', 'text', (c) => c.notNull())
    .addColumn('qty', 'integer', (c) => c.notNull())
    .addColumn('acquired_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('symbol_order_lane_side_check', sql`side IN ('buy', 'sell')`)
    .addCheckConstraint('symbol_order_lane_qty_check', sql`qty > 0`)
    .execute();
}
