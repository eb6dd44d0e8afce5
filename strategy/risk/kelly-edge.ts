import { DEFAULT_BOOTSTRAP_TRADES, closedTradeStats, kellyFraction, type ClosedTradeStats } from '../sizing';
import type { RiskLimits } from './limits';

export interface KellyEdge {
  /** Closed trades Kelly is computed over: the latest `kelly_window_trades` since the operator's last reset. */
  stats: ClosedTradeStats;
  phase: 'bootstrap' | 'kelly';
  kellyFraction: number | null;
  /** Kelly says there is no edge (fraction undefined or <= 0). */
  noEdge: boolean;
  /** The stats sizing should use: bootstrap ones when there is no edge and the policy keeps entering at bootstrap size. */
  sizingStats: ClosedTradeStats;
  /** Set when entries must stop: "no edge" with the numbers. */
  refusal: string | null;
}

const EMPTY: ClosedTradeStats = { count: 0, wins: 0, meanWin: 0, meanLoss: 0 };

/**
 * Kelly without lock-out. The fraction is computed over a rolling window of the latest closed trades (counted
 * from the operator's last reset), so an old losing streak does not count for ever. When it says there is no edge,
 * `kelly_no_edge` decides: 'stop_entries' refuses every entry (no trade row, the refusal is on the signal row) until
 * the operator resets sizing to bootstrap; 'bootstrap' keeps entering at bootstrap size.
 */
export function kellyEdge(limits: RiskLimits, pnlsOldestFirst: number[], bootstrapTrades: number = DEFAULT_BOOTSTRAP_TRADES): KellyEdge {
  const window = pnlsOldestFirst.slice(Math.max(0, pnlsOldestFirst.length - limits.kelly_window_trades));
  const stats = closedTradeStats(window);
  if (stats.count < bootstrapTrades) return { stats, phase: 'bootstrap', kellyFraction: null, noEdge: false, sizingStats: stats, refusal: null };
  const kf = kellyFraction(stats);
  const noEdge = kf === null || kf <= 0;
  if (!noEdge) return { stats, phase: 'kelly', kellyFraction: kf, noEdge, sizingStats: stats, refusal: null };
  const what = `no edge: Kelly fraction ${kf === null ? 'undefined (no wins)' : kf.toFixed(4)} over the latest ${stats.count} closed trades`;
  if (limits.kelly_no_edge === 'bootstrap') return { stats, phase: 'kelly', kellyFraction: kf, noEdge, sizingStats: EMPTY, refusal: null };
  return {
    stats,
    phase: 'kelly',
    kellyFraction: kf,
    noEdge,
    sizingStats: stats,
    refusal: `${what}; entries stopped until an operator resets sizing (POST /risk/kelly-reset)`,
  };
}
