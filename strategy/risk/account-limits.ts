import type { RiskLimits } from './limits';

export type AccountRule = 'DAILY_LOSS' | 'DRAWDOWN';

export interface AccountAssessment {
  /** Loss since the day's first equity snapshot, % (0 when up). */
  dailyLossPct: number;
  /** Distance below peak equity, % (0 at the peak). */
  drawdownPct: number;
  /** The limit the account is beyond, if any: the state goes HALTED. */
  trip: { rule: AccountRule; reason: string; numbers: Record<string, number> } | null;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * The account-wide kill switches on the equity series (freqtrade's MaxDrawdown, hummingbot's kill switch): equity
 * down `daily_loss_limit_pct` from the day's first snapshot, or `max_drawdown_pct` from its peak. Both references
 * only count snapshots since the operator's last POST /start, so starting again re-bases them.
 */
export function assessAccount(limits: RiskLimits, a: { equity: number; dayStartEquity: number; peakEquity: number }): AccountAssessment {
  const dailyLossPct = a.dayStartEquity > 0 ? Math.max(0, ((a.dayStartEquity - a.equity) / a.dayStartEquity) * 100) : 0;
  const drawdownPct = a.peakEquity > 0 ? Math.max(0, ((a.peakEquity - a.equity) / a.peakEquity) * 100) : 0;
  let trip: AccountAssessment['trip'] = null;
  if (dailyLossPct >= limits.daily_loss_limit_pct) {
    trip = {
      rule: 'DAILY_LOSS',
      reason: `daily loss ${dailyLossPct.toFixed(2)}% >= daily_loss_limit_pct ${limits.daily_loss_limit_pct} (equity $${a.equity.toFixed(2)}, day start $${a.dayStartEquity.toFixed(2)})`,
      numbers: { equity: round2(a.equity), day_start_equity: round2(a.dayStartEquity), daily_loss_pct: round2(dailyLossPct) },
    };
  } else if (drawdownPct >= limits.max_drawdown_pct) {
    trip = {
      rule: 'DRAWDOWN',
      reason: `drawdown ${drawdownPct.toFixed(2)}% >= max_drawdown_pct ${limits.max_drawdown_pct} (equity $${a.equity.toFixed(2)}, peak $${a.peakEquity.toFixed(2)})`,
      numbers: { equity: round2(a.equity), peak_equity: round2(a.peakEquity), drawdown_pct: round2(drawdownPct) },
    };
  }
  return { dailyLossPct, drawdownPct, trip };
}
