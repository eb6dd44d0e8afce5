/** Synthetic hourly pairs with a hand-placed spread, for backtest tests. */
export const T0 = Date.UTC(2025, 0, 6, 14);
export const HOUR = 3_600_000;

/** Deterministic uniform noise in [-0.5, 0.5). */
export function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

export interface SyntheticPair {
  timestamps: Float64Array;
  price1: Float64Array;
  price2: Float64Array;
}

/**
 * log p2 follows a smooth deterministic path; log p1 = log p2 + log(40/50) + u, so the true hedge
 * ratio is 1. The spread u is an AR(1) (phi 0.9, half-life ~6.6 bars) over the first `formation`
 * bars, then `testSpread[k]` for test bar k (plus tiny noise so the rolling std is never 0).
 */
export function syntheticPair(formation: number, testSpread: number[], seed = 7): SyntheticPair {
  const n = formation + testSpread.length;
  const rnd = noise(seed);
  const timestamps = new Float64Array(n);
  const price1 = new Float64Array(n);
  const price2 = new Float64Array(n);
  let u = 0;
  for (let t = 0; t < n; t++) {
    timestamps[t] = T0 + t * HOUR;
    const lp2 = Math.log(50) + 0.03 * Math.sin(t / 9) + 0.02 * Math.cos(t / 23);
    if (t < formation) u = 0.9 * u + 0.004 * rnd();
    else u = testSpread[t - formation] + 0.00005 * rnd();
    price2[t] = Math.exp(lp2);
    price1[t] = Math.exp(lp2 + Math.log(40 / 50) + u);
  }
  return { timestamps, price1, price2 };
}
