import { sql } from 'kysely';
import type { Db } from '../connection';
import type { TradeEntryStats } from '../../strategy/trade-entry-stats';
import { LIVE_TRADE_STATUSES } from '../../strategy/trade-status';
import { NOW } from './now';

/** Stores the statistics a trade entered with, once (a retried routing step leaves them as first written). */
export async function recordEntryStats(db: Db, tradeId: number, stats: TradeEntryStats): Promise<void> {
  await db
    .updateTable('strategy_engine.pair_trade')
    .set({
      entry_hedge_ratio: stats.hedgeRatio,
      entry_half_life: stats.halfLife,
      entry_spread_mean: stats.spreadMean,
      entry_spread_std: stats.spreadStd,
    })
    .where('id', '=', tradeId)
    .where('entry_hedge_ratio', 'is', null)
    .execute();
}

/** Entry statistics of these trades; trades without them (entered before migration 005) are absent. */
export async function entryStatsOf(db: Db, tradeIds: number[]): Promise<Map<number, TradeEntryStats>> {
  if (tradeIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('strategy_engine.pair_trade')
    .select(['id', 'entry_hedge_ratio', 'entry_half_life', 'entry_spread_mean', 'entry_spread_std'])
    .where('id', 'in', tradeIds)
    .execute();
  const out = new Map<number, TradeEntryStats>();
  for (const r of rows) {
    if (r.entry_hedge_ratio === null || r.entry_spread_mean === null || r.entry_spread_std === null) continue;
    out.set(r.id, { hedgeRatio: r.entry_hedge_ratio, halfLife: r.entry_half_life, spreadMean: r.entry_spread_mean, spreadStd: r.entry_spread_std });
  }
  return out;
}

/**
 * Sets (or clears, with null) each live trade's market-data issue; `market_data_issue_since` keeps the time the
 * current issue was first seen.
 */
export async function setMarketDataIssues(db: Db, issues: Map<number, string | null>): Promise<void> {
  for (const [tradeId, issue] of issues) {
    await db
      .updateTable('strategy_engine.pair_trade')
      .set({
        market_data_issue: issue,
        market_data_issue_since: issue === null ? null : sql<never>`coalesce(market_data_issue_since, ${NOW})`,
      })
      .where('id', '=', tradeId)
      .where('status', 'in', LIVE_TRADE_STATUSES)
      .where(sql<boolean>`market_data_issue IS DISTINCT FROM ${issue}`)
      .execute();
  }
}

/** Live trades whose market data cannot be trusted now, for the API, the page and the metric. */
export async function tradesWithMarketDataIssues(db: Db): Promise<Array<{ id: number; pair_id: number; issue: string; since: Date | null }>> {
  const rows = await db
    .selectFrom('strategy_engine.pair_trade')
    .select(['id', 'pair_id', 'market_data_issue', 'market_data_issue_since'])
    .where('status', 'in', LIVE_TRADE_STATUSES)
    .where('market_data_issue', 'is not', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    pair_id: r.pair_id,
    issue: r.market_data_issue!,
    since: r.market_data_issue_since === null ? null : new Date(r.market_data_issue_since),
  }));
}

export interface TradeMarketDataRow {
  entry_hedge_ratio: number | null;
  entry_half_life: number | null;
  entry_spread_mean: number | null;
  entry_spread_std: number | null;
  market_data_issue: string | null;
  market_data_issue_since: Date | null;
}

/** A trade's entry statistics and market-data issue. */
export async function tradeMarketData(db: Db, tradeId: number): Promise<TradeMarketDataRow | undefined> {
  const row = await db
    .selectFrom('strategy_engine.pair_trade')
    .select(['entry_hedge_ratio', 'entry_half_life', 'entry_spread_mean', 'entry_spread_std', 'market_data_issue', 'market_data_issue_since'])
    .where('id', '=', tradeId)
    .executeTakeFirst();
  return row && { ...row, market_data_issue_since: row.market_data_issue_since === null ? null : new Date(row.market_data_issue_since) };
}
