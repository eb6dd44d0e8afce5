/**
 * The statistics a trade entered with. An open trade is evaluated on its own spread: the entry hedge ratio and
 * half-life, whatever re-discovery has since written to the registry. The z-score keeps the spec's rolling window
 * (rolling mean and std of that spread); the entry window's mean and std are kept for the audit and stand in for
 * the window when no bars are left to compute it (a stop evaluated on latest trade prices).
 */
export interface TradeEntryStats {
  hedgeRatio: number;
  /** In hourly session bars, as discovery fits it; null when the spread was not mean-reverting. */
  halfLife: number | null;
  spreadMean: number;
  spreadStd: number;
}

/** What the cycle knows about a pair's live trade when it evaluates the pair. */
export interface LiveTradeContext {
  /** null for trades from before entry statistics were stored: the registry's statistics apply. */
  entryStats: TradeEntryStats | null;
  /** Regular-session hours since entry (see session-calendar.ts): the unit of the half-life. */
  holdSessionHours: number;
  /** Latest trade prices of both legs, fetched when the bars are stale; null when not fetched or missing. */
  latestPrices: { price1: number; price2: number } | null;
}

/** Entry statistics from the entry signal's audit (beta, window mean and std) and the pair's half-life; null if incomplete. */
export function entryStatsFrom(audit: { beta: number; mean: number; std: number }, halfLife: number | null): TradeEntryStats | null {
  if (![audit.beta, audit.mean, audit.std].every(Number.isFinite) || !(audit.std > 0)) return null;
  return {
    hedgeRatio: audit.beta,
    halfLife: halfLife !== null && Number.isFinite(halfLife) ? halfLife : null,
    spreadMean: audit.mean,
    spreadStd: audit.std,
  };
}

/**
 * Moves entry statistics across a split of one leg (ratio = new shares per old share): adjusted prices are the old
 * ones divided by the ratio, so the log spread shifts by -ln(ratio) (leg 1) or +beta ln(ratio) (leg 2); the hedge
 * ratio, std and half-life do not change.
 */
export function rebaseEntryStats(stats: TradeEntryStats, leg: 1 | 2, ratio: number): TradeEntryStats {
  const shift = leg === 1 ? -Math.log(ratio) : stats.hedgeRatio * Math.log(ratio);
  return { ...stats, spreadMean: stats.spreadMean + shift };
}
