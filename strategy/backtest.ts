/**
 * Event-driven pairs backtest over hourly bars: preparePair fits the formation window and computes the
 * test-period z-scores without look-ahead (prepared-pair.ts), resolveSimParams validates the thresholds,
 * sizing and costs (sim-params.ts), and simulate runs the live cycle's signal and sizing rules bar by bar
 * (backtest-simulation.ts, which documents the execution model and the metrics).
 */
import type { BacktestInput } from './backtest-input';
import type { BacktestResult } from './backtest-result';
import { simulate, type SimRecorder } from './backtest-simulation';
import { preparePair } from './prepared-pair';
import { resolveSimParams } from './sim-params';

export type { BacktestInput } from './backtest-input';
export { BacktestInputError } from './backtest-input-error';
export { DEFAULT_COSTS, type BacktestCosts } from './backtest-costs';
export type { BacktestExitReason, BacktestMetrics, BacktestResult, TradeLogEntry } from './backtest-result';
export { simulate, type SimRecorder } from './backtest-simulation';
export { DEFAULT_FORMATION_BARS, DEFAULT_WINDOW, MIN_FORMATION_BARS, defaultFormationBars, preparePair, type PreparedPair } from './prepared-pair';
export { DEFAULT_BOOTSTRAP_PCT, DEFAULT_INITIAL_CAPITAL, DEFAULT_THRESHOLDS, resolveSimParams, type SimParams } from './sim-params';

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
