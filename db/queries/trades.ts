import { sql, type Transaction } from 'kysely';
import { NOW } from './now';
import type { Db } from '../connection';
import type { Database, TradeRow, TradeSide, TradeStatus } from '../schema';
import { addClosedTradeToPerformance } from './performance';
import { LIVE_TRADE_STATUSES } from '../../strategy/trade-status';

export interface LiveTrade {
  id: number;
  pair_id: number;
  side: TradeSide;
  status: TradeStatus;
  workflow_id: string | null;
  entry_time: Date | null;
  entry_z_score: number | null;
  qty1: number | null;
  qty2: number | null;
  symbol1: string;
  symbol2: string;
}

/** PENDING, OPEN and CLOSING trades with their pair's symbols (at most one per pair). */
export async function listLiveTrades(db: Db): Promise<LiveTrade[]> {
  return db
    .selectFrom('strategy_engine.pair_trade as t')
    .innerJoin('strategy_engine.pair_registry as p', 'p.id', 't.pair_id')
    .select([
      't.id',
      't.pair_id',
      't.side',
      't.status',
      't.workflow_id',
      't.entry_time',
      't.entry_z_score',
      't.qty1',
      't.qty2',
      'p.symbol1',
      'p.symbol2',
    ])
    .where('t.status', 'in', LIVE_TRADE_STATUSES)
    .orderBy('t.id')
    .execute();
}

export async function getTrade(db: Db, tradeId: number): Promise<TradeRow | undefined> {
  return db.selectFrom('strategy_engine.pair_trade').selectAll().where('id', '=', tradeId).executeTakeFirst();
}

export async function getTradesByIds(db: Db, ids: number[]): Promise<TradeRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('strategy_engine.pair_trade').selectAll().where('id', 'in', ids).execute();
}

export type PendingTradeResult =
  | { created: true; trade: TradeRow }
  | { created: false; trade: TradeRow }
  | { created: false; trade: null; blockedBy: number | null; inactive?: true };

/**
 * Creates the PENDING trade of an entry signal, keyed by entry_signal_id: a retry returns the row the first
 * attempt made. When the pair already has another live trade nothing is created (`trade: null`).
 * The workflow id is written in the same transaction, derived from the new trade id.
 */
export async function createPendingTrade(
  db: Db,
  input: { pairId: number; entrySignalId: number; side: TradeSide; entryZ: number | null },
  workflowIdOf: (pairId: number, tradeId: number) => string,
): Promise<PendingTradeResult> {
  return db.transaction().execute(async (trx) => {
    // Fail closed: no trade is created unless the strategy is active. FOR SHARE orders this against the emergency
    // stop's update of the row, so a stop that has listed the live trades sees every trade created before it.
    const state = await trx.selectFrom('strategy_engine.strategy_state').select('is_active').where('id', '=', 1).forShare().executeTakeFirst();
    if (state?.is_active !== true) return { created: false, trade: null, blockedBy: null, inactive: true };
    const inserted = await trx
      .insertInto('strategy_engine.pair_trade')
      .values({ pair_id: input.pairId, entry_signal_id: input.entrySignalId, side: input.side, status: 'PENDING', entry_z_score: input.entryZ })
      // No target: covers both entry_signal_id and the one-live-trade-per-pair partial index.
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) {
      const trade = await trx
        .updateTable('strategy_engine.pair_trade')
        .set({ workflow_id: workflowIdOf(input.pairId, inserted.id) })
        .where('id', '=', inserted.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx.updateTable('strategy_engine.pair_signal').set({ trade_id: trade.id }).where('id', '=', input.entrySignalId).execute();
      return { created: true, trade };
    }
    const existing = await trx
      .selectFrom('strategy_engine.pair_trade')
      .selectAll()
      .where('entry_signal_id', '=', input.entrySignalId)
      .executeTakeFirst();
    if (existing) return { created: false, trade: existing };
    const live = await trx
      .selectFrom('strategy_engine.pair_trade')
      .select('id')
      .where('pair_id', '=', input.pairId)
      .where('status', 'in', LIVE_TRADE_STATUSES)
      .executeTakeFirst();
    return { created: false, trade: null, blockedBy: live?.id ?? null };
  });
}

