import { BARS_PER_DAY } from './metrics';
import { DAY_MS, HOUR_MS } from './time-units';

/** Calendar time that holds `bars` hourly session bars, with room for weekends and holidays. */
export function lookbackSpanMs(bars: number): number {
  const tradingDays = Math.ceil(bars / (BARS_PER_DAY - 1));
  return (Math.ceil((tradingDays * 7) / 5) + 10) * DAY_MS;
}

/**
 * Start of the bar request: from the oldest "latest stored bar" among the symbols (minus an hour, so the
 * last, possibly still forming bar is refreshed), or a full lookback when a symbol has no bars yet.
 */
export function barsRequestStart(symbols: string[], latest: Map<string, Date>, nowMs: number, lookbackBars: number): number {
  const full = nowMs - lookbackSpanMs(lookbackBars);
  let start = nowMs;
  for (const s of symbols) {
    const t = latest.get(s);
    if (!t) return full;
    start = Math.min(start, t.getTime() - HOUR_MS);
  }
  return Math.max(full, start);
}
