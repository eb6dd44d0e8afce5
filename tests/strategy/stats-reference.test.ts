/**
 * Every public reference pair file (statsmodels 0.13.5 outputs), including both halves of the
 * structural-break pair, against the TypeScript statistics.
 *
 * Lag choice: the smallest AIC gap between the best and second-best lag in these files is 0.029
 * (pair files) — no near-ties, so `usedlag` must match exactly.
 */
import { adfuller } from '../../strategy/adf';
import { analyzePair } from '../../strategy/analyze';
import { coint } from '../../strategy/coint';
import { fitHedge } from '../../strategy/ols';
import { halfLife, logPrices, logReturnCorrelation, pearson, rollingZScore, spreadSeries } from '../../strategy/spread';
import { ANALYZE_KEYS, expectNear, expectPvalue, PAIR_FILES, readReference, TOL } from './stats-helpers';

interface Outputs {
  n: number;
  hedge: { alpha: number; beta: number; alpha_se: number; beta_se: number; r2: number; resid_std: number };
  coint_aic: { stat: number; pvalue: number; crit: number[]; usedlag: number; adf_nobs: number; maxlag: number; icbest: number; aic_gap: number };
  coint_lag1: { stat: number; pvalue: number; crit: number[]; usedlag: number; adf_nobs: number; maxlag: number };
  adf_spread: { stat: number; pvalue: number; usedlag: number; nobs: number; crit: number[]; icbest: number };
  half_life: { intercept: number; lambda: number; half_life: number | null };
  correlation: { price: number; log_return: number };
  zscore: { window: number; tail_start_index: number; last: (number | null)[] };
  spread?: number[];
}

interface Case {
  name: string;
  p1: number[];
  p2: number[];
  out: Outputs;
}

function cases(): Case[] {
  const all: Case[] = [];
  for (const file of PAIR_FILES) {
    const doc = readReference(file);
    all.push({ name: file, p1: doc.inputs.p1, p2: doc.inputs.p2, out: doc.outputs });
    for (const [segment, seg] of Object.entries<any>(doc.segments ?? {})) {
      all.push({
        name: `${file} ${segment}`,
        p1: doc.inputs.p1.slice(seg.start_index, seg.end_index_exclusive),
        p2: doc.inputs.p2.slice(seg.start_index, seg.end_index_exclusive),
        out: seg,
      });
    }
  }
  return all;
}

const ALL_CASES = cases();

test('the break file contributes both segments', () => {
  expect(ALL_CASES.map((c) => c.name)).toEqual(expect.arrayContaining(['pair_break_half.json first_half', 'pair_break_half.json second_half']));
  expect(ALL_CASES).toHaveLength(8);
});

