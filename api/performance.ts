import type { ClosedTradeRow } from '../db/queries/status-summary';
import type { PerformanceResponse } from './schemas';
import { money } from './format';
import { DAY_MS } from '../strategy/time-units';

export const DEFAULT_STARTING_EQUITY = 100_000;

/**
 * GET /performance over closed trades (realized P&L only):
 *   - sharpe_ratio: daily realized P&L summed by exit date (UTC) over every weekday from the first close to the
 *     last (days without a close count as 0), mean / sample std x sqrt(252). Constant capital cancels out, so
 *     it is the Sharpe of daily returns on any fixed capital base. 0 with fewer than two days or no variance.
 *   - max_drawdown: PERCENT of the peak of account equity = startingEquity + cumulative realized P&L, trade by
 *     trade in exit order (the starting equity is the first peak).
 *   - win_rate: trades with P&L > 0 / closed trades; avg_hold_time: mean hold_hours (hours).
 */
export function computePerformance(trades: ClosedTradeRow[], startingEquity: number = DEFAULT_STARTING_EQUITY): PerformanceResponse {
  if (trades.length === 0) return { total_pnl: 0, sharpe_ratio: 0, max_drawdown: 0, win_rate: 0, avg_hold_time: 0 };
  let total = 0;
  let wins = 0;
  let holdSum = 0;
  let holdCount = 0;
  let peak = startingEquity;
  let maxDrawdown = 0;
  const pnlByDay = new Map<number, number>();
  for (const t of trades) {
    total += t.pnl;
    if (t.pnl > 0) wins++;
    if (t.hold_hours !== null) {
      holdSum += t.hold_hours;
      holdCount++;
    }
    const equity = startingEquity + total;
    if (equity > peak) peak = equity;
    else if (peak > 0) maxDrawdown = Math.max(maxDrawdown, (peak - equity) / peak);
    const day = Math.floor(new Date(t.exit_time).getTime() / DAY_MS);
    pnlByDay.set(day, (pnlByDay.get(day) ?? 0) + t.pnl);
  }
  return {
    total_pnl: money(total),
    sharpe_ratio: dailySharpe(pnlByDay),
    max_drawdown: maxDrawdown * 100,
    win_rate: wins / trades.length,
    avg_hold_time: holdCount > 0 ? holdSum / holdCount : 0,
  };
}

function dailySharpe(pnlByDay: Map<number, number>): number {
  const days = [...pnlByDay.keys()];
  const first = Math.min(...days);
  const last = Math.max(...days);
  const series: number[] = [];
  for (let day = first; day <= last; day++) {
    const weekday = new Date(day * DAY_MS).getUTCDay();
    const pnl = pnlByDay.get(day);
    if (pnl !== undefined) series.push(pnl);
    else if (weekday !== 0 && weekday !== 6) series.push(0);
  }
  if (series.length < 2) return 0;
  const mean = series.reduce((a, b) => a + b, 0) / series.length;
  const variance = series.reduce((a, b) => a + (b - mean) ** 2, 0) / (series.length - 1);
  const std = Math.sqrt(variance);
  return std > 0 ? (mean / std) * Math.sqrt(252) : 0;
}