export interface OpenFill {
  qty1: number;
  qty2: number;
  price1: number;
  price2: number;
  entryTime: Date;
}

/** PENDING → OPEN with the entry fills. Repeating it with the same fills changes nothing. */
export async function markTradeOpen(db: Db, tradeId: number, fill: OpenFill): Promise<TradeRow> {
  return db
    .updateTable('strategy_engine.pair_trade')
    .set({
      status: 'OPEN',
      qty1: fill.qty1,
      qty2: fill.qty2,
      entry_price1: fill.price1,
      entry_price2: fill.price2,
      entry_time: fill.entryTime,
      updated_at: NOW,
    })
    .where('id', '=', tradeId)
    .where('status', 'in', ['PENDING', 'OPEN'])
    .returningAll()
    .executeTakeFirstOrThrow(() => new Error(`trade ${tradeId} is not PENDING or OPEN`));
}

export async function markTradeClosing(db: Db, tradeId: number, exitReason: string): Promise<void> {
  await db
    .updateTable('strategy_engine.pair_trade')
    .set({ status: 'CLOSING', exit_reason: exitReason, updated_at: NOW })
    .where('id', '=', tradeId)
    .where('status', '=', 'OPEN')
    .execute();
}

/**
 * A live trade whose exit or compensation could not complete yet → NEEDS_ATTENTION with the reason; the first
 * time is kept in attention_since. Repeating it only refreshes the reason.
 */
export async function markTradeAttention(db: Db, tradeId: number, reason: string): Promise<void> {
  await db
    .updateTable('strategy_engine.pair_trade')
    .set({ status: 'NEEDS_ATTENTION', attention_reason: reason, attention_since: sql<never>`COALESCE(attention_since, now())`, updated_at: NOW })
    .where('id', '=', tradeId)
    .where('status', 'in', LIVE_TRADE_STATUSES)
    .execute();
}

/** Any live status → FAILED with a reason; a trade already CLOSED or FAILED is left as it is. */
export async function markTradeFailed(db: Db, tradeId: number, reason: string): Promise<TradeRow> {
  await db
    .updateTable('strategy_engine.pair_trade')
    .set({ status: 'FAILED', failure_reason: reason, updated_at: NOW })
    .where('id', '=', tradeId)
    .where('status', 'in', LIVE_TRADE_STATUSES)
    .execute();
  return db.selectFrom('strategy_engine.pair_trade').selectAll().where('id', '=', tradeId).executeTakeFirstOrThrow();
}

export interface CloseFill {
  price1: number;
  price2: number;
  exitTime: Date;
  exitZ: number | null;
  exitReason: string;
  pnl: number;
  holdHours: number;
}

/**
 * OPEN/CLOSING → CLOSED with exit prices and P&L, and the day's pair_performance row updated, in one
 * transaction. The status guard makes it idempotent: a retry after a lost reply returns the stored row and
 * does not count the trade twice.
 */
export async function markTradeClosed(db: Db, tradeId: number, fill: CloseFill): Promise<TradeRow> {
  return db.transaction().execute(async (trx: Transaction<Database>) => {
    const closed = await trx
      .updateTable('strategy_engine.pair_trade')
      .set({
        status: 'CLOSED',
        exit_price1: fill.price1,
        exit_price2: fill.price2,
        exit_time: fill.exitTime,
        exit_z_score: fill.exitZ,
        exit_reason: fill.exitReason,
        pnl: fill.pnl,
        hold_hours: fill.holdHours,
        updated_at: NOW,
      })
      .where('id', '=', tradeId)
      .where('status', 'in', ['OPEN', 'CLOSING', 'NEEDS_ATTENTION'])
      .returningAll()
      .executeTakeFirst();
    if (!closed) {
      return trx.selectFrom('strategy_engine.pair_trade').selectAll().where('id', '=', tradeId).executeTakeFirstOrThrow();
    }
    await addClosedTradeToPerformance(trx, closed.pair_id, fill.exitTime, fill.pnl);
    return closed;
  });
}
