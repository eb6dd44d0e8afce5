/** Spread construction and the simple statistics computed on it. */
export function logPrices(prices: ArrayLike<number>): Float64Array {
  const out = new Float64Array(prices.length);
  for (let i = 0; i < prices.length; i++) {
    const p = prices[i];
    if (!(p > 0) || !Number.isFinite(p)) throw new RangeError(`price at index ${i} is not a positive finite number: ${p}`);
    out[i] = Math.log(p);
  }
  return out;
}

/** s_t = lp1_t - beta * lp2_t (alpha is not subtracted, so mean(s) = alpha). */
export function spreadSeries(logP1: ArrayLike<number>, logP2: ArrayLike<number>, beta: number): Float64Array {
  if (logP1.length !== logP2.length) throw new RangeError(`series differ in length (${logP1.length} vs ${logP2.length})`);
  const out = new Float64Array(logP1.length);
  for (let i = 0; i < out.length; i++) out[i] = logP1[i] - beta * logP2[i];
  return out;
}

export interface RollingZ {
  z: Float64Array;
  mean: Float64Array;
  std: Float64Array;
}

/**
 * Rolling z-score with pandas semantics: rolling(window).mean() and .std(ddof=1); NaN for the first
 * window-1 values and where the window's std is 0.
 *
 * Sums are kept relative to a shift close to the current window mean, so cancellation stays small
 * even when the level is far from zero; every `window` steps the shift and sums are recomputed
 * exactly (two-pass), which bounds the drift of the sliding updates on arbitrarily long series.
 */
export function rollingZScore(spread: ArrayLike<number>, window: number): RollingZ {
  if (!Number.isInteger(window) || window < 2) throw new RangeError(`window must be an integer >= 2, got ${window}`);
  const n = spread.length;
  const z = new Float64Array(n).fill(NaN);
  const mean = new Float64Array(n).fill(NaN);
  const std = new Float64Array(n).fill(NaN);
  if (n < window) return { z, mean, std };
  let shift = 0;
  let s1 = 0;
  let s2 = 0;
  const recompute = (end: number): void => {
    let m = 0;
    for (let k = end - window + 1; k <= end; k++) m += spread[k];
    shift = m / window;
    s1 = 0;
    s2 = 0;
    for (let k = end - window + 1; k <= end; k++) {
      const d = spread[k] - shift;
      s1 += d;
      s2 += d * d;
    }
  };
  for (let t = window - 1; t < n; t++) {
    if ((t - (window - 1)) % window === 0) {
      recompute(t);
    } else {
      const dIn = spread[t] - shift;
      const dOut = spread[t - window] - shift;
      s1 += dIn - dOut;
      s2 += dIn * dIn - dOut * dOut;
    }
    const dm = s1 / window;
    const m = shift + dm;
    let variance = (s2 - s1 * dm) / (window - 1);
    if (variance < 0) variance = 0;
    const sd = Math.sqrt(variance);
    mean[t] = m;
    std[t] = sd;
    z[t] = sd > 0 ? (spread[t] - m) / sd : NaN;
  }
  return { z, mean, std };
}

/** OLS diff(s)_t = a + lambda * s_{t-1}; half-life = -ln 2 / lambda bars, null when lambda >= 0. */
export function halfLife(spread: ArrayLike<number>): { intercept: number; lambda: number; halfLife: number | null } {
  const n = spread.length;
  if (n < 4) throw new RangeError(`half-life needs at least 4 points, got ${n}`);
  // Regressor x_t = s_{t-1}, response y_t = s_t - s_{t-1}, t = 1..n-1; centred sums, no copies.
  const m = n - 1;
  let sx = 0;
  let sy = 0;
  for (let t = 1; t < n; t++) {
    sx += spread[t - 1];
    sy += spread[t] - spread[t - 1];
  }
  const mx = sx / m;
  const my = sy / m;
  let sxx = 0;
  let sxy = 0;
  for (let t = 1; t < n; t++) {
    const dx = spread[t - 1] - mx;
    sxx += dx * dx;
    sxy += dx * (spread[t] - spread[t - 1] - my);
  }
  if (!(sxx > 0)) throw new RangeError('half-life is undefined for a constant spread');
  const lambda = sxy / sxx;
  return { intercept: my - lambda * mx, lambda, halfLife: lambda < 0 ? -Math.LN2 / lambda : null };
}

/** Pearson correlation (two-pass, centred); NaN when either series is constant. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new RangeError(`series differ in length (${n} vs ${b.length})`);
  if (n < 2) throw new RangeError(`correlation needs at least 2 points, got ${n}`);
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    saa += da * da;
    sbb += db * db;
    sab += da * db;
  }
  if (!(saa > 0) || !(sbb > 0)) return NaN;
  return sab / Math.sqrt(saa * sbb);
}

/** Pearson correlation of the first differences of two series (n-1 values each), without copies. */
export function differenceCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new RangeError(`series differ in length (${n} vs ${b.length})`);
  if (n < 3) throw new RangeError(`correlation of differences needs at least 3 points, got ${n}`);
  let sa = 0;
  let sb = 0;
  for (let t = 1; t < n; t++) {
    sa += a[t] - a[t - 1];
    sb += b[t] - b[t - 1];
  }
  const ma = sa / (n - 1);
  const mb = sb / (n - 1);
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let t = 1; t < n; t++) {
    const da = a[t] - a[t - 1] - ma;
    const db = b[t] - b[t - 1] - mb;
    saa += da * da;
    sbb += db * db;
    sab += da * db;
  }
  if (!(saa > 0) || !(sbb > 0)) return NaN;
  return sab / Math.sqrt(saa * sbb);
}

/** Pearson correlation of diff(log p1) and diff(log p2). */
export function logReturnCorrelation(p1: ArrayLike<number>, p2: ArrayLike<number>): number {
  if (p1.length !== p2.length) throw new RangeError(`series differ in length (${p1.length} vs ${p2.length})`);
  return differenceCorrelation(logPrices(p1), logPrices(p2));
}
