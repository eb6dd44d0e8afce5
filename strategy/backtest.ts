/**
 * Event-driven pairs backtest over hourly bars. Per bar it calls the same rules the live cycle
 * uses: classifySignal (the core of decideSignal) and legCapital/sharesFor (the core of sizeLegs).
 *
 * No look-ahead:
 *   - hedge ratio and half-life are fitted on the `formationBars` bars before the test period only;
 *   - the z-score at bar t is a rolling statistic of spread values at bars <= t (formation bars
 *     feed the first windows, so z is defined from the first test bar);
 *   - every action fills at the close of the bar whose z triggered it.
 *
 * Execution model:
 *   - fills at the bar close, moved against us by slippageBps (buys higher, sells lower);
 *   - commission per order = max(minCommissionPerOrder, commissionPerShare x qty), on both legs at
 *     entry and at exit;
 *   - at most one action per bar (an exit does not re-enter on the same bar), no entries on the
 *     last test bar, and an open trade is closed on the last test bar with exit_reason END;
 *   - hold time is wall-clock hours between bar timestamps (what the live cycle sees), compared
 *     with 3 x half-life where half-life (fitted in bars) is converted at the median bar spacing.
 *
 * Equity is marked to market at every bar close: cash + signed quantities x close prices.
 *
 * Metrics (BARS_PER_YEAR = 8 x 252, see metrics.ts):
 *   - sharpe_ratio: mean / sample std of the per-bar change of marked-to-market equity, x sqrt(BARS_PER_YEAR)
 *     (per-bar P&L on the initial capital base; the scale cancels, and no division per bar is needed);
 *     0 when the equity never moves;
 *   - max_drawdown: largest (peak - equity) / peak over the test bars, a fraction;
 *   - annualized_return: (1 + total_return)^(BARS_PER_YEAR / test bars) - 1, null if that overflows;
 *   - win_rate: trades with P&L > 0 / all closed trades (0 without trades);
 *   - profit_factor: gross profit / gross loss, null when no trade lost money (JSON has no Infinity);
 *   - kelly_fraction: full Kelly (sizing.ts kellyFraction) over this run's trades, null without wins;
 *   - passed_gate: Sharpe > 0.5 && win rate > 0.45 && max drawdown < 0.15.
 */
import { fitHedge } from './ols';
import { halfLife as fitHalfLife, logPrices, rollingZScore, spreadSeries } from './spread';
import * as signals from './signals';
import { holdLimitHours, thresholdsProblem, type Thresholds, type TradeSide } from './signals';
import * as sizing from './sizing';
import { DEFAULT_BOOTSTRAP_TRADES, DEFAULT_MAX_LEG_PCT, kellyFromCounts } from './sizing';
import { annualizeReturn, annualizedSharpe, passesGate } from './metrics';

export class BacktestInputError extends Error {
  override name = 'BacktestInputError';
}

export interface BacktestCosts {
  /** $ per share per order (default 0.005). */
  commissionPerShare: number;
  /** Minimum commission per order in $ (default 1.00). */
  minCommissionPerOrder: number;
  /** Fill price moved against the trade by this many basis points (default 5). */
  slippageBps: number;
}

export const DEFAULT_COSTS: BacktestCosts = { commissionPerShare: 0.005, minCommissionPerOrder: 1, slippageBps: 5 };
export const DEFAULT_THRESHOLDS: Thresholds = { entry: 2.0, exit: 0.5, stopLoss: 3.0, maxHoldHours: 72 };
export const DEFAULT_WINDOW = 40;
export const DEFAULT_FORMATION_BARS = 500;
export const DEFAULT_INITIAL_CAPITAL = 100_000;
export const DEFAULT_BOOTSTRAP_PCT = 0.02;
/** The formation window must hold at least this many bars (and at least one z window). */
export const MIN_FORMATION_BARS = 20;

export interface BacktestInput {
  timestamps: Float64Array;
  price1: Float64Array;
  price2: Float64Array;
  /** First test bar; default: first bar at or after startMs, else formationBars. */
  testStartIndex?: number;
  /** One past the last test bar; default: one past the last bar at or before endMs, else all bars. */
  testEndIndex?: number;
  startMs?: number;
  endMs?: number;
  /** Bars immediately before the test period used to fit hedge ratio and half-life (default 500). */
  formationBars?: number;
  /** Rolling z-score window in bars (default 40). */
  window?: number;
  thresholds?: Thresholds;
  initialCapital?: number;
  bootstrapPct?: number;
  maxLegPct?: number;
  bootstrapTrades?: number;
  costs?: Partial<BacktestCosts>;
}

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
  window: number;
  formationStartIndex: number;
  testStartIndex: number;
  testEndIndex: number;
}

