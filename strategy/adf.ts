/**
 * Augmented Dickey-Fuller test, replicating statsmodels 0.13.5 `adfuller` (regression 'c' or 'n',
 * autolag 'aic' or none).
 *
 * Regression for lag k on rows t: dx_t = [c] + rho * x_{t-1} + sum_{i=1..k} g_i dx_{t-i} + e_t.
 * Every candidate lag of the AIC search uses the same rows t = maxlag+1 .. n-1; the winner is refitted
 * on rows t = k+1 .. n-1. Instead of 25 separate least-squares fits, the augmented Gram matrix
 * [X y]'[X y] of the max-lag design is Cholesky-factorised once: with columns ordered
 * [const, level, dx_1, ..., dx_p, y], the SSR of the model using the first m columns is
 * sum_{c >= m} L[y][c]^2, so every nested lag's SSR falls out of one factorisation. The Gram matrix
 * itself costs O(n * p): entries along a diagonal of the lagged-difference block differ only by two
 * boundary products.
 */
import { choleskyInPlace } from './linalg';
import { mackinnoncrit, mackinnonp } from './mackinnon';

export type AdfRegression = 'c' | 'n';

export interface AdfOptions {
  regression: AdfRegression;
  /** Highest lag considered (autolag) or used (autolag null). Default: statsmodels' Schwert rule. */
  maxlag?: number;
  autolag: 'aic' | null;
}

export interface AdfResult {
  stat: number;
  pvalue: number;
  usedlag: number;
  /** Rows in the final regression: n - 1 - usedlag. */
  nobs: number;
  crit: [number, number, number];
  /** The maximum lag searched (or used, without autolag). */
  maxlag: number;
  /** Best AIC of the lag search (autolag only). */
  icbest?: number;
  /** AIC(second-best lag) - AIC(best lag) on the search sample (autolag with maxlag >= 1 only). */
  aicGap?: number;
}

const LN_2PI = Math.log(2 * Math.PI);

/** statsmodels' default maxlag: ceil(12 * (nobs/100)^(1/4)), capped at nobs//2 - ntrend - 1. */
export function defaultMaxlag(nobs: number, regression: AdfRegression): number {
  const ntrend = regression === 'c' ? 1 : 0;
  const schwert = Math.ceil(12 * Math.pow(nobs / 100, 1 / 4));
  return Math.min(Math.floor(nobs / 2) - ntrend - 1, schwert);
}

/**
 * Sums over rows t = first .. n-1 that make up the Gram matrix of the lag-p ADF design:
 * level = x_{t-1}, lag i = dx_{t-i} (lag 0 is the response dx_t).
 */
interface DesignSums {
  rows: number;
  sumLevel: number;
  sumLevelSq: number;
  /** sumLag[i] = sum dx_{t-i}, i = 0..p. */
  sumLag: Float64Array;
  /** levelLag[i] = sum x_{t-1} dx_{t-i}, i = 0..p. */
  levelLag: Float64Array;
  /** lagLag[i*(p+1)+j] = sum dx_{t-i} dx_{t-j}, i, j = 0..p (symmetric, both halves filled). */
  lagLag: Float64Array;
}

