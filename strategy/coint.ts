/**
 * Engle-Granger two-step cointegration test, replicating statsmodels 0.13.5
 * `coint(y, x, trend='c')`: OLS y on [x, 1], then ADF without constant on the residuals; p-value and
 * critical values from MacKinnon's N = 2, constant tables (critical values at nobs = n - 1, as
 * statsmodels does to match Stata's egranger).
 */
import { adfuller } from './adf';
import { mackinnoncrit, mackinnonp } from './mackinnon';
import { simpleRegression } from './ols';

export interface CointOptions {
  /** Highest lag searched (autolag 'aic') or the fixed lag used (autolag null). Default: Schwert rule. */
  maxlag?: number;
  autolag: 'aic' | null;
}

export interface CointResult {
  stat: number;
  pvalue: number;
  crit: [number, number, number];
  usedlag: number;
  /** Rows in the final residual ADF regression (n - 1 - usedlag); 0 when the test degenerated. */
  nobs: number;
  maxlag: number;
  alpha: number;
  beta: number;
  icbest?: number;
  aicGap?: number;
}

/** statsmodels' collinearity cut: R^2 >= 1 - 100 * sqrt(machine epsilon) gives stat -inf, p 0. */
export const PERFECT_FIT_R2 = 1 - 100 * Math.sqrt(Number.EPSILON);

export function coint(y: ArrayLike<number>, x: ArrayLike<number>, options: CointOptions): CointResult {
  const n = y.length;
  if (x.length !== n) throw new RangeError(`coint: series differ in length (${n} vs ${x.length})`);
  const fit = simpleRegression(y, x);
  const crit = mackinnoncrit(2, 'c', n - 1);
  if (!(fit.r2 < PERFECT_FIT_R2)) {
    return { stat: -Infinity, pvalue: 0, crit, usedlag: 0, nobs: 0, maxlag: options.maxlag ?? 0, alpha: fit.alpha, beta: fit.beta };
  }
  const resid = new Float64Array(n);
  for (let i = 0; i < n; i++) resid[i] = y[i] - (fit.alpha + fit.beta * x[i]);
  const adf = adfuller(resid, { regression: 'n', maxlag: options.maxlag, autolag: options.autolag });
  const out: CointResult = {
    stat: adf.stat,
    pvalue: mackinnonp(adf.stat, 'c', 2),
    crit,
    usedlag: adf.usedlag,
    nobs: adf.nobs,
    maxlag: adf.maxlag,
    alpha: fit.alpha,
    beta: fit.beta,
  };
  if (adf.icbest !== undefined) out.icbest = adf.icbest;
  if (adf.aicGap !== undefined) out.aicGap = adf.aicGap;
  return out;
}
