/**
 * Walk-forward portfolio backtest: what the live engine would have earned out of sample, re-discovering its
 * pairs every `stepBars` bars.
 *
 * Windows (bar indices of the price matrix): window w has a formation window [s, s + formationBars) and a
 * trading window [s + formationBars, s + formationBars + tradingBars), with s = w x stepBars; the last
 * trading window may be shorter (at least 2 bars). stepBars >= tradingBars, so trading windows never overlap
 * and together form one out-of-sample period.
 *
 * In each formation window:
 *   1. discovery: selectPairsSync (pair-selection.ts), the live discovery rule (scan.ts with the discovery
 *      settings, price-correlation filter, top N). Each kept pair brings its Engle-Granger hedge ratio and
 *      half-life, fitted on the formation window only, as pair_registry stores them;
 *   2. optionally, an in-sample sweep: every consistent (entry, exit, stop) combination of the grid trades the
 *      kept pairs together over the formation window (simulatePortfolio); the objective is the in-sample
 *      annualised Sharpe ratio of the portfolio's per-bar returns, highest wins, ties to the earlier grid
 *      combination. Without a sweep the base thresholds trade.
 * In each trading window: the kept pairs trade together on the shared capital with the chosen thresholds
 * (simulatePortfolio: the live signal, sizing and risk rules, costs). z-scores use the window's hedge ratio over a
 * rolling window that reaches back into the formation bars, so z is defined from the first trading bar
 * without look-ahead.
 *
 * Window-end rule: a position still open on the last bar of a trading window is closed at that bar's close
 * (exit reason END), so every window starts flat on the capital the previous one ended with; the
 * closed-trade record used by Kelly sizing (and the stop-loss cooldowns) carries over.
 *
 * Out-of-sample metrics: per-bar returns r_t = E_t / E_(t-1) - 1 of the chained trading-window equity;
 * Sharpe = mean / sample std x sqrt(bars per year), bars per year inferred from the timestamps
 * (bars-per-year.ts); max drawdown of the equity; win rate and profit factor of the trades; the spec's gate.
 *
 * Selection bias:
 *   - deflated Sharpe ratio (deflated-sharpe.ts) with N = the number of trials = the sum over windows of
 *     (pairs tested by discovery) x (configurations swept): every pair and configuration tried. V[SR_n], the
 *     variance of the trials' Sharpe ratios, is the larger of the variance across the swept configurations'
 *     out-of-sample per-bar Sharpe ratios and 1 / (T - 1), the sampling variance of a Sharpe estimate under
 *     the null (Lo 2002): the pairs tried in discovery were never traded, so their dispersion is not measured
 *     and the no-skill variance is the floor;
 *   - probability of backtest overfitting (backtest-overfitting.ts), when a sweep ran: CSCV on the T x K
 *     matrix of out-of-sample per-bar returns of each of the K configurations, each traded through every
 *     window on its own chained capital (the same pairs, its own thresholds).
 */
import { invalidInput } from './backtest-input-error';
import { resolveCosts, type BacktestCosts } from './backtest-costs';
import { probabilityOfBacktestOverfitting, DEFAULT_CSCV_BLOCKS, type BacktestOverfitting } from './backtest-overfitting';
import type { PerformanceMetrics } from './backtest-result';
import { inferBarsPerYear, medianSpacingHours } from './bars-per-year';
import { deflatedSharpe, returnMoments, type DeflatedSharpe } from './deflated-sharpe';
import { annualizeReturn, annualizedSharpe, passesGate } from './metrics';
import { selectPairsSync, type PairSelection, type PairSelectionSettings } from './pair-selection';
import {
  copyPortfolioState,
  initialPortfolioState,
  simulatePortfolio,
  type PortfolioPair,
  type PortfolioParams,
  type RiskRefusals,
  type PortfolioTrade,
} from './portfolio-simulation';
import type { PriceMatrix } from './price-matrix';
import { rollingZScore, spreadSeries } from './spread';
import { thresholdsProblem, type Thresholds } from './signals';
import { DEFAULT_BOOTSTRAP_TRADES, DEFAULT_MAX_LEG_PCT } from './sizing';
import type { SweepGrid } from './sweep';
import { DEFAULT_RISK_LIMITS, type RiskLimits } from './risk/limits';
import type { RiskRule } from './risk/pre-trade';