function designSums(level: Float64Array, dx: Float64Array, first: number, p: number): DesignSums {
  const n = level.length;
  const last = n - 1;
  const rows = last - first + 1;
  const width = p + 1;
  let sumLevel = 0;
  let sumLevelSq = 0;
  let levelLag0 = 0;
  for (let t = first; t <= last; t++) {
    const v = level[t - 1];
    sumLevel += v;
    sumLevelSq += v * v;
    levelLag0 += v * dx[t];
  }
  const sumLag = new Float64Array(width);
  // Telescoping: sum_{t=first..last} dx_{t-i} = x_{last-i} - x_{first-1-i} (the level shift cancels).
  for (let i = 0; i <= p; i++) sumLag[i] = level[last - i] - level[first - 1 - i];

  // base[d] = sum_t dx_t dx_{t-d}: the first entry of each diagonal of the lag block. This is the
  // only O(rows * p) part; four lags per pass over the rows share the loads of dx_t.
  const base = new Float64Array(width);
  let d = 0;
  for (; d + 3 <= p; d += 4) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let t = first; t <= last; t++) {
      const v = dx[t];
      const j = t - d;
      s0 += v * dx[j];
      s1 += v * dx[j - 1];
      s2 += v * dx[j - 2];
      s3 += v * dx[j - 3];
    }
    base[d] = s0;
    base[d + 1] = s1;
    base[d + 2] = s2;
    base[d + 3] = s3;
  }
  for (; d <= p; d++) {
    let s0 = 0;
    for (let t = first; t <= last; t++) s0 += dx[t] * dx[t - d];
    base[d] = s0;
  }
  const lagLag = new Float64Array(width * width);
  for (let diag = 0; diag <= p; diag++) {
    // Walk down the diagonal: (k+1, k+1+diag) = (k, k+diag) + entering product - leaving product.
    let s = base[diag];
    for (let k = 0; k + diag <= p; k++) {
      if (k > 0) {
        const enter = first - k;
        const leave = last - k + 1;
        s += dx[enter] * dx[enter - diag] - dx[leave] * dx[leave - diag];
      }
      lagLag[k * width + k + diag] = s;
      lagLag[(k + diag) * width + k] = s;
    }
  }
  // levelLag[i+1] from levelLag[i] via x_{t-1} = x_{t-2} + dx_{t-1}:
  //   sum_t x_{t-1} dx_{t-i-1} = sum_t x_{t-2} dx_{t-i-1} + sum_t dx_{t-1} dx_{t-1-i}
  //                            = levelLag[i] + x_{first-2} dx_{first-1-i} - x_{last-1} dx_{last-i} + lagLag(1, 1+i).
  const levelLag = new Float64Array(width);
  levelLag[0] = levelLag0;
  for (let i = 0; i < p; i++) {
    levelLag[i + 1] = levelLag[i] + level[first - 2] * dx[first - 1 - i] - level[last - 1] * dx[last - i] + lagLag[width + 1 + i];
  }
  return { rows, sumLevel, sumLevelSq, sumLag, levelLag, lagLag };
}

/** Column kinds of an ADF design: 'const', 'level', or a lag index (0 = the response). */
type Column = 'const' | 'level' | number;

function gramOf(sums: DesignSums, columns: Column[], p: number): Float64Array {
  const size = columns.length;
  const width = p + 1;
  const g = new Float64Array(size * size);
  const entry = (a: Column, b: Column): number => {
    if (a === 'const') {
      if (b === 'const') return sums.rows;
      if (b === 'level') return sums.sumLevel;
      return sums.sumLag[b];
    }
    if (a === 'level') {
      if (b === 'const') return sums.sumLevel;
      if (b === 'level') return sums.sumLevelSq;
      return sums.levelLag[b];
    }
    if (b === 'const' || b === 'level') return entry(b, a);
    return sums.lagLag[a * width + b];
  };
  for (let i = 0; i < size; i++) {
    for (let j = 0; j <= i; j++) g[i * size + j] = entry(columns[i], columns[j]);
  }
  return g;
}

function lagColumns(k: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= k; i++) out.push(i);
  return out;
}

/** t-statistic of rho in the lag-k regression on rows k+1 .. n-1; NaN when the design is singular. */
function adfStatistic(level: Float64Array, dx: Float64Array, k: number, withConst: boolean): number {
  const sums = designSums(level, dx, k + 1, k);
  // Level placed last among the regressors: its t-value is then L[y][level] / sigma.
  const columns: Column[] = [...(withConst ? (['const'] as Column[]) : []), ...lagColumns(k), 'level', 0];
  const size = columns.length;
  const g = gramOf(sums, columns, k);
  if (choleskyInPlace(g, size) < size - 1) return NaN;
  const regressors = size - 1;
  const yRow = regressors * size;
  const ssr = g[yRow + regressors] * g[yRow + regressors];
  const sigma = Math.sqrt(ssr / (sums.rows - regressors));
  return g[yRow + regressors - 1] / sigma;
}

interface LagSearch {
  bestLag: number;
  icbest: number;
  aicGap?: number;
}

