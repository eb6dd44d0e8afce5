/**
 * ADF internals checked against an independent brute-force implementation: for every candidate lag,
 * an explicit design matrix solved by Gaussian elimination (no Gram-matrix tricks, no shared code).
 */
import { adfuller, defaultMaxlag } from '../../strategy/adf';
import { coint } from '../../strategy/coint';
import { gaussian, mulberry32 } from '../../strategy/synthetic-universe';

/** OLS by normal equations with partial-pivot elimination; returns SSR and the t-value of column `col`. */
function bruteOls(rows: number[][], y: number[], col: number): { ssr: number; t: number } {
  const k = rows[0].length;
  const a = Array.from({ length: k }, (_, i) =>
    Array.from({ length: k + 1 + k }, (_, j) => {
      if (j < k) return rows.reduce((s, r) => s + r[i] * r[j], 0);
      if (j === k) return rows.reduce((s, r, t) => s + r[i] * y[t], 0);
      return j - k - 1 === i ? 1 : 0;
    }),
  );
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let j = c; j < a[r].length; j++) a[r][j] -= f * a[c][j];
    }
  }
  const beta = a.map((row, i) => row[k] / row[i]);
  const inv = a.map((row, i) => row.slice(k + 1).map((v) => v / row[i]));
  let ssr = 0;
  rows.forEach((r, t) => {
    const e = y[t] - r.reduce((s, v, j) => s + v * beta[j], 0);
    ssr += e * e;
  });
  const sigma2 = ssr / (rows.length - k);
  return { ssr, t: beta[col] / Math.sqrt(sigma2 * inv[col][col]) };
}

function design(x: number[], k: number, first: number, withConst: boolean): { rows: number[][]; y: number[] } {
  const rows: number[][] = [];
  const y: number[] = [];
  for (let t = first; t < x.length; t++) {
    const row = [x[t - 1]];
    for (let i = 1; i <= k; i++) row.push(x[t - i] - x[t - i - 1]);
    if (withConst) row.push(1);
    rows.push(row);
    y.push(x[t] - x[t - 1]);
  }
  return { rows, y };
}

function bruteAdf(x: number[], maxlag: number, withConst: boolean): { usedlag: number; stat: number } {
  let best = Infinity;
  let usedlag = 0;
  for (let k = 0; k <= maxlag; k++) {
    const { rows, y } = design(x, k, maxlag + 1, withConst);
    const { ssr } = bruteOls(rows, y, 0);
    const nobs = rows.length;
    const aic = nobs * (Math.log(2 * Math.PI) + Math.log(ssr / nobs) + 1) + 2 * rows[0].length;
    if (aic < best) {
      best = aic;
      usedlag = k;
    }
  }
  const { rows, y } = design(x, usedlag, usedlag + 1, withConst);
  return { usedlag, stat: bruteOls(rows, y, 0).t };
}

function arSeries(seed: number, n: number, phi: number, level: number): number[] {
  const normal = gaussian(mulberry32(seed));
  const x = [level];
  let e1 = 0;
  for (let t = 1; t < n; t++) {
    const e = normal();
    // AR(1) in levels with MA noise so that several lags matter.
    x.push(level + phi * (x[t - 1] - level) + e + 0.6 * e1);
    e1 = e;
  }
  return x;
}

describe('adfuller', () => {
  test.each([
    [1, 0.9, 'c', 5],
    [2, 1.0, 'c', 0],
    [3, 0.7, 'n', 0],
    [4, 0.95, 'n', 0],
    [5, 0.97, 'c', 1000],
  ] as const)('seed %p (phi %p, regression %p, level %p) matches a brute-force lag search', (seed, phi, regression, level) => {
    const x = arSeries(seed, 300, phi, level);
    const maxlag = defaultMaxlag(x.length, regression);
    const brute = bruteAdf(x, maxlag, regression === 'c');
    const r = adfuller(x, { regression, autolag: 'aic' });
    expect(r.maxlag).toBe(maxlag);
    expect(r.usedlag).toBe(brute.usedlag);
    expect(r.nobs).toBe(x.length - 1 - brute.usedlag);
    expect(Math.abs(r.stat - brute.stat)).toBeLessThan(1e-8 * Math.max(1, Math.abs(brute.stat)));
  });

  test('without autolag every lag up to maxlag is used', () => {
    const x = arSeries(9, 200, 0.9, 0);
    for (const k of [0, 1, 3, 7]) {
      const r = adfuller(x, { regression: 'c', maxlag: k, autolag: null });
      const { rows, y } = design(x, k, k + 1, true);
      expect(r.usedlag).toBe(k);
      expect(r.icbest).toBeUndefined();
      expect(Math.abs(r.stat - bruteOls(rows, y, 0).t)).toBeLessThan(1e-9);
    }
  });

  test("default maxlag follows statsmodels' rule and cap", () => {
    // README: n = 750 -> 20, 1000 -> 22, 1500 -> 24, 1860 -> 25 (coint's residual ADF, ntrend 0).
    expect([750, 1000, 1500, 1860].map((n) => defaultMaxlag(n, 'n'))).toEqual([20, 22, 24, 25]);
    expect(defaultMaxlag(100, 'c')).toBe(12);
    expect(defaultMaxlag(20, 'c')).toBe(8); // capped at 20//2 - 1 - 1
    expect(defaultMaxlag(20, 'n')).toBe(9);
  });

  test('rejects a maxlag beyond nobs/2 - 1 - ntrend and non-finite input', () => {
    const x = arSeries(3, 60, 0.9, 0);
    expect(() => adfuller(x, { regression: 'c', maxlag: 29, autolag: 'aic' })).toThrow(/maxlag/);
    expect(adfuller(x, { regression: 'c', maxlag: 28, autolag: null }).usedlag).toBe(28);
    expect(() => adfuller([...x.slice(0, 59), NaN], { regression: 'c', autolag: 'aic' })).toThrow(/not finite/);
  });

  test('a constant series gives NaN statistics instead of throwing', () => {
    const r = adfuller(new Array(100).fill(3), { regression: 'c', autolag: 'aic' });
    expect(Number.isNaN(r.stat)).toBe(true);
    expect(Number.isNaN(r.pvalue)).toBe(true);
  });
});

describe('coint', () => {
  test('perfectly collinear series give stat -inf and p 0, as statsmodels does', () => {
    const x = arSeries(11, 200, 1, 0);
    const y = x.map((v) => 2 + 0.5 * v);
    const r = coint(y, x, { autolag: 'aic' });
    expect(r.stat).toBe(-Infinity);
    expect(r.pvalue).toBe(0);
    expect(r.crit).toHaveLength(3);
  });

  test('is asymmetric: swapping the series changes the regression', () => {
    const x = arSeries(12, 300, 1, 0);
    const noise = arSeries(13, 300, 0.5, 0);
    const y = x.map((v, t) => 0.8 * v + 0.3 * noise[t]);
    const a = coint(y, x, { autolag: 'aic' });
    const b = coint(x, y, { autolag: 'aic' });
    expect(a.beta).not.toBeCloseTo(b.beta, 3);
    expect(a.pvalue).toBeLessThan(0.01);
  });
});
