/** Ordinary least squares with one regressor and a constant, computed from centred sums. */

export interface HedgeFit {
  alpha: number;
  beta: number;
  alphaSe: number;
  betaSe: number;
  r2: number;
  /** sqrt(SSR / (n - 2)). */
  residStd: number;
}

export interface SimpleRegression extends HedgeFit {
  n: number;
  ssr: number;
}

function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s / v.length;
}

/** OLS y = alpha + beta*x + e. Throws when the inputs are misaligned, too short, or x is constant. */
export function simpleRegression(y: ArrayLike<number>, x: ArrayLike<number>): SimpleRegression {
  const n = y.length;
  if (x.length !== n) throw new RangeError(`regression inputs differ in length (${n} vs ${x.length})`);
  if (n < 3) throw new RangeError(`regression needs at least 3 points, got ${n}`);
  const my = mean(y);
  const mx = mean(x);
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (!(sxx > 0)) throw new RangeError('regressor is constant; slope is undefined');
  const beta = sxy / sxx;
  const alpha = my - beta * mx;
  // Residual sum of squares computed directly (more accurate than syy - beta*sxy near a perfect fit).
  let ssr = 0;
  for (let i = 0; i < n; i++) {
    const e = y[i] - alpha - beta * x[i];
    ssr += e * e;
  }
  const sigma2 = ssr / (n - 2);
  const betaSe = Math.sqrt(sigma2 / sxx);
  const alphaSe = Math.sqrt(sigma2 * (1 / n + (mx * mx) / sxx));
  const r2 = syy > 0 ? 1 - ssr / syy : NaN;
  return { alpha, beta, alphaSe, betaSe, r2, residStd: Math.sqrt(sigma2), n, ssr };
}

/** Hedge ratio: OLS log p1 = alpha + beta * log p2. */
export function fitHedge(logP1: ArrayLike<number>, logP2: ArrayLike<number>): HedgeFit {
  const { alpha, beta, alphaSe, betaSe, r2, residStd } = simpleRegression(logP1, logP2);
  return { alpha, beta, alphaSe, betaSe, r2, residStd };
}