export interface SimParams {
  thresholds: Thresholds;
  initialCapital: number;
  bootstrapPct: number;
  maxLegPct: number;
  bootstrapTrades: number;
  costs: BacktestCosts;
}

export type ExitReason = 'EXIT' | 'STOP_LOSS' | 'EXPIRE' | 'END';

export interface TradeLogEntry {
  side: TradeSide;
  /** Epoch ms of the entry / exit bar. */
  entry_time: number;
  exit_time: number;
  entry_z: number;
  /** null only if z was undefined on the bar an END close happened. */
  exit_z: number | null;
  qty1: number;
  qty2: number;
  /** Fill prices (close +/- slippage). */
  entry_price1: number;
  entry_price2: number;
  exit_price1: number;
  exit_price2: number;
  /** Both legs' P&L net of all four commissions. */
  pnl: number;
  hold_hours: number;
  exit_reason: ExitReason;
}

export interface BacktestMetrics {
  total_return: number;
  annualized_return: number | null;
  sharpe_ratio: number;
  /** Largest peak-to-trough fall of marked-to-market equity, as a fraction of the peak. */
  max_drawdown: number;
  win_rate: number;
  /** Gross profit / gross loss; null when there is no losing trade (ratio undefined). */
  profit_factor: number | null;
  total_trades: number;
  avg_hold_time_hours: number;
  /** Full Kelly fraction from this run's closed trades; null with no trades or no wins. */
  kelly_fraction: number | null;
  passed_gate: boolean;
}

/** POST /backtest response without run_id / pair_id (the API adds those). */
export interface BacktestResult extends BacktestMetrics {
  equity_curve: { timestamp: number; equity: number }[];
  trade_log: TradeLogEntry[];
}

const MS_PER_HOUR = 3_600_000;
// Module-local bindings: CommonJS imports compile to property reads on the module object, which
// cost more than the rest of a bar's work in the simulation loop.
const { classifySignal, POS_FLAT, POS_LONG, POS_SHORT, SIG_EXIT, SIG_EXPIRE, SIG_LONG_SPREAD, SIG_NONE, SIG_SHORT_SPREAD, SIG_STOP_LOSS } = signals;
const { legCapital, sharesFor } = sizing;
const SIDE_OF_POSITION: Record<number, TradeSide> = { [POS_LONG]: 'LONG_SPREAD', [POS_SHORT]: 'SHORT_SPREAD' };
const REASON_OF_CODE: Record<number, ExitReason> = { [SIG_EXIT]: 'EXIT', [SIG_STOP_LOSS]: 'STOP_LOSS', [SIG_EXPIRE]: 'EXPIRE' };

function fail(message: string): never {
  throw new BacktestInputError(message);
}

const isNonNegative = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;

/** Validates and fills the thresholds-dependent parameters. */
export function resolveSimParams(input: Omit<BacktestInput, 'timestamps' | 'price1' | 'price2'>): SimParams {
  const thresholds = input.thresholds ?? DEFAULT_THRESHOLDS;
  const problem = thresholdsProblem(thresholds);
  if (problem) fail(problem);
  const initialCapital = input.initialCapital ?? DEFAULT_INITIAL_CAPITAL;
  if (!(Number.isFinite(initialCapital) && initialCapital > 0)) fail(`initial capital must be a positive number, got ${initialCapital}`);
  const bootstrapPct = input.bootstrapPct ?? DEFAULT_BOOTSTRAP_PCT;
  if (!(bootstrapPct > 0 && bootstrapPct <= 1)) fail(`bootstrap position pct must be in (0, 1], got ${bootstrapPct}`);
  const maxLegPct = input.maxLegPct ?? DEFAULT_MAX_LEG_PCT;
  if (!(maxLegPct > 0 && maxLegPct <= 1)) fail(`max leg pct must be in (0, 1], got ${maxLegPct}`);
  const bootstrapTrades = input.bootstrapTrades ?? DEFAULT_BOOTSTRAP_TRADES;
  if (!Number.isInteger(bootstrapTrades) || bootstrapTrades < 0) fail(`bootstrap trades must be a non-negative integer, got ${bootstrapTrades}`);
  const costs: BacktestCosts = { ...DEFAULT_COSTS, ...(input.costs ?? {}) };
  for (const key of ['commissionPerShare', 'minCommissionPerOrder', 'slippageBps'] as const) {
    if (!isNonNegative(costs[key])) fail(`${key} must be a non-negative number, got ${String(costs[key])}`);
  }
  if (costs.slippageBps >= 10_000) fail(`slippageBps must be below 10000, got ${costs.slippageBps}`);
  return { thresholds: { ...thresholds }, initialCapital, bootstrapPct, maxLegPct, bootstrapTrades, costs };
}

