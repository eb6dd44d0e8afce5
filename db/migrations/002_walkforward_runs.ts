import { sql, type Kysely } from 'kysely';

/**
 * walkforward_run: walk-forward portfolio backtests (POST /walkforward), beside backtest_run. One row per run:
 * the out-of-sample period and metrics, the gate verdict, the deflated Sharpe ratio and the probability of
 * backtest overfitting as columns (for listing), and the per-window table, curves, trade log and statistics
 * as JSONB.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema.withSchema('strategy_engine');
  await s
    .createTable('walkforward_run')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('run_date', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('start_time', 'timestamptz', (c) => c.notNull())
    .addColumn('end_time', 'timestamptz', (c) => c.notNull())
    .addColumn('symbols', 'jsonb', (c) => c.notNull())
    .addColumn('params', 'jsonb', (c) => c.notNull())
    .addColumn('window_count', 'integer', (c) => c.notNull())
    .addColumn('total_return', 'double precision', (c) => c.notNull())
    .addColumn('annualized_return', 'double precision')
    .addColumn('sharpe_ratio', 'double precision', (c) => c.notNull())
    .addColumn('max_drawdown', 'double precision', (c) => c.notNull())
    .addColumn('win_rate', 'double precision', (c) => c.notNull())
    .addColumn('profit_factor', 'double precision')
    .addColumn('total_trades', 'integer', (c) => c.notNull())
    .addColumn('passed_gate', 'boolean', (c) => c.notNull())
    .addColumn('deflated_sharpe', 'double precision')
    .addColumn('pbo', 'double precision')
    .addColumn('windows', 'jsonb', (c) => c.notNull())
    .addColumn('statistics', 'jsonb', (c) => c.notNull())
    .addColumn('equity_curve', 'jsonb', (c) => c.notNull())
    .addColumn('drawdown_curve', 'jsonb', (c) => c.notNull())
    .addColumn('trade_log', 'jsonb', (c) => c.notNull())
    .addCheckConstraint('walkforward_run_period_check', sql`end_time >= start_time`)
    .addCheckConstraint('walkforward_run_pbo_range', sql`pbo IS NULL OR (pbo >= 0 AND pbo <= 1)`)
    .execute();
  await s.createIndex('walkforward_run_date_idx').on('walkforward_run').column('run_date desc').execute();
}
