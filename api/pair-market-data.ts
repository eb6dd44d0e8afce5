import { latestBarTimes } from '../db/queries/market-data';
import { getPair } from '../db/queries/pairs';
import { tradeMarketData } from '../db/queries/trade-market-data';
import { HOUR_MS } from '../strategy/time-units';
import type { ApiContext } from './context';
import { isoUtc } from './format';
import type { EntryStatsView, MarketDataView } from './schemas';

/**
 * The pair's market-data state for GET /{id}/details: its latest bar shared by both symbols' stores, whether that is
 * older than max_bar_age_hours on the broker's clock (stale: entries wait, an open trade is guarded by its stop on
 * latest trade prices and by EXPIRE), and the open trade's market-data issue (halted, delisted, inactive).
 */
export async function pairMarketData(
  ctx: ApiContext,
  pairId: number,
  tradeId: number | null,
): Promise<{ market_data: MarketDataView; entry_stats: EntryStatsView | null }> {
  const [pair, config, nowMs, trade] = await Promise.all([
    getPair(ctx.db, pairId),
    ctx.config.get(),
    ctx.marketNow(),
    tradeId === null ? Promise.resolve(undefined) : tradeMarketData(ctx.db, tradeId),
  ]);
  const latest = pair ? await latestBarTimes(ctx.db, [pair.symbol1, pair.symbol2]) : new Map<string, Date>();
  const times = pair ? [latest.get(pair.symbol1), latest.get(pair.symbol2)] : [];
  const latestBar = times.every((t) => t !== undefined) && times.length ? new Date(Math.min(...times.map((t) => t.getTime()))) : null;
  const ageHours = latestBar === null ? null : (nowMs - latestBar.getTime()) / HOUR_MS;
  return {
    market_data: {
      latest_bar: isoUtc(latestBar),
      bar_age_hours: ageHours,
      max_bar_age_hours: config.max_bar_age_hours,
      stale: ageHours === null || ageHours > config.max_bar_age_hours,
      trade_issue: trade?.market_data_issue ?? null,
      trade_issue_since: isoUtc(trade?.market_data_issue_since ?? null),
    },
    entry_stats:
      trade && trade.entry_hedge_ratio !== null
        ? {
            hedge_ratio: trade.entry_hedge_ratio,
            half_life: trade.entry_half_life,
            spread_mean: trade.entry_spread_mean,
            spread_std: trade.entry_spread_std,
          }
        : null,
  };
}