/** Discovery defaults: config/pairs.yaml's discovery section. */
export const DEFAULT_DISCOVERY: PairSelectionSettings = {
  max_pvalue: 0.05,
  min_half_life: 2,
  max_half_life: 120,
  min_correlation: 0.5,
  min_crossings: 12,
  top_n: 10,
};
/** Hourly session bars: formation = the live discovery lookback (1,000 bars, ~6 months), trading 160 bars (~1 month). */
export const HOURLY_WINDOWS = { formationBars: 1000, tradingBars: 160 } as const;
/** Daily bars: formation 504 bars (2 years), trading 126 bars (6 months). */
export const DAILY_WINDOWS = { formationBars: 504, tradingBars: 126 } as const;
/** Bars at least this far apart (median) count as daily (or coarser). */
export const DAILY_SPACING_HOURS = 20;
/** Entry, exit and stop values of the default sweep: 3 x 3 x 3 = 27 configurations, all consistent. */
export const DEFAULT_SWEEP_GRID: SweepGrid = { entry: [1.5, 2, 2.5], exit: [0.25, 0.5, 0.75], stopLoss: [3, 3.5, 4] };
/** Live config's max_hold_hours, in bars of the data (72 hourly bars). */
export const DEFAULT_MAX_HOLD_BARS = 72;
export const MIN_WALKFORWARD_FORMATION_BARS = 100;

export interface WalkForwardOptions {
  formationBars?: number;
  tradingBars?: number;
  /** Default: tradingBars. */
  stepBars?: number;
  /** Rolling z-score window (default 40). */
  window?: number;
  /** Thresholds used without a sweep; the sweep keeps their maxHoldHours. Default 2 / 0.5 / 3, max hold 72 bars' time. */
  thresholds?: Partial<Thresholds>;
  /** The in-sample sweep grid; null or absent: no sweep. */
  sweep?: SweepGrid | null;
  discovery?: Partial<PairSelectionSettings>;
  initialCapital?: number;
  bootstrapPct?: number;
  maxLegPct?: number;
  bootstrapTrades?: number;
  costs?: Partial<BacktestCosts>;
  /** The live engine's portfolio risk rules (config `risk`); unset fields: the config defaults. */
  risk?: Partial<RiskLimits>;
  /** The scan's two-stage screen: as live ('auto') unless told. */
  twoStage?: boolean | 'auto';
  cscvBlocks?: number;
  onProgress?: (progress: WalkForwardProgress) => void;
}

/** Discovery of every window (possibly on worker threads), then the trading of each window in turn. */
export interface WalkForwardProgress {
  stage: 'discovery' | 'trading';
  done: number;
  total: number;
}

export interface WalkForwardPair {
  name: string;
  symbol1: string;
  symbol2: string;
  hedge_ratio: number;
  half_life: number | null;
  pvalue: number;
  score: number;
}

export interface WalkForwardWindow {
  index: number;
  formation_start: number;
  formation_end: number;
  trading_start: number;
  trading_end: number;
  trading_bars: number;
  pairs_tested: number;
  pairs: WalkForwardPair[];
  entry_threshold: number;
  exit_threshold: number;
  stop_loss_threshold: number;
  /** The objective of the chosen configuration (annualised in-sample Sharpe); null without a sweep. */
  in_sample_sharpe: number | null;
  trades: number;
  wins: number;
  pnl: number;
  return: number;
  sharpe_ratio: number;
  end_equity: number;
  /** Entry signals the risk rules refused in this window, by rule. */
  risk_refusals: RiskRefusals;
}

