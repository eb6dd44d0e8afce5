/** What a backtest takes. */
import type { BacktestCosts } from './backtest-costs';
import type { Thresholds } from './signals';

export interface BacktestInput {
  timestamps: Float64Array;
  price1: Float64Array;
  price2: Float64Array;
  /** First test bar; default: first bar at or after startMs, else formationBars. */
  testStartIndex?: number;
  /** One past the last test bar; default: one past the last bar at or before endMs, else all bars. */
  testEndIndex?: number;
  startMs?: number;
  endMs?: number;
  /** Bars immediately before the test period used to fit hedge ratio and half-life (default 500). */
  formationBars?: number;
  /** Rolling z-score window in bars (default 40). */
  window?: number;
  thresholds?: Thresholds;
  initialCapital?: number;
  bootstrapPct?: number;
  maxLegPct?: number;
  bootstrapTrades?: number;
  costs?: Partial<BacktestCosts>;
}
