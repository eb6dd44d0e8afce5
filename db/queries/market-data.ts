import { sql } from 'kysely';
import type { Db } from '../connection';
import type { CloseSeries } from '../../strategy/pair-evaluation';

export interface BarRow {
  symbol: string;
  ts: Date;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** 7 columns per row keeps each statement far below PostgreSQL's 65,535 bind parameters. */
const UPSERT_CHUNK = 5000;

/** Upserts bars on (symbol, ts): a re-fetched bar replaces the stored one (the last bar can still change). */
export async function upsertBars(db: Db, bars: BarRow[]): Promise<number> {
  for (let i = 0; i < bars.length; i += UPSERT_CHUNK) {
    await db
      .insertInto('strategy_engine.market_data')
      .values(bars.slice(i, i + UPSERT_CHUNK))
      .onConflict((oc) =>
        oc.columns(['symbol', 'ts']).doUpdateSet({
          open: (eb) => eb.ref('excluded.open'),
          high: (eb) => eb.ref('excluded.high'),
          low: (eb) => eb.ref('excluded.low'),
          close: (eb) => eb.ref('excluded.close'),
          volume: (eb) => eb.ref('excluded.volume'),
        }),
      )
      .execute();
  }
  return bars.length;
}

/** Latest stored bar time per symbol; symbols without bars are absent. */
export async function latestBarTimes(db: Db, symbols: string[]): Promise<Map<string, Date>> {
  if (symbols.length === 0) return new Map();
  const rows = await db
    .selectFrom('strategy_engine.market_data')
    .select(['symbol', (eb) => eb.fn.max('ts').as('ts')])
    .where('symbol', 'in', symbols)
    .groupBy('symbol')
    .execute();
  return new Map(rows.map((r) => [r.symbol, new Date(r.ts)]));
}

export type { CloseSeries };

/** The last `limit` closes of each symbol, oldest first, in one query. */
export async function recentCloses(db: Db, symbols: string[], limit: number): Promise<Map<string, CloseSeries>> {
  const out = new Map<string, CloseSeries>(symbols.map((s) => [s, { ts: [], close: [] }]));
  if (symbols.length === 0) return out;
  const { rows } = await sql<{ symbol: string; ts: Date; close: number }>`
    SELECT symbol, ts, close FROM (
      SELECT symbol, ts, close, row_number() OVER (PARTITION BY symbol ORDER BY ts DESC) AS rn
      FROM strategy_engine.market_data WHERE symbol = ANY(${symbols})
    ) recent
    WHERE rn <= ${limit}
    ORDER BY symbol, ts`.execute(db);
  for (const r of rows) {
    const series = out.get(r.symbol)!;
    series.ts.push(new Date(r.ts).getTime());
    series.close.push(r.close);
  }
  return out;
}

/** Closes of each symbol with from <= ts <= to, oldest first, in one query. */
export async function closesBetween(db: Db, symbols: string[], from: Date, to: Date): Promise<Map<string, CloseSeries>> {
  const out = new Map<string, CloseSeries>(symbols.map((s) => [s, { ts: [], close: [] }]));
  if (symbols.length === 0) return out;
  const rows = await db
    .selectFrom('strategy_engine.market_data')
    .select(['symbol', 'ts', 'close'])
    .where('symbol', 'in', symbols)
    .where('ts', '>=', from)
    .where('ts', '<=', to)
    .orderBy('symbol')
    .orderBy('ts')
    .execute();
  for (const r of rows) {
    const series = out.get(r.symbol)!;
    series.ts.push(new Date(r.ts).getTime());
    series.close.push(r.close);
  }
  return out;
}
