/**
 * The universe scan against `universe_30x1000_scan.json` (statsmodels coint for all 435 pairs), and
 * the scan's filtering / ranking / two-stage behaviour.
 *
 * Lag choice: the smallest AIC gaps in the universe file are 0.0113 and 0.0137 (best vs second-best
 * lag); even there the lag must match exactly, which needs the SSRs to ~1e-6 relative — the
 * implementation is ~1e-12.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePriceCsv, type PriceMatrix } from '../../strategy/price-matrix';
import { pairAt, pairCount, pairScore, scanUniverseSync, TWO_STAGE_MIN_PAIRS } from '../../strategy/scan';
import { coint } from '../../strategy/coint';
import { screenPvalue } from '../../strategy/pair-stats';
import { logPrices } from '../../strategy/spread';
import { syntheticUniverse } from '../../strategy/synthetic-universe';
import { expectNear, expectPvalue, readReference, REFERENCE_DIR, TOL } from './stats-helpers';

const matrix: PriceMatrix = parsePriceCsv(readFileSync(path.join(REFERENCE_DIR, 'universe_30x1000.csv'), 'utf8'));
const ref = readReference('universe_30x1000_scan.json');
const truth = new Set<string>(ref.ground_truth.cointegrated_pairs.map((p: number[]) => `${p[0]},${p[1]}`));

describe('scan of the reference universe', () => {
  const all = scanUniverseSync(matrix, { all: true });

  test('--all lists every pair i < j in column order', () => {
    expect(matrix.symbols).toEqual(ref.symbols);
    expect(all.pairs).toHaveLength(435);
    expect(all.nPairsTested).toBe(435);
    expect(all.pairs.map((p) => [p.i, p.j])).toEqual(ref.pairs.i.map((i: number, q: number) => [i, ref.pairs.j[q]]));
    expect(all.pairs.map((p) => p.symbol1)).toEqual(ref.pairs.s1);
    expect(all.pairs.map((p) => p.symbol2)).toEqual(ref.pairs.s2);
  });

  test('every pair matches statsmodels: p-value, statistic, lag, alpha, beta', () => {
    const gaps: number[] = ref.pairs.coint_aic_gap;
    expect(Math.min(...gaps)).toBeGreaterThan(0.01); // documented above
    all.pairs.forEach((p, q) => {
      const what = `${p.symbol1}/${p.symbol2}`;
      expect([what, p.usedlag]).toEqual([what, ref.pairs.coint_usedlag[q]]);
      expectNear(p.stat, ref.pairs.coint_stat[q], TOL.stat, `${what} stat`);
      expectPvalue(p.pvalue, ref.pairs.coint_pvalue[q], `${what} pvalue`);
      expectNear(p.beta, ref.pairs.beta[q], TOL.beta, `${what} beta`);
      expectNear(p.alpha, ref.pairs.alpha[q], TOL.ratio, `${what} alpha`);
    });
  });

  test('default filters keep only ground-truth pairs, ranked by score', () => {
    const r = scanUniverseSync(matrix, { top: 50 });
    expect(r.screened).toBe(false);
    expect(r.pairs.length).toBeGreaterThanOrEqual(15);
    for (const p of r.pairs) {
      expect(truth.has(`${p.i},${p.j}`)).toBe(true);
      expect(p.pvalue).toBeLessThanOrEqual(0.05);
      expect(p.score).toBeCloseTo(pairScore(p.pvalue, p.halfLife), 15);
    }
    for (let k = 1; k < r.pairs.length; k++) expect(r.pairs[k - 1].score).toBeGreaterThanOrEqual(r.pairs[k].score);
  });

  test('filters act: p-value cut, top N, correlation, crossings, half-life range', () => {
    const loose = scanUniverseSync(matrix, { maxPvalue: 0.2, minAbsCorrelation: 0, minCrossings: 0, top: 1000 });
    expect(loose.pairs.every((p) => p.pvalue <= 0.2)).toBe(true);
    expect(loose.pairs.some((p) => !truth.has(`${p.i},${p.j}`))).toBe(true); // without the correlation cut false pairs appear
    expect(scanUniverseSync(matrix, { top: 3 }).pairs).toHaveLength(3);
    const strictCrossings = scanUniverseSync(matrix, { minCrossings: 100, top: 1000 });
    expect(strictCrossings.pairs.every((p) => p.crossings >= 100)).toBe(true);
    const shortHl = scanUniverseSync(matrix, { maxHalfLife: 12, top: 1000 });
    expect(shortHl.pairs.length).toBeGreaterThan(0);
    expect(shortHl.pairs.every((p) => p.halfLife <= 12)).toBe(true);
  });

  test('bad options are rejected', () => {
    expect(() => scanUniverseSync(matrix, { maxPvalue: 2 })).toThrow(RangeError);
    expect(() => scanUniverseSync(matrix, { top: 0 })).toThrow(RangeError);
    expect(() => scanUniverseSync(matrix, { minHalfLife: 10, maxHalfLife: 5 })).toThrow(RangeError);
  });
});

describe('two-stage scan', () => {
  const u = syntheticUniverse({ symbols: 72, bars: 400, seed: 21 });
  const nPairs = pairCount(72);

  test('switches on automatically for large universes and only fully tests screen survivors', () => {
    expect(nPairs).toBeGreaterThanOrEqual(TWO_STAGE_MIN_PAIRS);
    const progress: string[] = [];
    const two = scanUniverseSync(u, { onProgress: (p) => progress.push(`${p.stage}:${p.done}/${p.total}`) });
    expect(two.screened).toBe(true);
    expect(two.nPairsTested).toBe(nPairs);
    expect(two.nFullTests).toBeLessThan(nPairs / 2);
    expect(progress[progress.length - 1]).toBe(`test:${two.nFullTests}/${two.nFullTests}`);
    expect(progress).toContain(`screen:${nPairs}/${nPairs}`);

    const one = scanUniverseSync(u, { twoStage: false, top: 1000 });
    expect(one.nFullTests).toBe(nPairs);
    // Whatever the two-stage scan returns, the single-stage scan found with identical numbers.
    const byKey = new Map(one.pairs.map((p) => [`${p.i},${p.j}`, p]));
    for (const p of two.pairs) expect(byKey.get(`${p.i},${p.j}`)).toEqual(p);
    const found = two.pairs.filter((p) => u.clusterOf[p.i] !== null && u.clusterOf[p.i] === u.clusterOf[p.j]);
    expect(found.length).toBeGreaterThan(two.pairs.length / 2);
  });

  test('the allocation-free screen equals coint(maxlag=1, autolag=None)', () => {
    const logs = matrix.prices.map(logPrices);
    for (let i = 0; i < 30; i += 3) {
      for (let j = i + 1; j < 30; j += 2) {
        const expected = coint(logs[i], logs[j], { maxlag: 1, autolag: null }).pvalue;
        expectNear(screenPvalue(logs[i], logs[j]), expected, { rel: 1e-10 }, `screen ${i},${j}`);
      }
    }
    const x = logs[0];
    expect(
      screenPvalue(
        Array.from(x, (v) => 1 + 2 * v),
        x,
      ),
    ).toBe(0); // collinear: p 0 like statsmodels
  });

  test('pairAt enumerates pairs in column order', () => {
    let q = 0;
    for (let i = 0; i < 9; i++) for (let j = i + 1; j < 9; j++) expect(pairAt(q++, 9)).toEqual([i, j]);
  });
});
