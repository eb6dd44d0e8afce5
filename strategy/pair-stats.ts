/**
 * Per-pair statistics of a universe scan, packed into flat Float64Arrays so worker threads can hand
 * results back by transfer. Pure compute, shared by the single-thread scan and the scan worker.
 */
import { coint, PERFECT_FIT_R2 } from './coint';
import { mackinnonp } from './mackinnon';
import { differenceCorrelation, halfLife, spreadSeries } from './spread';

/** Fields of one fully tested pair, in packed order. */
export const FULL_FIELDS = ['pvalue', 'stat', 'usedlag', 'alpha', 'beta', 'halfLife', 'correlation', 'crossings'] as const;
export const FULL_WIDTH = FULL_FIELDS.length;

export interface PairStats {
  pvalue: number;
  stat: number;
  usedlag: number;
  alpha: number;
  beta: number;
  /** Bars; NaN when the spread does not mean-revert (lambda >= 0) or is degenerate. */
  halfLife: number;
  /** Pearson correlation of the log returns. */
  correlation: number;
  /** Times the spread crosses its mean. */
  crossings: number;
}

/** Number of sign changes of spread - mean(spread), ignoring points exactly at the mean. */
export function meanCrossings(spread: ArrayLike<number>): number {
  const n = spread.length;
  let mean = 0;
  for (let t = 0; t < n; t++) mean += spread[t];
  mean /= n;
  let crossings = 0;
  let previous = 0;
  for (let t = 0; t < n; t++) {
    const d = spread[t] - mean;
    const sign = d > 0 ? 1 : d < 0 ? -1 : 0;
    if (sign !== 0) {
      if (previous !== 0 && sign !== previous) crossings++;
      previous = sign;
    }
  }
  return crossings;
}

/** Full test of one pair: coint with the AIC lag search, half-life, correlation, mean crossings. */
export function fullPairStats(lp1: ArrayLike<number>, lp2: ArrayLike<number>): PairStats {
  const c = coint(lp1, lp2, { autolag: 'aic' });
  const spread = spreadSeries(lp1, lp2, c.beta);
  let hl = NaN;
  try {
    const h = halfLife(spread);
    hl = h.halfLife ?? NaN;
  } catch {
    hl = NaN; // constant spread: no mean reversion to measure
  }
  return {
    pvalue: c.pvalue,
    stat: c.stat,
    usedlag: c.usedlag,
    alpha: c.alpha,
    beta: c.beta,
    halfLife: hl,
    correlation: differenceCorrelation(lp1, lp2),
    crossings: meanCrossings(spread),
  };
}

/**
 * Cheap screen: the p-value of coint(y, x, maxlag=1, autolag=None), computed without allocating:
 * two passes for the OLS of y on [1, x], one pass accumulating the 3 x 3 Gram matrix of the lag-1
 * residual ADF regression de_t = rho e_{t-1} + g de_{t-1} (rows t = 2..n-1), then a closed-form
 * 3 x 3 Cholesky. Agrees with `coint` to rounding (~1e-13), at a fraction of the cost.
 */
export function screenPvalue(y: ArrayLike<number>, x: ArrayLike<number>): number {
  const n = y.length;
  if (x.length !== n || n < 6) return coint(y, x, { maxlag: 1, autolag: null }).pvalue; // coint raises the right error
  let sy = 0;
  let sx = 0;
  for (let t = 0; t < n; t++) {
    sy += y[t];
    sx += x[t];
  }
  const my = sy / n;
  const mx = sx / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let t = 0; t < n; t++) {
    const dx = x[t] - mx;
    const dy = y[t] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (!(sxx > 0)) return NaN;
  const beta = sxy / sxx;
  const alpha = my - beta * mx;
  // Residuals e_t; Gram sums over rows t = 2..n-1 with columns [de_{t-1}, e_{t-1}, de_t].
  const e0 = y[0] - alpha - beta * x[0];
  let ePrev = y[1] - alpha - beta * x[1];
  let dePrev = ePrev - e0;
  let ssr = e0 * e0 + ePrev * ePrev;
  let gdd = 0;
  let gde = 0;
  let gee = 0;
  let gdy = 0;
  let gey = 0;
  let gyy = 0;
  for (let t = 2; t < n; t++) {
    const e = y[t] - alpha - beta * x[t];
    const de = e - ePrev;
    ssr += e * e;
    gdd += dePrev * dePrev;
    gde += dePrev * ePrev;
    gee += ePrev * ePrev;
    gdy += dePrev * de;
    gey += ePrev * de;
    gyy += de * de;
    ePrev = e;
    dePrev = de;
  }
  if (!(syy > 0) || !(1 - ssr / syy < PERFECT_FIT_R2)) return 0; // statsmodels: stat -inf, p 0
  const l00 = Math.sqrt(gdd);
  if (!(l00 > 0)) return NaN;
  const l10 = gde / l00;
  const l20 = gdy / l00;
  const d11 = gee - l10 * l10;
  if (!(d11 > 1e-13 * gee)) return NaN;
  const l11 = Math.sqrt(d11);
  const l21 = (gey - l20 * l10) / l11;
  const resid = gyy - l20 * l20 - l21 * l21;
  const rows = n - 2;
  const sigma = Math.sqrt(Math.max(resid, 0) / (rows - 2));
  return mackinnonp(l21 / sigma, 'c', 2);
}

export function packFull(s: PairStats, out: Float64Array, offset: number): void {
  out[offset] = s.pvalue;
  out[offset + 1] = s.stat;
  out[offset + 2] = s.usedlag;
  out[offset + 3] = s.alpha;
  out[offset + 4] = s.beta;
  out[offset + 5] = s.halfLife;
  out[offset + 6] = s.correlation;
  out[offset + 7] = s.crossings;
}

export function unpackFull(packed: Float64Array, offset: number): PairStats {
  return {
    pvalue: packed[offset],
    stat: packed[offset + 1],
    usedlag: packed[offset + 2],
    alpha: packed[offset + 3],
    beta: packed[offset + 4],
    halfLife: packed[offset + 5],
    correlation: packed[offset + 6],
    crossings: packed[offset + 7],
  };
}

/** A view of column k of a column-major log-price block (nBars values per symbol). */
export function column(block: Float64Array, k: number, nBars: number): Float64Array {
  return block.subarray(k * nBars, (k + 1) * nBars);
}
