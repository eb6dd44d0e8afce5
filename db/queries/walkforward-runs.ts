import { sql } from 'kysely';
import type { Db } from '../connection';
import type { WalkforwardRunRow } from '../schema';

/** Reads and the one write behind POST /walkforward, GET /walkforward/history and GET /walkforward/{run_id}. */

export interface StoredCloses {
  symbols: string[];
  /** Bar times (epoch ms) every listed symbol has, oldest first. */
  timestamps: Float64Array;
  /** closes[k][t]: symbol k at timestamps[t]. */
  closes: Float64Array[];
}

/** Symbols with at least one bar in market_data, in name order. */
export async function storedSymbols(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('strategy_engine.market_data').select('symbol').distinct().orderBy('symbol').execute();
  return rows.map((r) => r.symbol);
}

/**
 * Closes of `symbols` (distinct) in [start, endExclusive) on the bar times they all share (a bar missing for one symbol
 * drops that time for all), oldest first. One statement.
 */
export async function loadStoredCloses(db: Db, symbols: string[], start: Date | null, endExclusive: Date | null): Promise<StoredCloses> {
  const { rows } = await sql<{ symbol: string; ts: Date; close: number }>`
    WITH s AS (
      SELECT symbol, ts, close FROM strategy_engine.market_data
      WHERE symbol = ANY(${symbols}::text[])
        AND (${start}::timestamptz IS NULL OR ts >= ${start}::timestamptz)
        AND (${endExclusive}::timestamptz IS NULL OR ts < ${endExclusive}::timestamptz)),
    common AS (SELECT ts FROM s GROUP BY ts HAVING count(*) = ${symbols.length})
    SELECT s.symbol, s.ts, s.close FROM s JOIN common USING (ts) ORDER BY s.ts, s.symbol`.execute(db);
  // Columns keep the order of `symbols` (discovery's symbol1 is the earlier column of a pair).
  const column = new Map(symbols.map((s, k) => [s, k]));
  const nBars = rows.length / Math.max(1, symbols.length);
  const timestamps = new Float64Array(nBars);
  const closes = symbols.map(() => new Float64Array(nBars));
  for (let r = 0; r < rows.length; r++) {
    const t = Math.floor(r / symbols.length);
    if (r % symbols.length === 0) timestamps[t] = new Date(rows[r].ts).getTime();
    closes[column.get(rows[r].symbol)!][t] = rows[r].close;
  }
  return { symbols: [...symbols], timestamps, closes };
}

/** A run to store: the row without its generated columns, the JSON columns as values (encoded here). */
export type WalkForwardRunInsert = Omit<WalkforwardRunRow, 'id' | 'run_date'>;

export async function insertWalkForwardRun(db: Db, run: WalkForwardRunInsert): Promise<number> {
  const row = await db
    .insertInto('strategy_engine.walkforward_run')
    .values({
      ...run,
      symbols: JSON.stringify(run.symbols),
      params: JSON.stringify(run.params),
      windows: JSON.stringify(run.windows),
      statistics: JSON.stringify(run.statistics),
      equity_curve: JSON.stringify(run.equity_curve),
      drawdown_curve: JSON.stringify(run.drawdown_curve),
      trade_log: JSON.stringify(run.trade_log),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A history row: the run's scalar columns, times as ISO strings and the number of symbols. */
export type WalkForwardRunSummary = Pick<
  WalkforwardRunRow,
  | 'id'
  | 'source'
  | 'window_count'
  | 'total_return'
  | 'sharpe_ratio'
  | 'max_drawdown'
  | 'win_rate'
  | 'total_trades'
  | 'passed_gate'
  | 'deflated_sharpe'
  | 'pbo'
> & { run_date: string; start_time: string; end_time: string; symbols: number };

const ISO = (column: string) => sql<string>`to_char(${sql.ref(column)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')`;

/** Newest first, without the curves, windows and trade logs. */
export async function listWalkForwardRuns(db: Db, limit: number): Promise<WalkForwardRunSummary[]> {
  return db
    .selectFrom('strategy_engine.walkforward_run')
    .select([
      'id',
      ISO('run_date').as('run_date'),
      'source',
      ISO('start_time').as('start_time'),
      ISO('end_time').as('end_time'),
      sql<number>`jsonb_array_length(symbols)`.as('symbols'),
      'window_count',
      'total_return',
      'sharpe_ratio',
      'max_drawdown',
      'win_rate',
      'total_trades',
      'passed_gate',
      'deflated_sharpe',
      'pbo',
    ])
    .orderBy('run_date', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** The stored run in the shape POST /walkforward answered it (plus run_date); null when there is no such run. */
export async function getWalkForwardRun(db: Db, id: number): Promise<Record<string, unknown> | null> {
  const row = await db.selectFrom('strategy_engine.walkforward_run').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  const statistics = row.statistics;
  return {
    run_id: row.id,
    run_date: new Date(row.run_date as unknown as Date).toISOString(),
    source: row.source,
    symbols: row.symbols,
    params: row.params,
    windows: row.windows,
    metrics: statistics.metrics,
    equity_curve: row.equity_curve,
    drawdown_curve: row.drawdown_curve,
    trade_log: row.trade_log,
    deflated_sharpe: statistics.deflated_sharpe,
    overfitting: statistics.overfitting,
    configurations: statistics.configurations,
    configurations_evaluated: statistics.configurations_evaluated,
    // Runs stored before the walk-forward applied the risk rules have none.
    risk_refusals: statistics.risk_refusals ?? {},
  };
}
