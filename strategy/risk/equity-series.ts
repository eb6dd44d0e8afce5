import { DAY_MS } from '../time-units';

export interface EquityPoint {
  tsMs: number;
  equity: number;
}

export interface EquityStats {
  /** Largest fall from a running peak, % of that peak. */
  maxDrawdownPct: number;
  /** Daily returns (last snapshot of each UTC day), mean / sample std x sqrt(252); 0 with under two returns. */
  sharpe: number;
  /** Each point's distance below its running peak, % (0 at a peak), for the drawdown chart. */
  drawdown: Array<{ tsMs: number; drawdownPct: number }>;
}

/** Drawdown and Sharpe from the account's equity snapshots (oldest first). */
export function equityStats(points: EquityPoint[]): EquityStats {
  let peak = -Infinity;
  let maxDrawdownPct = 0;
  const drawdown: EquityStats['drawdown'] = [];
  const lastByDay = new Map<number, number>();
  for (const p of points) {
    if (p.equity > peak) peak = p.equity;
    const dd = peak > 0 ? ((peak - p.equity) / peak) * 100 : 0;
    if (dd > maxDrawdownPct) maxDrawdownPct = dd;
    drawdown.push({ tsMs: p.tsMs, drawdownPct: dd });
    lastByDay.set(Math.floor(p.tsMs / DAY_MS), p.equity);
  }
  const daily = [...lastByDay.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
  const returns: number[] = [];
  for (let i = 1; i < daily.length; i++) if (daily[i - 1] > 0) returns.push(daily[i] / daily[i - 1] - 1);
  let sharpe = 0;
  if (returns.length >= 2) {
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / (returns.length - 1));
    sharpe = std > 0 ? (mean / std) * Math.sqrt(252) : 0;
  }
  return { maxDrawdownPct, sharpe, drawdown };
}
