/** Backtest performance conventions: annualisation, the deployment gate. */

/**
 * Hourly bars per trading day: the reference data and the live schedule (`0 14-21 * * 1-5` UTC)
 * both have bars at 14:00..21:00 UTC, i.e. 8 per NYSE session.
 */
export const BARS_PER_DAY = 8;
export const TRADING_DAYS_PER_YEAR = 252;
/** 8 x 252 = 2016 hourly bars per year; used for the Sharpe ratio and the annualised return. */
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