export interface WalkForwardMetrics extends PerformanceMetrics {
  start: number;
  end: number;
  bars: number;
  initial_capital: number;
  final_equity: number;
}

export interface WalkForwardResolved {
  formation_bars: number;
  trading_bars: number;
  step_bars: number;
  z_score_window: number;
  bars_per_year: number;
  bar_spacing_hours: number;
  thresholds: Thresholds;
  sweep: SweepGrid | null;
  objective: string;
  discovery: PairSelectionSettings;
  initial_capital: number;
  bootstrap_pct: number;
  max_leg_pct: number;
  bootstrap_trades: number;
  costs: BacktestCosts;
  risk: RiskLimits;
  window_end_rule: string;
}

export interface WalkForwardResult {
  symbols: string[];
  params: WalkForwardResolved;
  windows: WalkForwardWindow[];
  metrics: WalkForwardMetrics;
  equity_curve: { timestamp: number; equity: number }[];
  drawdown_curve: { timestamp: number; drawdown: number }[];
  trade_log: (PortfolioTrade & { window: number })[];
  deflated_sharpe: DeflatedSharpe & { annualized_sharpe: number; annualized_expected_max_sharpe: number; variance_source: string };
  overfitting: Omit<BacktestOverfitting, 'logits'> | null;
  configurations: number;
  /** Portfolio simulations run (in-sample sweep, out-of-sample counterfactuals and the chosen path). */
  configurations_evaluated: number;
  /** Entry signals of the traded path the risk rules refused, by rule (the live pre-trade checks, cooldowns, Kelly's no-edge stop). */
  risk_refusals: RiskRefusals;
}

export const WINDOW_END_RULE = 'positions open on the last bar of a trading window are closed at its close (END); each window starts flat';
export const OBJECTIVE = 'highest in-sample annualised Sharpe ratio of the portfolio over the formation window (ties: earlier grid combination)';

function checkInt(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) invalidInput(`${name} must be an integer >= ${min}, got ${value}`);
}

/** Formation and trading window sizes for data of this bar spacing. */
export function defaultWindowSizes(spacingHours: number): { formationBars: number; tradingBars: number } {
  return spacingHours >= DAILY_SPACING_HOURS ? { ...DAILY_WINDOWS } : { ...HOURLY_WINDOWS };
}

/** Consistent grid combinations in sweep order (entry, then exit, then stop). */
function gridThresholds(grid: SweepGrid, maxHoldHours: number): Thresholds[] {
  const out: Thresholds[] = [];
  for (const entry of grid.entry)
    for (const exit of grid.exit)
      for (const stopLoss of grid.stopLoss) {
        const t = { entry, exit, stopLoss, maxHoldHours };
        if (thresholdsProblem(t) === null) out.push(t);
      }
  return out;
}