describe.each(ALL_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  const lp1 = logPrices(c.p1);
  const lp2 = logPrices(c.p2);
  const o = c.out;

  test('hedge regression', () => {
    const h = fitHedge(lp1, lp2);
    expectNear(h.beta, o.hedge.beta, TOL.beta, 'beta');
    expectNear(h.alpha, o.hedge.alpha, TOL.ratio, 'alpha');
    expectNear(h.betaSe, o.hedge.beta_se, TOL.ratio, 'beta_se');
    expectNear(h.alphaSe, o.hedge.alpha_se, TOL.ratio, 'alpha_se');
    expectNear(h.r2, o.hedge.r2, TOL.ratio, 'r2');
    expectNear(h.residStd, o.hedge.resid_std, TOL.ratio, 'resid_std');
  });

  test('Engle-Granger with the AIC lag search', () => {
    const r = coint(lp1, lp2, { autolag: 'aic' });
    expect(r.usedlag).toBe(o.coint_aic.usedlag);
    expect(r.maxlag).toBe(o.coint_aic.maxlag);
    expect(r.nobs).toBe(o.coint_aic.adf_nobs);
    expectNear(r.stat, o.coint_aic.stat, TOL.stat, 'coint stat');
    expectPvalue(r.pvalue, o.coint_aic.pvalue, 'coint pvalue');
    r.crit.forEach((v, k) => expectNear(v, o.coint_aic.crit[k], TOL.crit, `coint crit ${k}`));
    expectNear(r.icbest, o.coint_aic.icbest, { abs: 1e-6 }, 'icbest');
    expectNear(r.aicGap, o.coint_aic.aic_gap, { abs: 1e-6 }, 'aic_gap');
  });

  test('Engle-Granger with one fixed lag', () => {
    const r = coint(lp1, lp2, { maxlag: 1, autolag: null });
    expect(r.usedlag).toBe(1);
    expect(r.nobs).toBe(o.coint_lag1.adf_nobs);
    expectNear(r.stat, o.coint_lag1.stat, TOL.stat, 'coint lag1 stat');
    expectPvalue(r.pvalue, o.coint_lag1.pvalue, 'coint lag1 pvalue');
    r.crit.forEach((v, k) => expectNear(v, o.coint_lag1.crit[k], TOL.crit, `coint lag1 crit ${k}`));
  });

  test('ADF on the spread', () => {
    const beta = fitHedge(lp1, lp2).beta;
    const spread = spreadSeries(lp1, lp2, beta);
    if (o.spread) o.spread.forEach((v, t) => expectNear(spread[t], v, { abs: 1e-12 }, `spread[${t}]`));
    const r = adfuller(spread, { regression: 'c', autolag: 'aic' });
    expect(r.usedlag).toBe(o.adf_spread.usedlag);
    expect(r.nobs).toBe(o.adf_spread.nobs);
    expectNear(r.stat, o.adf_spread.stat, TOL.stat, 'adf stat');
    expectPvalue(r.pvalue, o.adf_spread.pvalue, 'adf pvalue');
    r.crit.forEach((v, k) => expectNear(v, o.adf_spread.crit[k], TOL.crit, `adf crit ${k}`));
    expectNear(r.icbest, o.adf_spread.icbest, { abs: 1e-6 }, 'adf icbest');
  });

  test('half-life, correlations and rolling z-score', () => {
    const spread = spreadSeries(lp1, lp2, fitHedge(lp1, lp2).beta);
    const hl = halfLife(spread);
    expectNear(hl.lambda, o.half_life.lambda, TOL.ratio, 'lambda');
    expectNear(hl.intercept, o.half_life.intercept, { rel: 1e-8 }, 'intercept');
    expectNear(hl.halfLife, o.half_life.half_life, TOL.ratio, 'half_life');
    expectNear(pearson(c.p1, c.p2), o.correlation.price, TOL.ratio, 'price correlation');
    expectNear(logReturnCorrelation(c.p1, c.p2), o.correlation.log_return, TOL.ratio, 'log-return correlation');
    const z = rollingZScore(spread, o.zscore.window).z;
    expect(o.zscore.tail_start_index).toBe(z.length - o.zscore.last.length);
    o.zscore.last.forEach((v, k) => expectNear(z[o.zscore.tail_start_index + k], v, TOL.zscore, `z[${k}]`));
  });

  test('analyzePair produces the CLI contract with the reference values', () => {
    const a = analyzePair(c.p1, c.p2, { window: 40, symbol1: 'A', symbol2: 'B' });
    expect(Object.keys(a)).toEqual(ANALYZE_KEYS);
    expect(a.n).toBe(o.n);
    expectNear(a.hedge.beta, o.hedge.beta, TOL.beta, 'beta');
    expectNear(a.coint.stat, o.coint_aic.stat, TOL.stat, 'coint stat');
    expectPvalue(a.coint.pvalue, o.coint_aic.pvalue, 'coint pvalue');
    expect(a.coint.usedlag).toBe(o.coint_aic.usedlag);
    expectPvalue(a.coint_lag1.pvalue, o.coint_lag1.pvalue, 'lag1 pvalue');
    expectNear(a.adf_spread.stat, o.adf_spread.stat, TOL.stat, 'adf stat');
    expect(a.adf_spread.nobs).toBe(o.adf_spread.nobs);
    expectNear(a.half_life, o.half_life.half_life, TOL.ratio, 'half_life');
    expect(a.zscore_last).toHaveLength(o.zscore.last.length);
    a.zscore_last.forEach((v, k) => expectNear(v, o.zscore.last[k], TOL.zscore, `zscore_last[${k}]`));
    expect(JSON.stringify(a)).not.toMatch(/NaN|Infinity/);
  });
});
