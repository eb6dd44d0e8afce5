/**
 * Full statistics of one pair, in the exact JSON shape of `pairs analyze --json`. Undefined values
 * (NaN, infinities, a non-reverting half-life) are null, never NaN.
 */
import { adfuller } from './adf';
import { coint } from './coint';
import { fitHedge } from './ols';
import { differenceCorrelation, halfLife, logPrices, pearson, rollingZScore, spreadSeries } from './spread';

export const DEFAULT_ZSCORE_WINDOW = 40;
export const ZSCORE_TAIL = 100;

export interface PairAnalysis {
  symbol1: string;
  symbol2: string;
  n: number;
  hedge: { alpha: number | null; beta: number | null };
  coint: { stat: number | null; pvalue: number | null; crit: (number | null)[]; usedlag: number | null };
  coint_lag1: { stat: number | null; pvalue: number | null };
  adf_spread: { stat: number | null; pvalue: number | null; usedlag: number | null; nobs: number | null };
  half_life: number | null;
  correlation: { price: number | null; log_return: number | null };
  zscore_last: (number | null)[];
}

export interface AnalyzeOptions {
  window?: number;
  symbol1?: string;
  symbol2?: string;
}

/** A finite number, or null. */
export function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function attempt<T>(compute: () => T): T | null {
  try {
    return compute();
  } catch (err) {
    if (err instanceof RangeError) return null; // degenerate input for this one statistic
    throw err;
  }
}

export function analyzePair(p1: ArrayLike<number>, p2: ArrayLike<number>, options: AnalyzeOptions = {}): PairAnalysis {
  const window = options.window ?? DEFAULT_ZSCORE_WINDOW;
  if (!Number.isInteger(window) || window < 2) throw new RangeError(`window must be an integer >= 2, got ${window}`);
  const n = p1.length;
  if (p2.length !== n) throw new RangeError(`price series differ in length (${n} vs ${p2.length})`);
  if (window > n) throw new RangeError(`window ${window} is longer than the ${n} bars available`);
  const lp1 = logPrices(p1);
  const lp2 = logPrices(p2);
  const hedge = fitHedge(lp1, lp2);
  const spread = spreadSeries(lp1, lp2, hedge.beta);
  const aic = attempt(() => coint(lp1, lp2, { autolag: 'aic' }));
  const lag1 = attempt(() => coint(lp1, lp2, { maxlag: 1, autolag: null }));
  const adf = attempt(() => adfuller(spread, { regression: 'c', autolag: 'aic' }));
  const hl = attempt(() => halfLife(spread));
  const z = rollingZScore(spread, window).z;
  const tail = Array.from(z.subarray(Math.max(0, n - ZSCORE_TAIL)), finiteOrNull);
  return {
    symbol1: options.symbol1 ?? 'P1',
    symbol2: options.symbol2 ?? 'P2',
    n,
    hedge: { alpha: finiteOrNull(hedge.alpha), beta: finiteOrNull(hedge.beta) },
    coint: {
      stat: finiteOrNull(aic?.stat),
      pvalue: finiteOrNull(aic?.pvalue),
      crit: aic ? aic.crit.map(finiteOrNull) : [null, null, null],
      usedlag: aic && aic.nobs > 0 ? aic.usedlag : null,
    },
    coint_lag1: { stat: finiteOrNull(lag1?.stat), pvalue: finiteOrNull(lag1?.pvalue) },
    adf_spread: {
      stat: finiteOrNull(adf?.stat),
      pvalue: finiteOrNull(adf?.pvalue),
      usedlag: adf ? adf.usedlag : null,
      nobs: adf ? adf.nobs : null,
    },
    half_life: finiteOrNull(hl?.halfLife),
    correlation: { price: finiteOrNull(pearson(p1, p2)), log_return: finiteOrNull(differenceCorrelation(lp1, lp2)) },
    zscore_last: tail,
  };
}