function resolve(matrix: PriceMatrix, o: WalkForwardOptions): WalkForwardResolved {
  const n = matrix.timestamps.length;
  const spacing = medianSpacingHours(matrix.timestamps);
  const barsPerYear = inferBarsPerYear(matrix.timestamps);
  if (!(barsPerYear > 0) || !Number.isFinite(barsPerYear)) invalidInput('cannot infer the bar frequency from the timestamps');
  const defaults = defaultWindowSizes(spacing);
  const formationBars = o.formationBars ?? defaults.formationBars;
  const tradingBars = o.tradingBars ?? defaults.tradingBars;
  const stepBars = o.stepBars ?? tradingBars;
  const window = o.window ?? 40;
  checkInt('z-score window', window, 2);
  checkInt('formation bars', formationBars, Math.max(MIN_WALKFORWARD_FORMATION_BARS, window));
  checkInt('trading bars', tradingBars, 2);
  checkInt('step bars', stepBars, 1);
  if (stepBars < tradingBars) invalidInput(`step bars (${stepBars}) must be >= trading bars (${tradingBars}) so trading windows do not overlap`);
  if (n < formationBars + 2) invalidInput(`${n} bars: need at least formation bars (${formationBars}) + 2 for one trading window`);
  const thresholds: Thresholds = {
    entry: o.thresholds?.entry ?? 2,
    exit: o.thresholds?.exit ?? 0.5,
    stopLoss: o.thresholds?.stopLoss ?? 3,
    maxHoldHours: o.thresholds?.maxHoldHours ?? DEFAULT_MAX_HOLD_BARS * spacing,
  };
  const problem = thresholdsProblem(thresholds);
  if (problem) invalidInput(problem);
  const sweep = o.sweep ?? null;
  if (sweep) {
    for (const axis of ['entry', 'exit', 'stopLoss'] as const) {
      if (!Array.isArray(sweep[axis]) || sweep[axis].length === 0 || sweep[axis].some((v) => !Number.isFinite(v)))
        invalidInput(`sweep ${axis} must be a non-empty list of numbers`);
    }
    if (gridThresholds(sweep, thresholds.maxHoldHours).length === 0)
      invalidInput('the sweep grid has no consistent combination (need exit < entry < stop)');
  }
  const discovery = { ...DEFAULT_DISCOVERY, ...(o.discovery ?? {}) };
  checkInt('discovery top_n', discovery.top_n, 1);
  const initialCapital = o.initialCapital ?? 100_000;
  if (!(initialCapital > 0 && Number.isFinite(initialCapital))) invalidInput(`initial capital must be a positive number, got ${initialCapital}`);
  const bootstrapPct = o.bootstrapPct ?? 0.02;
  if (!(bootstrapPct > 0 && bootstrapPct <= 1)) invalidInput(`bootstrap position pct must be in (0, 1], got ${bootstrapPct}`);
  const maxLegPct = o.maxLegPct ?? DEFAULT_MAX_LEG_PCT;
  if (!(maxLegPct > 0 && maxLegPct <= 1)) invalidInput(`max leg pct must be in (0, 1], got ${maxLegPct}`);
  const bootstrapTrades = o.bootstrapTrades ?? DEFAULT_BOOTSTRAP_TRADES;
  checkInt('bootstrap trades', bootstrapTrades, 0);
  const risk: RiskLimits = { ...DEFAULT_RISK_LIMITS, ...(o.risk ?? {}) };
  checkInt('risk max_open_pairs', risk.max_open_pairs, 1);
  checkInt('risk max_pairs_per_symbol', risk.max_pairs_per_symbol, 1);
  checkInt('risk kelly_window_trades', risk.kelly_window_trades, 1);
  for (const f of ['max_symbol_exposure_pct', 'max_gross_exposure_pct'] as const)
    if (!(risk[f] > 0 && Number.isFinite(risk[f]))) invalidInput(`risk ${f} must be a positive number, got ${risk[f]}`);
  for (const f of ['buying_power_reserve_pct', 'cooldown_after_stop_loss_hours', 'cooldown_after_failed_entry_hours'] as const)
    if (!(risk[f] >= 0 && Number.isFinite(risk[f]))) invalidInput(`risk ${f} must be a number >= 0, got ${risk[f]}`);
  return {
    formation_bars: formationBars,
    trading_bars: tradingBars,
    step_bars: stepBars,
    z_score_window: window,
    bars_per_year: barsPerYear,
    bar_spacing_hours: spacing,
    thresholds,
    sweep,
    objective: OBJECTIVE,
    discovery,
    initial_capital: initialCapital,
    bootstrap_pct: bootstrapPct,
    max_leg_pct: maxLegPct,
    bootstrap_trades: bootstrapTrades,
    costs: resolveCosts(o.costs),
    risk,
    window_end_rule: WINDOW_END_RULE,
  };
}

