import { sql, type Kysely } from 'kysely';

/** The spec's six tables plus market_data and strategy_state, in schema strategy_engine. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS strategy_engine`.execute(db);
  const s = db.schema.withSchema('strategy_engine');

  await s
    .createTable('pair_registry')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('symbol1', 'text', (c) => c.notNull())
    .addColumn('symbol2', 'text', (c) => c.notNull())
    .addColumn('hedge_ratio', 'double precision', (c) => c.notNull())
    .addColumn('hedge_alpha', 'double precision', (c) => c.notNull())
    .addColumn('half_life', 'double precision')
    .addColumn('cointegration_pvalue', 'double precision', (c) => c.notNull())
    .addColumn('cointegration_stat', 'double precision', (c) => c.notNull())
    .addColumn('correlation', 'double precision', (c) => c.notNull())
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('rank', 'integer')
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('entry_threshold', 'double precision')
    .addColumn('exit_threshold', 'double precision')
    .addColumn('stop_loss_threshold', 'double precision')
    .addColumn('discovered_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('pair_registry_symbols_key', ['symbol1', 'symbol2'])
    .addCheckConstraint('pair_registry_distinct_symbols', sql`symbol1 <> symbol2`)
    .addCheckConstraint('pair_registry_pvalue_range', sql`cointegration_pvalue >= 0 AND cointegration_pvalue <= 1`)
    .execute();
  await s.createIndex('pair_registry_active_idx').on('pair_registry').column('is_active').execute();

  await s
    .createTable('pair_spread')
    .addColumn('pair_id', 'integer', (c) => c.notNull().references('strategy_engine.pair_registry.id').onDelete('cascade'))
    .addColumn('ts', 'timestamptz', (c) => c.notNull())
    .addColumn('price1', 'double precision', (c) => c.notNull())
    .addColumn('price2', 'double precision', (c) => c.notNull())
    .addColumn('hedge_ratio', 'double precision', (c) => c.notNull())
    .addColumn('spread', 'double precision', (c) => c.notNull())
    .addColumn('rolling_mean', 'double precision')
    .addColumn('rolling_std', 'double precision')
    .addColumn('z_score', 'double precision')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('pair_spread_pkey', ['pair_id', 'ts'])
    .execute();

  await s
    .createTable('pair_trade')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('pair_id', 'integer', (c) => c.notNull().references('strategy_engine.pair_registry.id').onDelete('restrict'))
    .addColumn('entry_signal_id', 'integer', (c) => c.unique())
    .addColumn('workflow_id', 'text', (c) => c.unique())
    .addColumn('side', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('entry_time', 'timestamptz')
    .addColumn('entry_z_score', 'double precision')
    .addColumn('qty1', 'integer')
    .addColumn('qty2', 'integer')
    .addColumn('entry_price1', 'double precision')
    .addColumn('entry_price2', 'double precision')
    .addColumn('exit_time', 'timestamptz')
    .addColumn('exit_z_score', 'double precision')
    .addColumn('exit_price1', 'double precision')
    .addColumn('exit_price2', 'double precision')
    .addColumn('exit_reason', 'text')
    .addColumn('pnl', 'double precision')
    .addColumn('hold_hours', 'double precision')
    .addColumn('failure_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('pair_trade_side_check', sql`side IN ('LONG_SPREAD', 'SHORT_SPREAD')`)
    .addCheckConstraint('pair_trade_status_check', sql`status IN ('PENDING', 'OPEN', 'CLOSING', 'CLOSED', 'FAILED')`)
    .addCheckConstraint('pair_trade_qty_check', sql`(qty1 IS NULL OR qty1 >= 0) AND (qty2 IS NULL OR qty2 >= 0)`)
    .execute();
  // At most one live trade per pair: PENDING, OPEN and CLOSING all hold (or are about to hold) positions.
  await sql`CREATE UNIQUE INDEX pair_trade_one_live_per_pair ON strategy_engine.pair_trade (pair_id)
            WHERE status IN ('PENDING', 'OPEN', 'CLOSING')`.execute(db);
  await s.createIndex('pair_trade_status_idx').on('pair_trade').columns(['status', 'pair_id']).execute();
  await s.createIndex('pair_trade_exit_time_idx').on('pair_trade').column('exit_time').execute();

  await s
    .createTable('pair_signal')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('pair_id', 'integer', (c) => c.notNull().references('strategy_engine.pair_registry.id').onDelete('cascade'))
    .addColumn('ts', 'timestamptz', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('z_score', 'double precision')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('inputs', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('trade_id', 'integer', (c) => c.references('strategy_engine.pair_trade.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('pair_signal_pair_ts_type_key', ['pair_id', 'ts', 'type'])
    .addCheckConstraint('pair_signal_type_check', sql`type IN ('LONG_SPREAD', 'SHORT_SPREAD', 'EXIT', 'STOP_LOSS', 'EXPIRE', 'SKIPPED')`)
    .execute();
  await s.createIndex('pair_signal_pair_ts_idx').on('pair_signal').columns(['pair_id', 'ts desc']).execute();
  await sql`ALTER TABLE strategy_engine.pair_trade ADD CONSTRAINT pair_trade_entry_signal_fkey
            FOREIGN KEY (entry_signal_id) REFERENCES strategy_engine.pair_signal (id) ON DELETE SET NULL`.execute(db);

  await s
    .createTable('pair_performance')
    .addColumn('pair_id', 'integer', (c) => c.notNull().references('strategy_engine.pair_registry.id').onDelete('cascade'))
    .addColumn('date', 'date', (c) => c.notNull())
    .addColumn('realized_pnl', 'double precision', (c) => c.notNull())
    .addColumn('cumulative_pnl', 'double precision', (c) => c.notNull())
    .addColumn('trades_closed', 'integer', (c) => c.notNull())
    .addColumn('wins', 'integer', (c) => c.notNull())
    .addColumn('losses', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('pair_performance_pkey', ['pair_id', 'date'])
    .addCheckConstraint('pair_performance_counts_check', sql`trades_closed >= 0 AND wins >= 0 AND losses >= 0 AND wins + losses <= trades_closed`)
    .execute();

  await s
    .createTable('backtest_run')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('pair_id', 'integer', (c) => c.notNull().references('strategy_engine.pair_registry.id').onDelete('cascade'))
    .addColumn('run_date', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('start_date', 'date', (c) => c.notNull())
    .addColumn('end_date', 'date', (c) => c.notNull())
    .addColumn('params', 'jsonb', (c) => c.notNull())
    .addColumn('total_return', 'double precision', (c) => c.notNull())
    .addColumn('annualized_return', 'double precision', (c) => c.notNull())
    .addColumn('sharpe_ratio', 'double precision', (c) => c.notNull())
    .addColumn('max_drawdown', 'double precision', (c) => c.notNull())
    .addColumn('win_rate', 'double precision', (c) => c.notNull())
    .addColumn('profit_factor', 'double precision')
    .addColumn('total_trades', 'integer', (c) => c.notNull())
    .addColumn('avg_hold_time_hours', 'double precision', (c) => c.notNull())
    .addColumn('kelly_fraction', 'double precision')
    .addColumn('passed_gate', 'boolean', (c) => c.notNull())
    .addColumn('equity_curve', 'jsonb', (c) => c.notNull())
    .addColumn('trade_log', 'jsonb', (c) => c.notNull())
    .addCheckConstraint('backtest_run_dates_check', sql`end_date >= start_date`)
    .execute();
  await s.createIndex('backtest_run_pair_idx').on('backtest_run').columns(['pair_id', 'run_date desc']).execute();

  await s
    .createTable('market_data')
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('ts', 'timestamptz', (c) => c.notNull())
    .addColumn('open', 'double precision', (c) => c.notNull())
    .addColumn('high', 'double precision', (c) => c.notNull())
    .addColumn('low', 'double precision', (c) => c.notNull())
    .addColumn('close', 'double precision', (c) => c.notNull())
    .addColumn('volume', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('market_data_pkey', ['symbol', 'ts'])
    .addCheckConstraint('market_data_positive_prices', sql`open > 0 AND high > 0 AND low > 0 AND close > 0 AND volume >= 0`)
    .execute();

  await s
    .createTable('strategy_state')
    .addColumn('id', 'integer', (c) => c.primaryKey().defaultTo(1))
    .addColumn('is_active', 'boolean', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('last_update', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('strategy_state_singleton', sql`id = 1`)
    .addCheckConstraint('strategy_state_mode_check', sql`mode IN ('simulator', 'paper')`)
    .execute();
  await sql`INSERT INTO strategy_engine.strategy_state (id, is_active, mode) VALUES (1, true, 'simulator')
            ON CONFLICT (id) DO NOTHING`.execute(db);
}