function lowerBound(ts: Float64Array, value: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < value) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function upperBound(ts: Float64Array, value: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] <= value) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function medianSpacingHours(ts: Float64Array, from: number, to: number): number {
  const gaps = new Float64Array(to - from - 1);
  for (let i = from + 1; i < to; i++) gaps[i - from - 1] = ts[i] - ts[i - 1];
  gaps.sort();
  return gaps[gaps.length >> 1] / MS_PER_HOUR;
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
    fail('timestamps, price1 and price2 must be Float64Arrays');
  }
  const n = ts.length;
  if (price1.length !== n || price2.length !== n) fail(`series lengths differ: ${n} timestamps, ${price1.length} price1, ${price2.length} price2`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(ts[i])) fail(`timestamp at bar ${i} is not a finite number`);
    if (i > 0 && !(ts[i] > ts[i - 1])) fail(`timestamps must increase strictly (bar ${i})`);
    if (!(price1[i] > 0 && Number.isFinite(price1[i]))) fail(`price1 at bar ${i} is not a positive number: ${price1[i]}`);
    if (!(price2[i] > 0 && Number.isFinite(price2[i]))) fail(`price2 at bar ${i} is not a positive number: ${price2[i]}`);
  }
  const window = input.window ?? DEFAULT_WINDOW;
  if (!Number.isInteger(window) || window < 2) fail(`z-score window must be an integer >= 2, got ${window}`);
  const formationBars = input.formationBars ?? DEFAULT_FORMATION_BARS;
  const minFormation = Math.max(MIN_FORMATION_BARS, window);
  if (!Number.isInteger(formationBars) || formationBars < minFormation) {
    fail(`formation bars must be an integer >= ${minFormation} (max of ${MIN_FORMATION_BARS} and the z window), got ${formationBars}`);
  }
  if (input.startMs !== undefined && !Number.isFinite(input.startMs)) fail('start time is not a valid time');
  if (input.endMs !== undefined && !Number.isFinite(input.endMs)) fail('end time is not a valid time');
  if (input.startMs !== undefined && input.endMs !== undefined && input.endMs < input.startMs) fail('end is before start');

  const testStart = input.testStartIndex ?? (input.startMs !== undefined ? lowerBound(ts, input.startMs) : formationBars);
  const testEnd = input.testEndIndex ?? (input.endMs !== undefined ? upperBound(ts, input.endMs) : n);
  if (!Number.isInteger(testStart) || testStart < 0) fail(`test start index must be a non-negative integer, got ${testStart}`);
  if (!Number.isInteger(testEnd) || testEnd > n) fail(`test end index must be an integer <= ${n}, got ${testEnd}`);
  if (testStart < formationBars) {
    fail(`need ${formationBars} formation bars before the test start, only ${testStart} available (move the start later or lower --formation-bars)`);
  }
  if (testEnd - testStart < 2) fail(`test period has ${Math.max(0, testEnd - testStart)} bars; need at least 2`);

  const formStart = testStart - formationBars;
  if (isConstant(price1, formStart, testStart)) fail('price1 is constant over the formation window; hedge ratio undefined');
  if (isConstant(price2, formStart, testStart)) fail('price2 is constant over the formation window; hedge ratio undefined');

  const lp1 = logPrices(price1.subarray(formStart, testEnd));
  const lp2 = logPrices(price2.subarray(formStart, testEnd));
  const hedge = fitHedge(lp1.subarray(0, formationBars), lp2.subarray(0, formationBars));
  if (!Number.isFinite(hedge.beta)) fail('hedge ratio is not finite over the formation window');
  const spread = spreadSeries(lp1, lp2, hedge.beta);
  if (isConstant(spread, 0, formationBars)) fail('spread is constant over the formation window; z-score undefined');
  const hl = fitHalfLife(spread.subarray(0, formationBars)).halfLife;
  const halfLifeBars = hl !== null && Number.isFinite(hl) ? hl : null;
  const halfLifeHours = halfLifeBars === null ? null : halfLifeBars * medianSpacingHours(ts, formStart, testStart);
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
    window,
    formationStartIndex: formStart,
    testStartIndex: testStart,
    testEndIndex: testEnd,
  };
}

