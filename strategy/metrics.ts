/** Backtest performance conventions: annualisation, the deployment gate. */

import { REGULAR_CLOSE, REGULAR_OPEN, hourlyBarsInSession, nyTimeToMs } from './session-calendar';

/**
 * Hourly session bars in a full regular session (09:30, 10:30, ..., 15:30: 7, the last one half an hour), for
 * sizing lookback spans; annualisation infers the frequency from the bars themselves (bars-per-year.ts).
 */
export const BARS_PER_DAY = hourlyBarsInSession({ openMs: nyTimeToMs('2026-01-05', REGULAR_OPEN), closeMs: nyTimeToMs('2026-01-05', REGULAR_CLOSE) });
export const TRADING_DAYS_PER_YEAR = 252;
/** Default when no timestamps are at hand: full sessions x trading days. */
export const BARS_PER_YEAR = BARS_PER_DAY * TRADING_DAYS_PER_YEAR;

/** Spec gate: Sharpe > 0.5, win rate > 45%, max drawdown < 15% (all strict). */
export const GATE = { minSharpe: 0.5, minWinRate: 0.45, maxDrawdown: 0.15 } as const;

export function passesGate(sharpe: number, winRate: number, maxDrawdown: number): boolean {
  return sharpe > GATE.minSharpe && winRate > GATE.minWinRate && maxDrawdown < GATE.maxDrawdown;
}

/**
 * Compounds a total return over `bars` bars to a yearly rate. Returns -1 when the capital was lost
 * and null when the extrapolation overflows (very short, very profitable runs), so output stays
 * JSON-safe.
 */
export function annualizeReturn(totalReturn: number, bars: number, barsPerYear: number = BARS_PER_YEAR): number | null {
  if (!(bars > 0)) return null;
  if (totalReturn <= -1) return -1;
  const annual = Math.pow(1 + totalReturn, barsPerYear / bars) - 1;
  return Number.isFinite(annual) ? annual : null;
}

/** Annualised Sharpe ratio from the mean and sample standard deviation of per-bar P&L or returns; 0 when undefined. */
export function annualizedSharpe(meanReturn: number, stdReturn: number, barsPerYear: number = BARS_PER_YEAR): number {
  if (!(stdReturn > 0) || !Number.isFinite(meanReturn)) return 0;
  return (meanReturn / stdReturn) * Math.sqrt(barsPerYear);
}
