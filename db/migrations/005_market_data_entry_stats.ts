import { sql, type Kysely } from 'kysely';

/**
 * Issue 11 (market data as Alpaca serves it):
 * - pair_trade keeps the statistics it entered with (hedge ratio, half-life in session bars, the z-score window's
 *   mean and std at the entry bar); an open trade is evaluated with them, so re-discovery changes future trades only.
 * - pair_trade.market_data_issue: why the trade's market data cannot be trusted right now (stale bars, a halted,
 *   delisted or inactive symbol), set and cleared by each cycle; shown in the API, on the page and as a metric.
 * - corporate_action: splits seen by the engine (natural key symbol + ex_date); a new one makes the symbol's stored
 *   bars be re-read adjusted. trade_corporate_action: which split rebased which trade (idempotent rebase).
 * - pair_trade.split_cash_pnl: P&L of the fractional shares a split paid out in cash (part of the trade's P&L).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE strategy_engine.pair_trade
              ADD COLUMN entry_hedge_ratio double precision,
              ADD COLUMN entry_half_life double precision,
              ADD COLUMN entry_spread_mean double precision,
              ADD COLUMN entry_spread_std double precision,
              ADD COLUMN market_data_issue text,
              ADD COLUMN market_data_issue_since timestamptz,
              ADD COLUMN split_cash_pnl double precision NOT NULL DEFAULT 0`.execute(db);

  await db.schema
    .withSchema('strategy_engine')
    .createTable('corporate_action')
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('ex_date', 'date', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('old_rate', 'double precision', (c) => c.notNull())
    .addColumn('new_rate', 'double precision', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('corporate_action_pkey', ['symbol', 'ex_date'])
    .addCheckConstraint('corporate_action_rates_check', sql`old_rate > 0 AND new_rate > 0`)
    .execute();

  await db.schema
    .withSchema('strategy_engine')
    .createTable('trade_corporate_action')
    .addColumn('trade_id', 'integer', (c) => c.notNull().references('strategy_engine.pair_trade.id').onDelete('cascade'))
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('ex_date', 'date', (c) => c.notNull())
    .addColumn('ratio', 'double precision', (c) => c.notNull())
    .addColumn('applied_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('trade_corporate_action_pkey', ['trade_id', 'symbol', 'ex_date'])
    .execute();
}
