import { sql, type Kysely } from 'kysely';

/**
 * Issue 12 (portfolio risk):
 * - risk_state (one row): the trading state ACTIVE / REDUCING / HALTED, why and since when, the rule that tripped
 *   it, the operator's last re-base of the daily-loss and drawdown references (POST /start) and last Kelly reset.
 *   strategy_state.is_active stays, true exactly when the state is ACTIVE (the spec's /status field).
 * - equity_snapshot: the broker account each cycle, one row per cycle hour (upserted: a retried or repeated cycle
 *   in the same hour rewrites it).
 * - pair_signal.risk_rule / risk_detail: why an entry signal was refused, with the numbers.
 * - pair_trade.entry_cost: what a failed entry cost (its fills and their compensation), counted in /performance.
 * Numbered 006: issue 11's migration is 005.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .withSchema('strategy_engine')
    .createTable('risk_state')
    .addColumn('id', 'integer', (c) => c.primaryKey().defaultTo(1))
    .addColumn('trading_state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('rule', 'text')
    .addColumn('changed_by', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('baseline_reset_at', 'timestamptz')
    .addColumn('kelly_reset_at', 'timestamptz')
    .addCheckConstraint('risk_state_singleton', sql`id = 1`)
    .addCheckConstraint('risk_state_trading_state_check', sql`trading_state IN ('ACTIVE', 'REDUCING', 'HALTED')`)
    .execute();
  await sql`INSERT INTO strategy_engine.risk_state (id, trading_state, reason, changed_by)
            SELECT 1, CASE WHEN is_active THEN 'ACTIVE' ELSE 'REDUCING' END, 'from strategy_state.is_active', 'migration'
            FROM strategy_engine.strategy_state WHERE id = 1
            ON CONFLICT (id) DO NOTHING`.execute(db);
  await sql`INSERT INTO strategy_engine.risk_state (id, trading_state, reason, changed_by)
            VALUES (1, 'ACTIVE', 'initial', 'migration') ON CONFLICT (id) DO NOTHING`.execute(db);

  await db.schema
    .withSchema('strategy_engine')
    .createTable('equity_snapshot')
    .addColumn('ts', 'timestamptz', (c) => c.primaryKey())
    .addColumn('equity', 'double precision', (c) => c.notNull())
    .addColumn('cash', 'double precision', (c) => c.notNull())
    .addColumn('buying_power', 'double precision', (c) => c.notNull())
    .addColumn('gross_exposure', 'double precision', (c) => c.notNull())
    .addColumn('realized_pnl', 'double precision', (c) => c.notNull())
    .addColumn('unrealized_pnl', 'double precision', (c) => c.notNull())
    .addColumn('taken_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await sql`ALTER TABLE strategy_engine.pair_signal ADD COLUMN risk_rule text`.execute(db);
  await sql`ALTER TABLE strategy_engine.pair_signal ADD COLUMN risk_detail jsonb`.execute(db);
  await sql`ALTER TABLE strategy_engine.pair_trade ADD COLUMN entry_cost double precision`.execute(db);
}
