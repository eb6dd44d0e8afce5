import { sql, type ExpressionBuilder } from 'kysely';
import type { RetestedStats } from '../../strategy/retested-stats';
import { LIVE_TRADE_STATUSES } from '../../strategy/trade-status';
import type { Db } from '../connection';
import type { Database, PairRow } from '../schema';
import { NOW } from './now';

/** Registered pairs with status ACTIVE (tradable, or retiring while their trade is live), by id. */
export async function listRegisteredActivePairs(db: Db): Promise<PairRow[]> {
  return db.selectFrom('strategy_engine.pair_registry').selectAll().where('status', '=', 'ACTIVE').orderBy('id').execute();
}

export async function listRegisteredPairs(db: Db): Promise<PairRow[]> {
  return db.selectFrom('strategy_engine.pair_registry').selectAll().orderBy('id').execute();
}

/** The live trade (PENDING, OPEN, CLOSING) of each pair that has one. */
export async function liveTradeByPair(db: Db): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('strategy_engine.pair_trade')
    .select(['id', 'pair_id'])
    .where('status', 'in', [...LIVE_TRADE_STATUSES])
    .execute();
  return new Map(rows.map((r) => [r.pair_id, r.id]));
}

/** Where-clause: the registry pair has no live trade (PENDING, OPEN, CLOSING). */
export function hasNoLiveTrade(eb: ExpressionBuilder<Database, 'strategy_engine.pair_registry'>) {
  return eb.not(
    eb.exists(
      eb
        .selectFrom('strategy_engine.pair_trade')
        .select('id')
        .whereRef('strategy_engine.pair_trade.pair_id', '=', 'strategy_engine.pair_registry.id')
        .where('strategy_engine.pair_trade.status', 'in', [...LIVE_TRADE_STATUSES]),
    ),
  );
}

/** The registry columns every retirement sets (with its reason and updated_at). */
const RETIRED_NOW = { status: 'RETIRED', is_active: false, rank: null, retired_at: NOW } as const;

export type { RetestedStats };

/** A registered pair passed its re-test: fresh stats (the hedge ratio only when no trade is live on the old one). */
export async function recordPassedRetest(db: Db, pairId: number, s: RetestedStats, updateHedge: boolean): Promise<void> {
  await db
    .updateTable('strategy_engine.pair_registry')
    .set({
      cointegration_pvalue: s.pvalue,
      cointegration_stat: s.stat,
      half_life: s.halfLife,
      correlation: s.correlation,
      score: s.score,
      ...(updateHedge ? { hedge_ratio: s.beta, hedge_alpha: s.alpha } : {}),
      retire_pending_reason: null,
      last_tested_at: NOW,
      updated_at: NOW,
    })
    .where('id', '=', pairId)
    .execute();
}

/** Retires a pair now: never traded again; its history stays. Idempotent (a RETIRED pair keeps its first reason). */
export async function retirePair(db: Db, pairId: number, reason: string): Promise<boolean> {
  const result = await db
    .updateTable('strategy_engine.pair_registry')
    .set({
      ...RETIRED_NOW,
      retire_reason: reason,
      retire_pending_reason: null,
      last_tested_at: NOW,
      updated_at: NOW,
    })
    .where('id', '=', pairId)
    .where('status', '=', 'ACTIVE')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Marks a pair to retire once its live trade closes; it takes no new entry meanwhile. */
export async function markRetiring(db: Db, pairId: number, reason: string): Promise<void> {
  await db
    .updateTable('strategy_engine.pair_registry')
    .set({ retire_pending_reason: reason, last_tested_at: NOW, updated_at: NOW })
    .where('id', '=', pairId)
    .where('status', '=', 'ACTIVE')
    .execute();
}

/** Retires every retiring pair without a live trade (one statement); returns those retired and those still waiting. */
export async function retirePairsWhoseTradesClosed(db: Db): Promise<{ retired: PairRow[]; stillPending: PairRow[] }> {
  const retired = await db
    .updateTable('strategy_engine.pair_registry')
    .set({
      ...RETIRED_NOW,
      retire_reason: sql<string>`retire_pending_reason`,
      retire_pending_reason: null,
      updated_at: NOW,
    })
    .where('status', '=', 'ACTIVE')
    .where('retire_pending_reason', 'is not', null)
    .where(hasNoLiveTrade)
    .returningAll()
    .execute();
  const stillPending = await db
    .selectFrom('strategy_engine.pair_registry')
    .selectAll()
    .where('status', '=', 'ACTIVE')
    .where('retire_pending_reason', 'is not', null)
    .orderBy('id')
    .execute();
  return { retired, stillPending };
}

export interface NewPairStats extends RetestedStats {
  symbol1: string;
  symbol2: string;
  rank: number;
}

/**
 * Adds a discovered pair, or brings a RETIRED one back (ACTIVE, fresh stats); an ACTIVE pair is left as it is
 * (its re-test updated it). Upsert on (symbol1, symbol2). Returns the id when the pair was added or reactivated.
 */
export async function addDiscoveredPair(db: Db, p: NewPairStats): Promise<number | null> {
  const stats = {
    hedge_ratio: p.beta,
    hedge_alpha: p.alpha,
    half_life: p.halfLife,
    cointegration_pvalue: p.pvalue,
    cointegration_stat: p.stat,
    correlation: p.correlation,
    score: p.score,
    rank: p.rank,
  };
  const row = await db
    .insertInto('strategy_engine.pair_registry')
    .values({
      symbol1: p.symbol1,
      symbol2: p.symbol2,
      ...stats,
      is_active: true,
      entry_threshold: null,
      exit_threshold: null,
      stop_loss_threshold: null,
      status: 'ACTIVE',
      last_tested_at: NOW,
    })
    .onConflict((oc) =>
      oc
        .columns(['symbol1', 'symbol2'])
        .doUpdateSet({
          ...stats,
          is_active: true,
          status: 'ACTIVE',
          retired_at: null,
          retire_reason: null,
          retire_pending_reason: null,
          last_tested_at: NOW,
          updated_at: NOW,
        })
        .where('strategy_engine.pair_registry.status', '=', 'RETIRED'),
    )
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}
