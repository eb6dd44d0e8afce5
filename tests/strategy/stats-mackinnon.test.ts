import { mackinnoncrit, mackinnonp } from '../../strategy/mackinnon';
import { erf, erfc, normalCdf } from '../../strategy/normal';
import { expectNear, PAIR_FILES, readReference } from './stats-helpers';

// scipy.stats.norm.cdf (scipy 1.10.1) at these points.
const SCIPY_NORM_CDF: [number, number][] = [
  [-37.0, 5.7255712225239266e-300],
  [-20.0, 2.7536241186061556e-89],
  [-8.0, 6.22096057427174e-16],
  [-5.0, 2.866515718791933e-7],
  [-1.96, 0.024997895148220435],
  [-0.5, 0.3085375387259869],
  [0.0, 0.5],
  [0.3, 0.6179114221889526],
  [1.0, 0.8413447460685429],
  [2.5, 0.9937903346742238],
  [6.0, 0.9999999990134123],
  [9.0, 1.0],
];

// statsmodels 0.13.5 mackinnonp(t, 'c', 1), mackinnonp(t, 'c', 2), mackinnonp(t, 'n', 1).
const STATSMODELS_P: [number, number, number, number][] = [
  [-19.0, 0.0, 0.0, 3.4715810280000917e-29],
  [-10.0, 1.8953190533444514e-17, 2.481480577083057e-16, 9.982215385812493e-18],
  [-7.6335, 1.9801777539539072e-11, 2.4781108462747246e-10, 2.245597388542993e-12],
  [-5.4156, 3.140809348954593e-6, 2.6415902367117474e-5, 1.560717233512317e-7],
  [-4.0289, 0.0012665177295971086, 0.006528430617653921, 6.536051490079072e-5],
  [-3.0, 0.034894400275345266, 0.1102054949706574, 0.0026637350127542685],
  [-2.62, 0.08893372342186434, 0.2296596033101832, 0.008526327757998598],
  [-2.0, 0.28657309916843154, 0.5285780802451076, 0.043520623056049056],
  [-1.61, 0.4779756525941893, 0.7166506606477032, 0.1012918228371768],
  [-1.0, 0.7532643012005655, 0.902847226038779, 0.28810611212633064],
  [0.0, 0.958532086060056, 0.9859002580259643, 0.6842796360469544],
  [0.5, 0.9848730963065522, 0.9926499199201502, 0.824879195252956],
  [0.95, 0.9937093477252888, 1.0, 0.908844884082076],
  [2.0, 0.9986729511999243, 1.0, 0.990238941547687],
  [2.8, 1.0, 1.0, 0.9994743753386149],
];

describe('normal CDF', () => {
  test.each(SCIPY_NORM_CDF)('Phi(%p) matches scipy to 1e-15 relative', (x, expected) => {
    expectNear(normalCdf(x), expected, { rel: 1e-14 }, `Phi(${x})`);
  });

  test('is symmetric and monotone across the erf/erfc switch points', () => {
    let previous = 0;
    for (let x = -12; x <= 12; x += 0.01) {
      const p = normalCdf(x);
      expect(p).toBeGreaterThanOrEqual(previous);
      expect(Math.abs(p + normalCdf(-x) - 1)).toBeLessThan(2e-16);
      previous = p;
    }
  });

  test('erf and erfc are complementary and odd/even as they should be', () => {
    for (const x of [0.1, 0.7, 0.99, 1.01, 3, 7.9, 8.1, 20]) {
      expect(Math.abs(erf(x) + erfc(x) - 1)).toBeLessThan(3e-16);
      expect(erf(-x)).toBe(-erf(x));
      expect(Math.abs(erfc(-x) - (2 - erfc(x)))).toBeLessThan(5e-16);
    }
    expect(erfc(30)).toBe(0);
    expect(Number.isNaN(normalCdf(NaN))).toBe(true);
  });
});

describe('mackinnonp', () => {
  test.each(STATSMODELS_P)('p-values at t = %p match statsmodels', (t, c1, c2, n1) => {
    expectNear(mackinnonp(t, 'c', 1), c1, { rel: 1e-13 }, `c N=1 t=${t}`);
    expectNear(mackinnonp(t, 'c', 2), c2, { rel: 1e-13 }, `c N=2 t=${t}`);
    expectNear(mackinnonp(t, 'n', 1), n1, { rel: 1e-13 }, `n N=1 t=${t}`);
  });

  test('clamps outside the tabulated range and switches polynomials at tau*', () => {
    expect(mackinnonp(2.75, 'c', 1)).toBe(1);
    expect(mackinnonp(-18.84, 'c', 1)).toBe(0);
    expect(mackinnonp(0.93, 'c', 2)).toBe(1);
    expect(mackinnonp(-18.87, 'c', 2)).toBe(0);
    expect(mackinnonp(3, 'n', 1)).toBeLessThan(1); // tau_max is +inf for the no-constant ADF: no clamp at 1
    // Just either side of tau* the two surfaces are close but not identical.
    const below = mackinnonp(-2.62, 'c', 2);
    const above = mackinnonp(-2.6199999, 'c', 2);
    expect(Math.abs(below - above)).toBeLessThan(0.01);
  });

  test('rejects an N outside the tables', () => {
    expect(() => mackinnonp(-3, 'c', 0)).toThrow(RangeError);
    expect(() => mackinnonp(-3, 'c', 7)).toThrow(RangeError);
  });
});

describe('mackinnoncrit', () => {
  // README formula: crit = b0 + b1/T + b2/T^2 + b3/T^3.
  const surfaces: Record<string, number[][]> = {
    c1: [
      [-3.43035, -6.5393, -16.786, -79.433],
      [-2.86154, -2.8903, -4.234, -40.04],
      [-2.56677, -1.5384, -2.809, 0],
    ],
    c2: [
      [-3.89644, -10.9519, -33.527, 0],
      [-3.33613, -6.1101, -6.823, 0],
      [-3.04445, -4.2412, -2.72, 0],
    ],
  };
  test.each([100, 749, 999, 1498, 1499, 123456])('matches the response surface at T = %p', (T) => {
    for (const [key, N] of [
      ['c1', 1],
      ['c2', 2],
    ] as const) {
      const crit = mackinnoncrit(N, 'c', T);
      surfaces[key].forEach(([b0, b1, b2, b3], k) => expectNear(crit[k], b0 + b1 / T + b2 / T ** 2 + b3 / T ** 3, { abs: 1e-13 }, `${key} ${k}`));
    }
  });

  test('equals the reference critical values exactly', () => {
    const doc = readReference(PAIR_FILES[0]);
    const n = doc.outputs.n;
    expect(mackinnoncrit(2, 'c', n - 1)).toEqual(doc.outputs.coint_aic.crit);
    expect(mackinnoncrit(1, 'c', doc.outputs.adf_spread.nobs)).toEqual(doc.outputs.adf_spread.crit);
    expect(mackinnoncrit(2, 'c')).toEqual([-3.89644, -3.33613, -3.04445]);
    expect(mackinnoncrit(1, 'n')).toEqual([-2.56574, -1.941, -1.61682]);
  });

  test('has no no-constant table for N = 2', () => {
    expect(() => mackinnoncrit(2, 'n', 100)).toThrow(RangeError);
  });
});
