import { fitHedge, simpleRegression } from '../../strategy/ols';
import { differenceCorrelation, halfLife, logPrices, logReturnCorrelation, pearson, rollingZScore, spreadSeries } from '../../strategy/spread';
import { gaussian, mulberry32 } from '../../strategy/synthetic-universe';

function twoPassZ(s: ArrayLike<number>, w: number, t: number): number {
  let m = 0;
  for (let k = t - w + 1; k <= t; k++) m += s[k];
  m /= w;
  let v = 0;
  for (let k = t - w + 1; k <= t; k++) v += (s[k] - m) ** 2;
  return (s[t] - m) / Math.sqrt(v / (w - 1));
}

describe('rollingZScore', () => {
  test('matches an exact two-pass window on a long series far from zero', () => {
    const normal = gaussian(mulberry32(5));
    const n = 200_000;
    const s = new Float64Array(n);
    for (let t = 0; t < n; t++) s[t] = 1e4 + 0.01 * normal() + (t % 1000) * 1e-5;
    const w = 40;
    const { z, mean, std } = rollingZScore(s, w);
    for (let t = 0; t < w - 1; t++) expect(Number.isNaN(z[t])).toBe(true);
    let worst = 0;
    for (let t = w - 1; t < n; t += 997) worst = Math.max(worst, Math.abs(z[t] - twoPassZ(s, w, t)));
    expect(worst).toBeLessThan(1e-9);
    expect(Math.abs(z[n - 1] - twoPassZ(s, w, n - 1))).toBeLessThan(1e-9);
    expect(mean[n - 1]).toBeCloseTo(s.subarray(n - w).reduce((a, b) => a + b, 0) / w, 9);
    expect(std[n - 1]).toBeGreaterThan(0);
  });

  test('is NaN where the window is constant and recovers afterwards', () => {
    const s = [...new Array(10).fill(1), 2, 3, 1, 5];
    const r = rollingZScore(s, 4);
    expect(Number.isNaN(r.z[5])).toBe(true); // window of four 1s
    expect(r.std[5]).toBe(0);
    expect(Number.isFinite(r.z[10])).toBe(true);
    expect(r.z[10]).toBeCloseTo(twoPassZ(s, 4, 10), 12);
  });

  test('rejects a bad window and returns all NaN for a short series', () => {
    expect(() => rollingZScore([1, 2, 3], 1)).toThrow(RangeError);
    expect(() => rollingZScore([1, 2, 3], 2.5)).toThrow(RangeError);
    expect(Array.from(rollingZScore([1, 2, 3], 5).z).every(Number.isNaN)).toBe(true);
  });
});

describe('spread helpers', () => {
  test('logPrices rejects non-positive prices', () => {
    expect(Array.from(logPrices([1, Math.E]))).toEqual([0, 1]);
    expect(() => logPrices([1, 0])).toThrow(/index 1/);
    expect(() => logPrices([1, NaN])).toThrow(RangeError);
  });

  test('spreadSeries does not subtract alpha, so its mean is alpha', () => {
    const normal = gaussian(mulberry32(8));
    const x = Array.from({ length: 500 }, (_, t) => 3 + 0.001 * t + 0.05 * normal());
    const y = x.map((v) => 0.4 + 1.3 * v + 0.01 * normal());
    const h = fitHedge(y, x);
    const s = spreadSeries(y, x, h.beta);
    const mean = s.reduce((a, b) => a + b, 0) / s.length;
    expect(mean).toBeCloseTo(h.alpha, 12);
    expect(h.beta).toBeCloseTo(1.3, 1);
  });

  test('halfLife: -ln2/lambda for a mean-reverting spread, null otherwise', () => {
    const normal = gaussian(mulberry32(9));
    const phi = 1 - Math.LN2 / 10;
    const ar = [0];
    for (let t = 1; t < 20_000; t++) ar.push(phi * ar[t - 1] + normal());
    const hl = halfLife(ar);
    expect(hl.halfLife).not.toBeNull();
    expect(hl.halfLife!).toBeGreaterThan(8);
    expect(hl.halfLife!).toBeLessThan(12);
    const explosive = Array.from({ length: 50 }, (_, t) => 1.05 ** t);
    expect(halfLife(explosive).halfLife).toBeNull();
    expect(() => halfLife([1, 1, 1, 1, 1])).toThrow(RangeError);
  });

  test('correlations: symmetric, scale-free, NaN for a constant series', () => {
    const normal = gaussian(mulberry32(10));
    const a = Array.from({ length: 300 }, () => 50 + normal());
    const b = a.map((v) => 2 * v + 3 * normal());
    expect(pearson(a, b)).toBeCloseTo(pearson(b, a), 15);
    expect(
      pearson(
        a,
        b.map((v) => 10 * v + 7),
      ),
    ).toBeCloseTo(pearson(a, b), 12);
    expect(Number.isNaN(pearson(a, new Array(300).fill(1)))).toBe(true);
    const la = logPrices(a);
    const lb = logPrices(b.map(Math.abs));
    expect(logReturnCorrelation(a, b.map(Math.abs))).toBeCloseTo(differenceCorrelation(la, lb), 15);
    expect(() => pearson([1, 2], [1])).toThrow(RangeError);
  });

  test('simpleRegression refuses a constant regressor', () => {
    expect(() => simpleRegression([1, 2, 3, 4], [2, 2, 2, 2])).toThrow(/constant/);
  });
});
