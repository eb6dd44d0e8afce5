import { activityLog } from './activity-log';
import type { Broker, LatestTrade } from '../broker/types';
import type { Db } from '../db/connection';
import type { CloseSeries } from '../db/queries/market-data';
import { entryStatsOf } from '../db/queries/trade-market-data';
import type { LiveTrade } from '../db/queries/trades';
import { sessionHoursBetween, sessionsFromCalendar, weekdaySessions, type Session } from '../strategy/session-calendar';
import type { LiveTradeContext } from '../strategy/trade-entry-stats';
import { HOUR_MS } from '../strategy/time-units';

/** Latest-trade age beyond which a symbol counts as not trading (halted for days, delisted). */
export const NOT_TRADING_HOURS = 24;

export interface LiveTradeContexts {
  contexts: Map<number, LiveTradeContext>;
  /** Per symbol whose bars are stale: what the broker says about it (inactive asset, no recent trade). */
  symbolIssues: Map<string, string>;
}

/**
 * What the evaluation needs about each live trade beyond the registry: entry statistics, the hold time in
 * regular-session hours (broker calendar: holidays and early closes count as they are), and, for symbols whose
 * bars are stale, the latest trade prices and whether the symbol still trades at all.
 */
export async function liveTradeContexts(
  db: Db,
  broker: Broker | undefined,
  trades: LiveTrade[],
  closes: Map<string, CloseSeries>,
  nowMs: number,
  maxBarAgeHours: number,
): Promise<LiveTradeContexts> {
  const contexts = new Map<number, LiveTradeContext>();
  const symbolIssues = new Map<string, string>();
  if (trades.length === 0) return { contexts, symbolIssues };
  const entries = trades.map((t) => (t.entry_time ? new Date(t.entry_time).getTime() : nowMs));
  const from = Math.min(nowMs, ...entries);
  // Without the broker's calendar (or when it fails) weekdays 09:30-16:00 stand in: risk exits must not wait for it.
  const calendar = broker ? await orNull(broker.getCalendar(new Date(from - 24 * HOUR_MS), new Date(nowMs + 24 * HOUR_MS))) : null;
  const sessions: Session[] = calendar ? sessionsFromCalendar(calendar) : weekdaySessions(from, nowMs);

  const lastBarMs = (symbol: string): number => {
    const ts = closes.get(symbol)?.ts ?? [];
    return ts.length ? ts[ts.length - 1] : -Infinity;
  };
  const stale = new Set<string>();
  for (const t of trades) {
    for (const s of [t.symbol1, t.symbol2]) if ((nowMs - lastBarMs(s)) / HOUR_MS > maxBarAgeHours) stale.add(s);
  }
  // Both legs of a trade with a stale leg: the fresh leg's latest trade is newer than the last bar they share.
  const wanted = new Set(trades.filter((t) => stale.has(t.symbol1) || stale.has(t.symbol2)).flatMap((t) => [t.symbol1, t.symbol2]));
  const fetched = broker && wanted.size > 0 ? await orNull(broker.getLatestTrades([...wanted])) : null;
  const latest = fetched ?? new Map<string, LatestTrade>();
  const staleSymbols = [...stale];
  const assets = await Promise.all(staleSymbols.map((s) => (broker ? orNull(broker.getAsset(s)) : Promise.resolve(null))));
  for (const [k, s] of staleSymbols.entries()) {
    const asset = assets[k];
    const trade = latest.get(s);
    if (broker && wanted.size > 0 && fetched === null) symbolIssues.set(s, `${s} bars stale and latest trades unavailable`);
    else if (asset && asset.status === 'inactive') symbolIssues.set(s, `${s} inactive at the broker (delisted?)`);
    else if (!trade) symbolIssues.set(s, `${s} has no bars and no latest trade`);
    else if ((nowMs - trade.timestamp.getTime()) / HOUR_MS > NOT_TRADING_HOURS)
      symbolIssues.set(s, `${s} not trading: last trade ${trade.timestamp.toISOString()} (halted or delisted?)`);
  }

  const stats = await entryStatsOf(
    db,
    trades.map((t) => t.id),
  );
  trades.forEach((t, i) => {
    const p1 = latest.get(t.symbol1)?.price ?? null;
    const p2 = latest.get(t.symbol2)?.price ?? null;
    const anyStale = stale.has(t.symbol1) || stale.has(t.symbol2);
    const q1 = anyStale ? p1 : null;
    const q2 = anyStale ? p2 : null;
    contexts.set(t.id, {
      entryStats: stats.get(t.id) ?? null,
      holdSessionHours: t.entry_time ? sessionHoursBetween(entries[i], nowMs, sessions) : 0,
      latestPrices: q1 !== null && q2 !== null ? { price1: q1, price2: q2 } : null,
    });
  });
  return { contexts, symbolIssues };
}

async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    activityLog('warn', `market data for live trades: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}