/** Optional sinks for the full report; the sweep passes null and gets metrics only. */
export interface SimRecorder {
  equity: Float64Array;
  trades: TradeLogEntry[];
}

/**
 * The simulation loop. Allocation-free per bar (and per trade when `rec` is null), so the sweep can
 * call it once per parameter set.
 */
export function simulate(pair: PreparedPair, params: SimParams, rec: SimRecorder | null): BacktestMetrics {
  const { timestamps: ts, price1: p1, price2: p2, z } = pair;
  const n = ts.length;
  const { entry, exit, stopLoss, maxHoldHours } = params.thresholds;
  const { commissionPerShare, minCommissionPerOrder } = params.costs;
  const slip = params.costs.slippageBps / 10_000;
  const { bootstrapPct, maxLegPct, bootstrapTrades } = params;
  const holdLimit = holdLimitHours(pair.halfLifeHours, maxHoldHours);
  const holdLimitMsSafe = holdLimit * MS_PER_HOUR * (1 - 1e-9);
  const initial = params.initialCapital;

  let cash = initial;
  let pos = POS_FLAT;
  let q1 = 0; // signed share positions
  let q2 = 0;
  let entryBar = -1;
  let entryMs = 0;
  let entryZ = 0;
  let entryFill1 = 0;
  let entryFill2 = 0;
  let entryCommission = 0;

  let trades = 0;
  let wins = 0;
  let grossWin = 0;
  let grossLoss = 0;
  let holdSum = 0;

  let prevEquity = initial;
  let peak = initial;
  let maxDd = 0;
  let ddFloor = initial;
  // Per-bar equity changes in $: sum and sum of squares (for the Sharpe ratio, see the header).
  let sumPnl = 0;
  let sumPnl2 = 0;
  let equity = initial;

  const lastBar = n - 1;
  for (let i = 0; i < n; i++) {
    const zi = z[i];
    if (pos === POS_FLAT) {
      // Flat and no entry: nothing changes, the bar's return is exactly 0 (fast path of the sweep).
      const code = i < lastBar ? classifySignal(POS_FLAT, zi, 0, holdLimit, entry, exit, stopLoss) : SIG_NONE;
      if (code === SIG_NONE) {
        if (rec !== null) rec.equity[i] = equity;
        continue;
      }
      const price1 = p1[i];
      const price2 = p2[i];
      const losses = trades - wins;
      const capital = legCapital(
        cash, trades, wins, wins > 0 ? grossWin / wins : 0, losses > 0 ? grossLoss / losses : 0,
        bootstrapPct, maxLegPct, bootstrapTrades,
      );
      const a1 = sharesFor(capital, price1);
      const a2 = sharesFor(capital, price2);
      if (a1 <= 0 || a2 <= 0) {
        if (rec !== null) rec.equity[i] = equity;
        continue;
      }
      // LONG_SPREAD: long symbol1, short symbol2; SHORT_SPREAD the reverse.
      pos = code === SIG_LONG_SPREAD ? POS_LONG : POS_SHORT;
      q1 = pos * a1;
      q2 = -pos * a2;
      entryFill1 = q1 > 0 ? price1 * (1 + slip) : price1 * (1 - slip);
      entryFill2 = q2 > 0 ? price2 * (1 + slip) : price2 * (1 - slip);
      const c1 = commissionPerShare * a1;
      const c2 = commissionPerShare * a2;
      entryCommission = (c1 > minCommissionPerOrder ? c1 : minCommissionPerOrder) + (c2 > minCommissionPerOrder ? c2 : minCommissionPerOrder);
      cash -= q1 * entryFill1 + q2 * entryFill2 + entryCommission;
      entryBar = i;
      entryMs = ts[i];
      entryZ = zi;
      equity = cash + q1 * price1 + q2 * price2;
    } else {
      const price1 = p1[i];
      const price2 = p2[i];
      // The division to hours is only done near the hold limit: below holdLimitMsSafe the exact
      // hold time cannot exceed the limit, so 0 yields the same classification.
      const heldMs = ts[i] - entryMs;
      let holdHours = heldMs > holdLimitMsSafe ? heldMs / MS_PER_HOUR : 0;
      let code = classifySignal(pos, zi, holdHours, holdLimit, entry, exit, stopLoss);
      if (code === SIG_NONE && i === lastBar) code = -1; // END
      if (code !== SIG_NONE) {
        holdHours = heldMs / MS_PER_HOUR;
        // Closing: sell what is long (fill below close), buy back what is short (fill above close).
        const exitFill1 = q1 > 0 ? price1 * (1 - slip) : price1 * (1 + slip);
        const exitFill2 = q2 > 0 ? price2 * (1 - slip) : price2 * (1 + slip);
        const a1 = q1 < 0 ? -q1 : q1;
        const a2 = q2 < 0 ? -q2 : q2;
        const c1 = commissionPerShare * a1;
        const c2 = commissionPerShare * a2;
        const exitCommission = (c1 > minCommissionPerOrder ? c1 : minCommissionPerOrder) + (c2 > minCommissionPerOrder ? c2 : minCommissionPerOrder);
        cash += q1 * exitFill1 + q2 * exitFill2 - exitCommission;
        const pnl = q1 * (exitFill1 - entryFill1) + q2 * (exitFill2 - entryFill2) - entryCommission - exitCommission;
        trades++;
        if (pnl > 0) { wins++; grossWin += pnl; } else { grossLoss -= pnl; }
        holdSum += holdHours;
        if (rec !== null) {
          rec.trades.push({
            side: SIDE_OF_POSITION[pos],
            entry_time: ts[entryBar], exit_time: ts[i],
            entry_z: entryZ, exit_z: Number.isFinite(zi) ? zi : null,
            qty1: a1, qty2: a2,
            entry_price1: entryFill1, entry_price2: entryFill2,
            exit_price1: exitFill1, exit_price2: exitFill2,
            pnl, hold_hours: holdHours,
            exit_reason: code === -1 ? 'END' : REASON_OF_CODE[code],
          });
        }
        pos = POS_FLAT;
        q1 = 0;
        q2 = 0;
      }
      equity = pos === POS_FLAT ? cash : cash + q1 * price1 + q2 * price2;
    }
    // Equity marked at this bar's close changed (in a position, or an entry / exit happened).
    const barPnl = equity - prevEquity;
    prevEquity = equity;
    sumPnl += barPnl;
    sumPnl2 += barPnl * barPnl;
    if (equity > peak) {
      peak = equity;
      ddFloor = peak * (1 - maxDd);
    } else if (equity < ddFloor) {
      // Below the level that would deepen the drawdown: only then is the division needed.
      const dd = (peak - equity) / peak;
      if (dd > maxDd) {
        maxDd = dd;
        ddFloor = peak * (1 - maxDd);
      }
    }
    if (rec !== null) rec.equity[i] = equity;
  }

  const totalReturn = equity / initial - 1;
  const pnlMean = sumPnl / n;
  const pnlVar = n > 1 ? (sumPnl2 - sumPnl * pnlMean) / (n - 1) : 0;
  const sharpe = annualizedSharpe(pnlMean, pnlVar > 0 ? Math.sqrt(pnlVar) : 0);
  const winRate = trades > 0 ? wins / trades : 0;
  const kf = kellyFromCounts(trades, wins, wins > 0 ? grossWin / wins : 0, trades > wins ? grossLoss / (trades - wins) : 0);
  return {
    total_return: totalReturn,
    annualized_return: annualizeReturn(totalReturn, n),
    sharpe_ratio: sharpe,
    max_drawdown: maxDd,
    win_rate: winRate,
    profit_factor: grossLoss > 0 ? grossWin / grossLoss : null,
    total_trades: trades,
    avg_hold_time_hours: trades > 0 ? holdSum / trades : 0,
    kelly_fraction: Number.isNaN(kf) ? null : kf,
    passed_gate: passesGate(sharpe, winRate, maxDd),
  };
}

/** Full backtest: metrics, equity curve (one point per test bar) and trade log. */
export function runBacktest(input: BacktestInput): BacktestResult {
  const params = resolveSimParams(input);
  const pair = preparePair(input);
  const rec: SimRecorder = { equity: new Float64Array(pair.timestamps.length), trades: [] };
  const metrics = simulate(pair, params, rec);
  const equity_curve = new Array<{ timestamp: number; equity: number }>(rec.equity.length);
  for (let i = 0; i < rec.equity.length; i++) equity_curve[i] = { timestamp: pair.timestamps[i], equity: rec.equity[i] };
  return { ...metrics, equity_curve, trade_log: rec.trades };
}