/** Window starts: s = w x step while a trading window of at least 2 bars fits. */
export function windowStarts(bars: number, formationBars: number, stepBars: number): number[] {
  const out: number[] = [];
  for (let s = 0; s + formationBars + 2 <= bars; s += stepBars) out.push(s);
  return out;
}

function sub(matrix: PriceMatrix, from: number, to: number): PriceMatrix {
  return { timestamps: matrix.timestamps.subarray(from, to), symbols: matrix.symbols, prices: matrix.prices.map((p) => p.subarray(from, to)) };
}

/** Per-bar returns of `equity` against the equity before its first bar. */
function barReturns(equity: Float64Array, before: number, out: number[]): void {
  let prev = before;
  for (let i = 0; i < equity.length; i++) {
    out.push(equity[i] / prev - 1);
    prev = equity[i];
  }
}

function sharpeOfEquity(equity: Float64Array, before: number, barsPerYear: number): number {
  const r: number[] = [];
  barReturns(equity, before, r);
  const m = returnMoments(r);
  return annualizedSharpe(m.mean, m.std, barsPerYear);
}

/** The resolved parameters and the window starts of a walk-forward on `matrix`. */
export function planWalkForward(matrix: PriceMatrix, options: WalkForwardOptions = {}): { params: WalkForwardResolved; starts: number[] } {
  if (matrix.symbols.length < 2) invalidInput(`a walk-forward needs at least 2 symbols, got ${matrix.symbols.length}`);
  const params = resolve(matrix, options);
  return { params, starts: windowStarts(matrix.timestamps.length, params.formation_bars, params.step_bars) };
}

/** Discovery on the formation window starting at bar `start` (the live rule, on the calling thread). */
export function discoverWindow(matrix: PriceMatrix, params: WalkForwardResolved, start: number, twoStage: boolean | 'auto' = 'auto'): PairSelection {
  return selectPairsSync(sub(matrix, start, start + params.formation_bars), params.discovery, { twoStage, workers: 0 });
}

/** The whole walk-forward on the calling thread. */
export function runWalkForward(matrix: PriceMatrix, options: WalkForwardOptions = {}): WalkForwardResult {
  const { params, starts } = planWalkForward(matrix, options);
  const selections = starts.map((s, w) => {
    const selection = discoverWindow(matrix, params, s, options.twoStage ?? 'auto');
    options.onProgress?.({ stage: 'discovery', done: w + 1, total: starts.length });
    return selection;
  });
  return tradeWalkForward(matrix, params, starts, selections, options);
}

/**
 * Trades every window on its discovered pairs (see the header): in-sample sweep, out-of-sample portfolio,
 * the aggregate metrics, the deflated Sharpe ratio and the PBO.
 */
