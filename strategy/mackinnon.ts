/**
 * MacKinnon response-surface p-values (1994) and critical values (2010), transcribed from
 * statsmodels 0.13.5 `statsmodels/tsa/adfvalues.py` (tables and evaluation order kept identical so
 * results agree to the last bit or two).
 *
 * N = number of I(1) series: 1 for the ADF test, 2 for the two-variable Engle-Granger test.
 */
import { normalCdf } from './normal';

export type MackinnonRegression = 'c' | 'n';

/** Index N-1. Tables cover N = 1..6 for p-values. */
const TAU_STAR: Record<MackinnonRegression, readonly number[]> = {
  n: [-1.04, -1.53, -2.68, -3.09, -3.07, -3.77],
  c: [-1.61, -2.62, -3.13, -3.47, -3.78, -3.93],
};
const TAU_MIN: Record<MackinnonRegression, readonly number[]> = {
  n: [-19.04, -19.62, -21.21, -23.25, -21.63, -25.74],
  c: [-18.83, -18.86, -23.48, -28.07, -25.96, -23.27],
};
const TAU_MAX: Record<MackinnonRegression, readonly number[]> = {
  n: [Infinity, 1.51, 0.86, 0.88, 1.05, 1.24],
  c: [2.74, 0.92, 0.55, 0.61, 0.79, 1],
};

const SMALL_SCALING = [1, 1, 1e-2];
const LARGE_SCALING = [1, 1e-1, 1e-1, 1e-2];

function scaled(rows: number[][], scaling: number[]): number[][] {
  return rows.map((row) => row.map((v, i) => v * scaling[i]));
}

/** Coefficients in increasing powers of the statistic: p = Phi(c0 + c1 t + c2 t^2 [+ c3 t^3]). */
const TAU_SMALLP: Record<MackinnonRegression, number[][]> = {
  n: scaled(
    [
      [0.6344, 1.2378, 3.2496],
      [1.9129, 1.3857, 3.5322],
      [2.7648, 1.4502, 3.4186],
      [3.4336, 1.4835, 3.19],
      [4.0999, 1.5533, 3.59],
      [4.5388, 1.5344, 2.9807],
    ],
    SMALL_SCALING,
  ),
  c: scaled(
    [
      [2.1659, 1.4412, 3.8269],
      [2.92, 1.5012, 3.9796],
      [3.4699, 1.4856, 3.164],
      [3.9673, 1.4777, 2.6315],
      [4.5509, 1.5338, 2.9545],
      [5.1399, 1.6036, 3.4445],
    ],
    SMALL_SCALING,
  ),
};
const TAU_LARGEP: Record<MackinnonRegression, number[][]> = {
  n: scaled(
    [
      [0.4797, 9.3557, -0.6999, 3.3066],
      [1.5578, 8.558, -2.083, -3.3549],
      [2.2268, 6.8093, -3.2362, -5.4448],
      [2.7654, 6.4502, -3.0811, -4.4946],
      [3.2684, 6.8051, -2.6778, -3.4972],
      [3.7268, 7.167, -2.3648, -2.8288],
    ],
    LARGE_SCALING,
  ),
  c: scaled(
    [
      [1.7339, 9.3202, -1.2745, -1.0368],
      [2.1945, 6.4695, -2.9198, -4.2377],
      [2.5893, 4.5168, -3.6529, -5.0074],
      [3.0387, 4.5452, -3.3666, -4.1921],
      [3.5049, 5.2098, -2.9158, -3.3468],
      [3.9489, 5.8933, -2.5359, -2.721],
    ],
    LARGE_SCALING,
  ),
};

/**
 * MacKinnon (2010) critical-value surfaces, `tau_2010s` in statsmodels: for each N, rows 1 %, 5 %,
 * 10 %, each [b0, b1, b2, b3] with crit = b0 + b1/T + b2/T^2 + b3/T^3. The no-constant table only
 * exists for N = 1.
 */
const TAU_2010: Record<MackinnonRegression, number[][][]> = {
  c: [
    [
      [-3.43035, -6.5393, -16.786, -79.433],
      [-2.86154, -2.8903, -4.234, -40.04],
      [-2.56677, -1.5384, -2.809, 0],
    ],
    [
      [-3.89644, -10.9519, -33.527, 0],
      [-3.33613, -6.1101, -6.823, 0],
      [-3.04445, -4.2412, -2.72, 0],
    ],
  ],
  n: [
    [
      [-2.56574, -2.2358, -3.627, 0],
      [-1.941, -0.2686, -3.365, 31.223],
      [-1.61682, 0.2656, -2.714, 25.364],
    ],
  ],
};

/** numpy.polyval order: coefficients given in increasing powers, evaluated by Horner from the top. */
function polyvalIncreasing(coefs: readonly number[], x: number): number {
  let acc = 0;
  for (let i = coefs.length - 1; i >= 0; i--) acc = acc * x + coefs[i];
  return acc;
}

function checkN(table: readonly unknown[], n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1 || n > table.length) {
    throw new RangeError(`${what}: N must be an integer in 1..${table.length}, got ${n}`);
  }
}

/** MacKinnon (1994) approximate asymptotic p-value of a unit-root / cointegration t-statistic. */
export function mackinnonp(stat: number, regression: MackinnonRegression = 'c', N = 1): number {
  checkN(TAU_STAR[regression], N, 'mackinnonp');
  if (Number.isNaN(stat)) return NaN;
  if (stat > TAU_MAX[regression][N - 1]) return 1;
  if (stat < TAU_MIN[regression][N - 1]) return 0;
  const coefs = stat <= TAU_STAR[regression][N - 1] ? TAU_SMALLP[regression][N - 1] : TAU_LARGEP[regression][N - 1];
  return normalCdf(polyvalIncreasing(coefs, stat));
}

/** MacKinnon (2010) critical values [1 %, 5 %, 10 %] for sample size `nobs` (Infinity: asymptotic). */
export function mackinnoncrit(N = 1, regression: MackinnonRegression = 'c', nobs = Infinity): [number, number, number] {
  const table = TAU_2010[regression];
  checkN(table, N, 'mackinnoncrit');
  const rows = table[N - 1];
  if (nobs === Infinity) return [rows[0][0], rows[1][0], rows[2][0]];
  if (!(nobs > 0)) throw new RangeError(`mackinnoncrit: nobs must be positive, got ${nobs}`);
  const u = 1 / nobs;
  return [polyvalIncreasing(rows[0], u), polyvalIncreasing(rows[1], u), polyvalIncreasing(rows[2], u)];
}
