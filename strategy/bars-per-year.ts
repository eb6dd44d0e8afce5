/** Bar frequency inferred from the bar times, for annualising any frequency (hourly session bars, daily closes, ...). */
import { DAY_MS, HOUR_MS } from './time-units';

export const YEAR_MS = 365.25 * DAY_MS;

/**
 * Bars per year = (bars - 1) / (elapsed time in years between the first and last bar). Hourly session bars
 * (8 a day, weekdays) give ~2,000, daily closes ~252; gaps (nights, weekends, holidays) are counted as they
 * occur in the data. NaN with fewer than 2 bars.
 */
export function inferBarsPerYear(timestamps: ArrayLike<number>): number {
  const n = timestamps.length;
  if (n < 2) return NaN;
  const years = (timestamps[n - 1] - timestamps[0]) / YEAR_MS;
  return years > 0 ? (n - 1) / years : NaN;
}

/** Median gap between consecutive bars in hours over [from, to); NaN with fewer than 2 bars. */
export function medianSpacingHours(timestamps: ArrayLike<number>, from = 0, to = timestamps.length): number {
  if (to - from < 2) return NaN;
  const gaps = new Float64Array(to - from - 1);
  for (let i = from + 1; i < to; i++) gaps[i - from - 1] = timestamps[i] - timestamps[i - 1];
  gaps.sort();
  return gaps[gaps.length >> 1] / HOUR_MS;
}