export function tradeWalkForward(
  matrix: PriceMatrix,
  params: WalkForwardResolved,
  starts: readonly number[],
  selections: readonly PairSelection[],
  options: WalkForwardOptions = {},
): WalkForwardResult {
  const { formation_bars: N, trading_bars: M, z_score_window: zWindow, bars_per_year: barsPerYear } = params;
  const ts = matrix.timestamps;
  const n = ts.length;
  const configs = params.sweep ? gridThresholds(params.sweep, params.thresholds.maxHoldHours) : [params.thresholds];
  const K = configs.length;
  const base: Omit<PortfolioParams, 'thresholds'> = {
    bootstrapPct: params.bootstrap_pct,
    maxLegPct: params.max_leg_pct,
    bootstrapTrades: params.bootstrap_trades,
    costs: params.costs,
    risk: params.risk,
  };
  const state = initialPortfolioState(params.initial_capital);
  const counterfactual = params.sweep ? configs.map(() => initialPortfolioState(params.initial_capital)) : [];
  const counterReturns: number[][] = configs.map(() => []);
  const windows: WalkForwardWindow[] = [];
  const tradeLog: (PortfolioTrade & { window: number })[] = [];
  const equityCurve: { timestamp: number; equity: number }[] = [];
  const returns: number[] = [];
  let trials = 0;
  let evaluated = 0;
  let equityBefore = params.initial_capital;
  const riskRefusals: RiskRefusals = {};

  starts.forEach((s, w) => {
    const tradeStart = s + N;
    const tradeEnd = Math.min(tradeStart + M, n);
    const selection = selections[w];
    trials += selection.nPairsTested * K;
    const spacing = medianSpacingHours(ts, s, tradeStart);
    const inSample: PortfolioPair[] = [];
    const outOfSample: PortfolioPair[] = [];
    for (const p of selection.pairs) {
      const p1 = matrix.prices[p.i].subarray(s, tradeEnd);
      const p2 = matrix.prices[p.j].subarray(s, tradeEnd);
      const lp1 = new Float64Array(p1.length);
      const lp2 = new Float64Array(p2.length);
      for (let t = 0; t < p1.length; t++) {
        lp1[t] = Math.log(p1[t]);
        lp2[t] = Math.log(p2[t]);
      }
      const { z } = rollingZScore(spreadSeries(lp1, lp2, p.beta), zWindow);
      const halfLifeHours = Number.isFinite(p.halfLife) ? p.halfLife * spacing : null;
      const name = `${p.symbol1}/${p.symbol2}`;
      inSample.push({ name, price1: p1.subarray(0, N), price2: p2.subarray(0, N), z: z.subarray(0, N), halfLifeHours });
      outOfSample.push({ name, price1: p1.subarray(N), price2: p2.subarray(N), z: z.subarray(N), halfLifeHours });
    }
    const formationTs = ts.subarray(s, tradeStart);
    const tradingTs = ts.subarray(tradeStart, tradeEnd);

    let chosen = 0;
    let chosenSharpe: number | null = null;
    if (params.sweep) {
      for (let c = 0; c < K; c++) {
        const trial = copyPortfolioState(state);
        const run = simulatePortfolio(formationTs, inSample, { ...base, thresholds: configs[c] }, trial, null);
        evaluated++;
        const sharpe = sharpeOfEquity(run.equity, state.cash, barsPerYear);
        if (chosenSharpe === null || sharpe > chosenSharpe) {
          chosen = c;
          chosenSharpe = sharpe;
        }
      }
      for (let c = 0; c < K; c++) {
        const before = counterfactual[c].cash;
        const run = simulatePortfolio(tradingTs, outOfSample, { ...base, thresholds: configs[c] }, counterfactual[c], null);
        evaluated++;
        barReturns(run.equity, before, counterReturns[c]);
      }
    }
    const windowTrades: PortfolioTrade[] = [];
    const run = simulatePortfolio(tradingTs, outOfSample, { ...base, thresholds: configs[chosen] }, state, windowTrades);
    evaluated++;
    for (const t of windowTrades) tradeLog.push({ ...t, window: w });
    const windowReturns: number[] = [];
    barReturns(run.equity, equityBefore, windowReturns);
    for (const r of windowReturns) returns.push(r);
    for (let i = 0; i < run.equity.length; i++) equityCurve.push({ timestamp: tradingTs[i], equity: run.equity[i] });
    const end = run.equity[run.equity.length - 1];
    const wm = returnMoments(windowReturns);
    windows.push({
      index: w,
      formation_start: ts[s],
      formation_end: ts[tradeStart - 1],
      trading_start: ts[tradeStart],
      trading_end: ts[tradeEnd - 1],
      trading_bars: tradeEnd - tradeStart,
      pairs_tested: selection.nPairsTested,
      pairs: selection.pairs.map((p) => ({
        name: `${p.symbol1}/${p.symbol2}`,
        symbol1: p.symbol1,
        symbol2: p.symbol2,
        hedge_ratio: p.beta,
        half_life: Number.isFinite(p.halfLife) ? p.halfLife : null,
        pvalue: p.pvalue,
        score: p.score,
      })),
      entry_threshold: configs[chosen].entry,
      exit_threshold: configs[chosen].exit,
      stop_loss_threshold: configs[chosen].stopLoss,
      in_sample_sharpe: chosenSharpe,
      trades: run.trades,
      wins: run.wins,
      pnl: run.pnl,
      return: end / equityBefore - 1,
      sharpe_ratio: annualizedSharpe(wm.mean, wm.std, barsPerYear),
      end_equity: end,
      risk_refusals: run.refused,
    });
    for (const [rule, count] of Object.entries(run.refused) as [RiskRule, number][]) riskRefusals[rule] = (riskRefusals[rule] ?? 0) + count;
    equityBefore = end;
    options.onProgress?.({ stage: 'trading', done: w + 1, total: starts.length });
  });

  // Aggregate out-of-sample metrics.
  let peak = params.initial_capital;
  let maxDd = 0;
  const drawdownCurve = equityCurve.map(({ timestamp, equity }) => {
    if (equity > peak) peak = equity;
    const dd = (peak - equity) / peak;
    if (dd > maxDd) maxDd = dd;
    return { timestamp, drawdown: dd };
  });
  const m = returnMoments(returns);
  const sharpe = annualizedSharpe(m.mean, m.std, barsPerYear);
  const trades = state.closedTrades;
  const winRate = trades > 0 ? state.wins / trades : 0;
  const totalReturn = equityBefore / params.initial_capital - 1;
  const metrics: WalkForwardMetrics = {
    start: equityCurve[0].timestamp,
    end: equityCurve[equityCurve.length - 1].timestamp,
    bars: returns.length,
    initial_capital: params.initial_capital,
    final_equity: equityBefore,
    total_return: totalReturn,
    annualized_return: annualizeReturn(totalReturn, returns.length, barsPerYear),
    sharpe_ratio: sharpe,
    max_drawdown: maxDd,
    win_rate: winRate,
    profit_factor: state.grossLoss > 0 ? state.grossWin / state.grossLoss : null,
    total_trades: trades,
    passed_gate: passesGate(sharpe, winRate, maxDd),
  };

  // Deflated Sharpe ratio over every pair and configuration tried.
  const nullVariance = returns.length > 1 ? 1 / (returns.length - 1) : 0;
  let configVariance = 0;
  if (K >= 2) {
    const srs = counterReturns.map((r) => returnMoments(r).sharpe);
    const mean = srs.reduce((a, b) => a + b, 0) / K;
    configVariance = srs.reduce((a, b) => a + (b - mean) ** 2, 0) / (K - 1);
  }
  const variance = Math.max(configVariance, nullVariance);
  const dsr = deflatedSharpe(returns, Math.max(1, trials), variance);
  const overfitting = params.sweep ? probabilityOfBacktestOverfitting(counterReturns, options.cscvBlocks ?? DEFAULT_CSCV_BLOCKS) : null;
  let overfittingSummary: Omit<BacktestOverfitting, 'logits'> | null = null;
  if (overfitting) {
    const { logits: _logits, ...rest } = overfitting;
    overfittingSummary = rest;
  }
  return {
    symbols: matrix.symbols,
    params,
    windows,
    metrics,
    equity_curve: equityCurve,
    drawdown_curve: drawdownCurve,
    trade_log: tradeLog,
    deflated_sharpe: {
      ...dsr,
      annualized_sharpe: dsr.sharpe * Math.sqrt(barsPerYear),
      annualized_expected_max_sharpe: dsr.expectedMaxSharpe * Math.sqrt(barsPerYear),
      variance_source: configVariance > nullVariance ? 'variance across the swept configurations' : 'null sampling variance 1/(T-1)',
    },
    overfitting: overfittingSummary,
    configurations: K,
    configurations_evaluated: evaluated,
    risk_refusals: riskRefusals,
  };
}
