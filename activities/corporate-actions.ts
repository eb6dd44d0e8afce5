import { activityLog } from './activity-log';
import type { Broker } from '../broker/types';
import type { Db } from '../db/connection';
import { rebaseTradesForSplit, recordNewSplits, type TradeRebase } from '../db/queries/corporate-actions';
import { listActivePairs } from '../db/queries/pairs';
import { listLiveTrades } from '../db/queries/trades';
import { nyDateOf, nyTimeToMs } from '../strategy/session-calendar';
import { DAY_MS } from '../strategy/time-units';

/** How far back each cycle asks for splits; a split is seen by the first cycle on or after its ex-date. */
export const CORPORATE_ACTION_LOOKBACK_DAYS = 30;

/**
 * Splits of the engine's symbols (active pairs and live trades) with an ex-date up to today (New York): a new one
 * makes the symbol's stored bars be re-read adjusted, and every live trade that held the symbol before the ex-date
 * is rebased (quantity x ratio, entry price / ratio), so P&L stays true, reconciliation matches the broker's
 * rescaled position and the exit closes every share. Idempotent; run at the start of each cycle's reconciliation
 * and of the worker's reconciliation at start.
 */
export async function applyCorporateActions(db: Db, broker: Broker, nowMs: number): Promise<TradeRebase[]> {
  const [pairs, trades] = await Promise.all([listActivePairs(db), listLiveTrades(db)]);
  const symbols = [...new Set([...pairs.flatMap((p) => [p.symbol1, p.symbol2]), ...trades.flatMap((t) => [t.symbol1, t.symbol2])])].sort();
  if (symbols.length === 0) return [];
  const today = nyDateOf(nowMs);
  const actions = (await broker.getCorporateActions(symbols, new Date(nowMs - CORPORATE_ACTION_LOOKBACK_DAYS * DAY_MS), new Date(nowMs))).filter(
    (a) => a.exDate <= today && a.oldRate > 0 && a.newRate > 0 && a.oldRate !== a.newRate,
  );
  const fresh = await recordNewSplits(db, actions);
  for (const s of fresh) activityLog('info', 'split recorded: stored bars re-read adjusted', { ...s });
  const rebased: TradeRebase[] = [];
  for (const a of actions) {
    const exStart = nyTimeToMs(a.exDate, '00:00');
    const held = trades.some(
      (t) => t.entry_time !== null && new Date(t.entry_time).getTime() < exStart && (t.symbol1 === a.symbol || t.symbol2 === a.symbol),
    );
    rebased.push(...(await rebaseTradesForSplit(db, a, exStart, held ? await exDatePrice(broker, a.symbol, exStart) : null)));
  }
  for (const r of rebased) activityLog('warn', 'split rebased a live trade', { ...r });
  return rebased;
}

/** The price a fractional share is paid at: the last split-adjusted close before the ex-date (null without bars). */
async function exDatePrice(broker: Broker, symbol: string, exStartMs: number): Promise<number | null> {
  const bars = (await broker.getHourlyBars([symbol], new Date(exStartMs - 7 * DAY_MS), new Date(exStartMs))).get(symbol);
  return bars && bars.close.length > 0 ? bars.close[bars.close.length - 1] : null;
}