/** AIC lag search on the common sample rows maxlag+1 .. n-1 (ties go to the smaller lag). */
function searchLag(level: Float64Array, dx: Float64Array, maxlag: number, withConst: boolean): LagSearch {
  const sums = designSums(level, dx, maxlag + 1, maxlag);
  const columns: Column[] = [...(withConst ? (['const'] as Column[]) : []), 'level', ...lagColumns(maxlag), 0];
  const size = columns.length;
  const g = gramOf(sums, columns, maxlag);
  const good = choleskyInPlace(g, size);
  const regressorsAll = size - 1;
  const yRow = regressorsAll * size;
  const rows = sums.rows;
  // tail[m] = sum_{c >= m} L[y][c]^2 = SSR of the model with the first m regressors.
  let tail = good === size ? g[yRow + regressorsAll] * g[yRow + regressorsAll] : NaN;
  const ntrend = withConst ? 1 : 0;
  const aic = new Float64Array(maxlag + 1).fill(Infinity);
  for (let k = maxlag; k >= 0; k--) {
    const m = ntrend + 1 + k;
    // Model k uses columns 0..m-1 and is valid when those factorised (y's own pivot is not needed).
    if (k < maxlag) tail += g[yRow + m] * g[yRow + m];
    const ssr = good === size ? tail : NaN;
    if (good >= m && ssr > 0) {
      const llf = -0.5 * rows * (LN_2PI + Math.log(ssr / rows) + 1);
      aic[k] = -2 * llf + 2 * m;
    }
  }
  let bestLag = 0;
  for (let k = 1; k <= maxlag; k++) if (aic[k] < aic[bestLag]) bestLag = k;
  let second = Infinity;
  for (let k = 0; k <= maxlag; k++) if (k !== bestLag && aic[k] < second) second = aic[k];
  return { bestLag, icbest: aic[bestLag], aicGap: maxlag >= 1 ? second - aic[bestLag] : undefined };
}

/** ADF unit-root test with statsmodels' conventions; see the module comment. */
export function adfuller(x: ArrayLike<number>, options: AdfOptions): AdfResult {
  const { regression, autolag } = options;
  if (regression !== 'c' && regression !== 'n') throw new RangeError(`adfuller: unknown regression '${String(regression)}'`);
  const n = x.length;
  const ntrend = regression === 'c' ? 1 : 0;
  let maxlag: number;
  if (options.maxlag === undefined) {
    maxlag = defaultMaxlag(n, regression);
    if (maxlag < 0) throw new RangeError(`adfuller: sample of ${n} is too short`);
  } else {
    maxlag = options.maxlag;
    if (!Number.isInteger(maxlag) || maxlag < 0) throw new RangeError(`adfuller: maxlag must be a non-negative integer, got ${maxlag}`);
    if (maxlag > Math.floor(n / 2) - ntrend - 1) {
      throw new RangeError(`adfuller: maxlag ${maxlag} must be at most nobs/2 - 1 - ntrend = ${Math.floor(n / 2) - ntrend - 1}`);
    }
  }
  for (let i = 0; i < n; i++) if (!Number.isFinite(x[i])) throw new RangeError(`adfuller: value at index ${i} is not finite`);

  // With a constant in the model, shifting the level column by its mean changes neither the SSR nor
  // rho's t-value, and keeps the Gram matrix well conditioned when the level sits far from zero.
  let shift = 0;
  if (regression === 'c') {
    for (let i = 0; i < n; i++) shift += x[i];
    shift /= n;
  }
  let level: Float64Array;
  if (shift === 0 && x instanceof Float64Array) {
    level = x;
  } else {
    level = new Float64Array(n);
    for (let i = 0; i < n; i++) level[i] = x[i] - shift;
  }
  const dx = new Float64Array(n);
  dx[0] = NaN;
  for (let t = 1; t < n; t++) dx[t] = x[t] - x[t - 1];

  const withConst = regression === 'c';
  let usedlag = maxlag;
  let search: LagSearch | undefined;
  if (autolag === 'aic') {
    search = searchLag(level, dx, maxlag, withConst);
    usedlag = search.bestLag;
  } else if (autolag !== null) {
    throw new RangeError(`adfuller: unsupported autolag '${String(autolag)}'`);
  }
  const stat = adfStatistic(level, dx, usedlag, withConst);
  const nobs = n - 1 - usedlag;
  const result: AdfResult = {
    stat,
    pvalue: mackinnonp(stat, regression, 1),
    usedlag,
    nobs,
    crit: mackinnoncrit(1, regression, nobs),
    maxlag,
  };
  if (search) {
    result.icbest = search.icbest;
    if (search.aicGap !== undefined) result.aicGap = search.aicGap;
  }
  return result;
}
