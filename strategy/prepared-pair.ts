/**
 * A pair's test period made ready for simulation, without look-ahead:
 *   - hedge ratio and half-life are fitted on the `formationBars` bars before the test period only;
 *   - the z-score at bar t is a rolling statistic of spread values at bars <= t (formation bars
 *     feed the first windows, so z is defined from the first test bar);
 *   - the half-life (fitted in bars) is converted to hours at the median bar spacing of the formation window.
 */
import type { BacktestInput } from './backtest-input';
import { invalidInput } from './backtest-input-error';
import { fitHedge } from './ols';
import { halfLife as fitHalfLife, logPrices, rollingZScore, spreadSeries } from './spread';
import { HOUR_MS } from './time-units';
import { inferBarsPerYear } from './bars-per-year';

export const DEFAULT_WINDOW = 40;
export const DEFAULT_FORMATION_BARS = 500;
/** The formation window must hold at least this many bars (and at least one z window). */
export const MIN_FORMATION_BARS = 20;

/** Everything the simulation needs that does not depend on the thresholds: computed once per pair. */
export interface PreparedPair {
  /** Test-period bars only. */
  timestamps: Float64Array;
  price1: Float64Array;
  price2: Float64Array;
  z: Float64Array;
  beta: number;
  alpha: number;
  halfLifeBars: number | null;
  halfLifeHours: number | null;
  /** Median bar spacing of the formation window in hours: the hold time of a trade is bars held x this. */
  barHours: number;
  /** Bar frequency inferred from the timestamps (formation + test): hourly session bars ~1,760, daily closes ~252. */
  barsPerYear: number;
  window: number;
  formationStartIndex: number;
  testStartIndex: number;
  testEndIndex: number;
}

function lowerBound(ts: Float64Array, value: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(ts: Float64Array, value: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function medianSpacingHours(ts: Float64Array, from: number, to: number): number {
  const gaps = new Float64Array(to - from - 1);
  for (let i = from + 1; i < to; i++) gaps[i - from - 1] = ts[i] - ts[i - 1];
  gaps.sort();
  return gaps[gaps.length >> 1] / HOUR_MS;
}

function isConstant(v: Float64Array, from: number, to: number): boolean {
  for (let i = from + 1; i < to; i++) if (v[i] !== v[from]) return false;
  return true;
}

/**
 * Default formation window: DEFAULT_FORMATION_BARS, or fewer when the data is short: all bars
 * before the test start when one is given, else half of the bars (the other half is the test).
 */
export function defaultFormationBars(totalBars: number, testStartIndex?: number): number {
  return Math.min(DEFAULT_FORMATION_BARS, testStartIndex ?? Math.floor(totalBars / 2));
}

/** Validates the series, fits the formation window and computes the test-period z-scores. */
export function preparePair(input: BacktestInput): PreparedPair {
  const { timestamps: ts, price1, price2 } = input;
  if (!(ts instanceof Float64Array) || !(price1 instanceof Float64Array) || !(price2 instanceof Float64Array)) {
    invalidInput('timestamps, price1 and price2 must be Float64Arrays');
  }
  const n = ts.length;
  if (price1.length !== n || price2.length !== n)
    invalidInput(`series lengths differ: ${n} timestamps, ${price1.length} price1, ${price2.length} price2`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(ts[i])) invalidInput(`timestamp at bar ${i} is not a finite number`);
    if (i > 0 && !(ts[i] > ts[i - 1])) invalidInput(`timestamps must increase strictly (bar ${i})`);
    if (!(price1[i] > 0 && Number.isFinite(price1[i]))) invalidInput(`price1 at bar ${i} is not a positive number: ${price1[i]}`);
    if (!(price2[i] > 0 && Number.isFinite(price2[i]))) invalidInput(`price2 at bar ${i} is not a positive number: ${price2[i]}`);
  }
  const window = input.window ?? DEFAULT_WINDOW;
  if (!Number.isInteger(window) || window < 2) invalidInput(`z-score window must be an integer >= 2, got ${window}`);
  const formationBars = input.formationBars ?? DEFAULT_FORMATION_BARS;
  const minFormation = Math.max(MIN_FORMATION_BARS, window);
  if (!Number.isInteger(formationBars) || formationBars < minFormation) {
    invalidInput(`formation bars must be an integer >= ${minFormation} (max of ${MIN_FORMATION_BARS} and the z window), got ${formationBars}`);
  }
  if (input.startMs !== undefined && !Number.isFinite(input.startMs)) invalidInput('start time is not a valid time');
  if (input.endMs !== undefined && !Number.isFinite(input.endMs)) invalidInput('end time is not a valid time');
  if (input.startMs !== undefined && input.endMs !== undefined && input.endMs < input.startMs) invalidInput('end is before start');

  const testStart = input.testStartIndex ?? (input.startMs !== undefined ? lowerBound(ts, input.startMs) : formationBars);
  const testEnd = input.testEndIndex ?? (input.endMs !== undefined ? upperBound(ts, input.endMs) : n);
  if (!Number.isInteger(testStart) || testStart < 0) invalidInput(`test start index must be a non-negative integer, got ${testStart}`);
  if (!Number.isInteger(testEnd) || testEnd > n) invalidInput(`test end index must be an integer <= ${n}, got ${testEnd}`);
  if (testStart < formationBars) {
    invalidInput(
      `need ${formationBars} formation bars before the test start, only ${testStart} available (move the start later or lower --formation-bars)`,
    );
  }
  if (testEnd - testStart < 2) invalidInput(`test period has ${Math.max(0, testEnd - testStart)} bars; need at least 2`);

  const formStart = testStart - formationBars;
  if (isConstant(price1, formStart, testStart)) invalidInput('price1 is constant over the formation window; hedge ratio undefined');
  if (isConstant(price2, formStart, testStart)) invalidInput('price2 is constant over the formation window; hedge ratio undefined');

  const lp1 = logPrices(price1.subarray(formStart, testEnd));
  const lp2 = logPrices(price2.subarray(formStart, testEnd));
  const hedge = fitHedge(lp1.subarray(0, formationBars), lp2.subarray(0, formationBars));
  if (!Number.isFinite(hedge.beta)) invalidInput('hedge ratio is not finite over the formation window');
  const spread = spreadSeries(lp1, lp2, hedge.beta);
  if (isConstant(spread, 0, formationBars)) invalidInput('spread is constant over the formation window; z-score undefined');
  const hl = fitHalfLife(spread.subarray(0, formationBars)).halfLife;
  const halfLifeBars = hl !== null && Number.isFinite(hl) ? hl : null;
  const barHours = medianSpacingHours(ts, formStart, testStart);
  const halfLifeHours = halfLifeBars === null ? null : halfLifeBars * barHours;
  const { z } = rollingZScore(spread, window);

  return {
    timestamps: ts.slice(testStart, testEnd),
    price1: price1.slice(testStart, testEnd),
    price2: price2.slice(testStart, testEnd),
    z: z.slice(formationBars),
    beta: hedge.beta,
    alpha: hedge.alpha,
    halfLifeBars,
    halfLifeHours,
    barHours,
    barsPerYear: inferBarsPerYear(ts.subarray(formStart, testEnd)),
    window,
    formationStartIndex: formStart,
    testStartIndex: testStart,
    testEndIndex: testEnd,
  };
}
