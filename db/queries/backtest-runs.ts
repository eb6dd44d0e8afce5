import { sql, type Insertable } from 'kysely';
import type { Db } from '../connection';
import type { BacktestRunTable } from '../schema';

/** Reads and the one write behind POST /backtest and GET /backtest/history. */

export interface AlignedBars {
  ts: Float64Array;
  price1: Float64Array;
  price2: Float64Array;
  /** Bars before `start` (the formation window), at most `formationBars`. */
  formationCount: number;
}

/**
 * Hourly closes of both symbols on the bars they share: up to `formationBars` bars before `start` (for the
 * hedge-ratio fit, no look-ahead) and every bar in [start, endExclusive), oldest first. One statement.
 */
export async function loadAlignedBars(
  db: Db,
  symbol1: string,
  symbol2: string,
  start: Date,
  endExclusive: Date,
  formationBars: number,
): Promise<AlignedBars> {
  const { rows } = await sql<{ ts: Date; p1: number; p2: number; formation: boolean }>`
    WITH joined AS (
      SELECT a.ts, a.close AS p1, b.close AS p2
      FROM strategy_engine.market_data a
      JOIN strategy_engine.market_data b ON b.symbol = ${symbol2} AND b.ts = a.ts
      WHERE a.symbol = ${symbol1} AND a.ts < ${endExclusive})
    SELECT ts, p1, p2, formation FROM (
      (SELECT ts, p1, p2, true AS formation FROM joined WHERE ts < ${start} ORDER BY ts DESC LIMIT ${formationBars})
      UNION ALL
      (SELECT ts, p1, p2, false AS formation FROM joined WHERE ts >= ${start})
    ) u ORDER BY ts`.execute(db);
  const n = rows.length;
  const bars: AlignedBars = { ts: new Float64Array(n), price1: new Float64Array(n), price2: new Float64Array(n), formationCount: 0 };
  for (let i = 0; i < n; i++) {
    bars.ts[i] = new Date(rows[i].ts).getTime();
    bars.price1[i] = rows[i].p1;
    bars.price2[i] = rows[i].p2;
    if (rows[i].formation) bars.formationCount++;
  }
  return bars;
}

/** First and last bar time (epoch ms) both symbols share, and how many; count 0 when none. */
export async function sharedBarRange(db: Db, symbol1: string, symbol2: string): Promise<{ first: number; last: number; count: number }> {
  const { rows } = await sql<{ first: Date | null; last: Date | null; count: number }>`
    SELECT min(a.ts) AS first, max(a.ts) AS last, count(*)::int AS count
    FROM strategy_engine.market_data a
    JOIN strategy_engine.market_data b ON b.symbol = ${symbol2} AND b.ts = a.ts
    WHERE a.symbol = ${symbol1}`.execute(db);
  const row = rows[0];
  return { first: row?.first ? new Date(row.first).getTime() : NaN, last: row?.last ? new Date(row.last).getTime() : NaN, count: row?.count ?? 0 };
}

/** A backtest_run row as the API stores it; JSON columns as values (serialised here). */
export type BacktestRunInsert = Omit<Insertable<BacktestRunTable>, 'id' | 'run_date' | 'params' | 'equity_curve' | 'trade_log'> & {
  params: Record<string, unknown>;
  equity_curve: unknown[];
  trade_log: unknown[];
};

export async function insertBacktestRun(db: Db, run: BacktestRunInsert): Promise<number> {
  const row = await db
    .insertInto('strategy_engine.backtest_run')
    .values({
      ...run,
      params: JSON.stringify(run.params),
      equity_curve: JSON.stringify(run.equity_curve),
      trade_log: JSON.stringify(run.trade_log),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface BacktestRunSummaryRow {
  id: number;
  pair_id: number;
  run_date: string;
  start_date: string;
  end_date: string;
  sharpe_ratio: number;
  max_drawdown: number;
  win_rate: number;
  total_trades: number;
  passed_gate: boolean;
}

/** Newest first, without the (large) equity curves and trade logs; run_date is the UTC date of the run. */
export async function listBacktestRuns(db: Db, pairId: number | undefined, limit: number): Promise<BacktestRunSummaryRow[]> {
  let query = db
    .selectFrom('strategy_engine.backtest_run')
    .select([
      'id',
      'pair_id',
      sql<string>`to_char(run_date AT TIME ZONE 'UTC', 'YYYY-MM-DD')`.as('run_date'),
      'start_date',
      'end_date',
      'sharpe_ratio',
      'max_drawdown',
      'win_rate',
      'total_trades',
      'passed_gate',
    ])
    .orderBy('run_date', 'desc')
    .orderBy('id', 'desc')
    .limit(limit);
  if (pairId !== undefined) query = query.where('pair_id', '=', pairId);
  return query.execute();
}
