import { sql } from 'kysely';
import type { Db } from '../connection';
import type { SignalType, TradeSide, TradeStatus } from '../schema';

/** Read queries behind the per-pair API endpoints: one statement per list, never one per pair. */

export interface ActivePairRow {
  id: number;
  symbol1: string;
  symbol2: string;
  correlation: number;
  z_score: number | null;
  price1: number | null;
  price2: number | null;
  trade_status: 'PENDING' | 'OPEN' | 'CLOSING' | 'NEEDS_ATTENTION' | null;
  attention_reason: string | null;
  side: TradeSide | null;
  qty1: number | null;
  qty2: number | null;
  entry_price1: number | null;
  entry_price2: number | null;
  entry_time: Date | null;
}

/**
 * Active pairs (registry is_active) plus any pair a live trade still holds, each with its latest spread row
 * and its live trade (PENDING, OPEN, CLOSING or NEEDS_ATTENTION), in rank order. Two lateral joins, one round trip.
 */
export async function listActivePairsWithState(db: Db): Promise<ActivePairRow[]> {
  const { rows } = await sql<ActivePairRow>`
    SELECT p.id, p.symbol1, p.symbol2, p.correlation,
           s.z_score, s.price1, s.price2,
           t.status AS trade_status, t.attention_reason, t.side, t.qty1, t.qty2, t.entry_price1, t.entry_price2, t.entry_time
    FROM strategy_engine.pair_registry p
    LEFT JOIN LATERAL (
      SELECT z_score, price1, price2 FROM strategy_engine.pair_spread
      WHERE pair_id = p.id ORDER BY ts DESC LIMIT 1) s ON true
    LEFT JOIN LATERAL (
      SELECT status, attention_reason, side, qty1, qty2, entry_price1, entry_price2, entry_time FROM strategy_engine.pair_trade
      WHERE pair_id = p.id AND status IN ('PENDING', 'OPEN', 'CLOSING', 'NEEDS_ATTENTION') ORDER BY id DESC LIMIT 1) t ON true
    WHERE p.is_active OR t.status IS NOT NULL
    ORDER BY p.rank NULLS LAST, p.id`.execute(db);
  return rows;
}

export interface PairThresholdsRow {
  id: number;
  symbol1: string;
  symbol2: string;
  entry_threshold: number | null;
  exit_threshold: number | null;
}

export async function getPairThresholds(db: Db, pairId: number): Promise<PairThresholdsRow | undefined> {
  return db
    .selectFrom('strategy_engine.pair_registry')
    .select(['id', 'symbol1', 'symbol2', 'entry_threshold', 'exit_threshold'])
    .where('id', '=', pairId)
    .executeTakeFirst();
}

/**
 * The pair's spread rows with a z-score over the `days` days up to its latest row (anchored on the data, not
 * the wall clock, so replayed and simulated sessions chart too), oldest first, as the JSON text of
 * `[{timestamp (epoch ms), z_score, spread}]`: PostgreSQL builds it, so no per-row parsing or serialising here.
 */
export async function spreadHistoryJson(db: Db, pairId: number, days: number): Promise<string> {
  const { rows } = await sql<{ history: string }>`
    SELECT COALESCE(json_agg(json_build_object(
             'timestamp', (extract(epoch FROM ts) * 1000)::bigint, 'z_score', z_score, 'spread', spread) ORDER BY ts), '[]')::text AS history
    FROM strategy_engine.pair_spread
    WHERE pair_id = ${pairId}
      AND z_score IS NOT NULL
      AND ts >= (SELECT max(ts) FROM strategy_engine.pair_spread WHERE pair_id = ${pairId}) - make_interval(days => ${days})`.execute(db);
  return rows[0]?.history ?? '[]';
}

export interface PairDetailsRow {
  id: number;
  symbol1: string;
  symbol2: string;
  hedge_ratio: number;
  half_life: number | null;
  cointegration_pvalue: number;
  correlation: number;
  trade_id: number | null;
  workflow_id: string | null;
  trade_status: TradeStatus | null;
  side: TradeSide | null;
  entry_time: Date | null;
  entry_z_score: number | null;
  qty1: number | null;
  qty2: number | null;
  entry_price1: number | null;
  entry_price2: number | null;
  signal_type: Exclude<SignalType, 'SKIPPED'> | null;
  signal_z_score: number | null;
  signal_ts: Date | null;
}

/** Registry stats, the live trade (PENDING, OPEN, CLOSING or NEEDS_ATTENTION) and the latest non-SKIPPED signal, in one statement. */
export async function getPairDetailsRow(db: Db, pairId: number): Promise<PairDetailsRow | undefined> {
  const { rows } = await sql<PairDetailsRow>`
    SELECT p.id, p.symbol1, p.symbol2, p.hedge_ratio, p.half_life, p.cointegration_pvalue, p.correlation,
           t.id AS trade_id, t.workflow_id, t.status AS trade_status, t.side, t.entry_time, t.entry_z_score,
           t.qty1, t.qty2, t.entry_price1, t.entry_price2,
           g.type AS signal_type, g.z_score AS signal_z_score, g.ts AS signal_ts
    FROM strategy_engine.pair_registry p
    LEFT JOIN LATERAL (
      SELECT * FROM strategy_engine.pair_trade
      WHERE pair_id = p.id AND status IN ('PENDING', 'OPEN', 'CLOSING', 'NEEDS_ATTENTION') ORDER BY id DESC LIMIT 1) t ON true
    LEFT JOIN LATERAL (
      SELECT type, z_score, ts FROM strategy_engine.pair_signal
      WHERE pair_id = p.id AND type <> 'SKIPPED' ORDER BY ts DESC, id DESC LIMIT 1) g ON true
    WHERE p.id = ${pairId}`.execute(db);
  return rows[0];
}

export interface LiveTradeRow {
  id: number;
  workflow_id: string | null;
  status: TradeStatus;
}

/** The pair's live trade (what POST /{id}/close acts on), or undefined when it is flat. */
export async function getLiveTrade(db: Db, pairId: number): Promise<LiveTradeRow | undefined> {
  return db
    .selectFrom('strategy_engine.pair_trade')
    .select(['id', 'workflow_id', 'status'])
    .where('pair_id', '=', pairId)
    .where('status', 'in', ['PENDING', 'OPEN', 'CLOSING', 'NEEDS_ATTENTION'])
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/** Trades a workflow still manages (PENDING, OPEN, CLOSING, NEEDS_ATTENTION). */
export async function countLiveTrades(db: Db): Promise<number> {
  const row = await db
    .selectFrom('strategy_engine.pair_trade')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', 'in', ['PENDING', 'OPEN', 'CLOSING', 'NEEDS_ATTENTION'])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
