import type { Db } from '../db/connection';
import { insertWalkForwardRun, loadStoredCloses, storedSymbols } from '../db/queries/walkforward-runs';
import { walkForwardOptionsFromConfig } from '../config/walkforward-options';
import type { StrategyConfig } from '../config/schema';
import { BacktestInputError } from '../strategy/backtest-input-error';
import { DEFAULT_SWEEP_GRID, type WalkForwardOptions, type WalkForwardResult } from '../strategy/walkforward';
import { runWalkForwardParallel } from '../strategy/walkforward-parallel';
import { badRequest } from './errors';
import type { WalkForwardRequest } from './walkforward-schemas';

const DAY_MS = 86_400_000;

function optionsFor(config: StrategyConfig, request: WalkForwardRequest): WalkForwardOptions {
  const base = walkForwardOptionsFromConfig(config);
  const sweep = request.sweep_grid
    ? { entry: request.sweep_grid.entry, exit: request.sweep_grid.exit, stopLoss: request.sweep_grid.stop_loss }
    : request.sweep
      ? DEFAULT_SWEEP_GRID
      : null;
  return {
    ...base,
    formationBars: request.formation_bars,
    tradingBars: request.trading_bars,
    stepBars: request.step_bars,
    thresholds: {
      ...base.thresholds,
      ...(request.entry_threshold !== undefined ? { entry: request.entry_threshold } : {}),
      ...(request.exit_threshold !== undefined ? { exit: request.exit_threshold } : {}),
      ...(request.stop_loss_threshold !== undefined ? { stopLoss: request.stop_loss_threshold } : {}),
      ...(request.max_hold_hours !== undefined ? { maxHoldHours: request.max_hold_hours } : {}),
    },
    discovery: { ...base.discovery, ...(request.top_n !== undefined ? { top_n: request.top_n } : {}) },
    initialCapital: request.initial_capital,
    sweep,
  };
}

/**
 * POST /walkforward: the walk-forward (strategy/walkforward.ts) on the closes stored in market_data (the
 * simulator's or Alpaca's history as the engine collected it), on the bar times every symbol shares, with the
 * live settings of config/pairs.yaml and the request's overrides. Stored in walkforward_run once it succeeded.
 */
export async function runWalkForwardOnStoredBars(
  db: Db,
  config: StrategyConfig,
  request: WalkForwardRequest,
): Promise<{ run_id: number; source: string } & WalkForwardResult> {
  const symbols = request.symbols ? [...new Set(request.symbols)] : await storedSymbols(db);
  if (symbols.length < 2)
    throw badRequest('Not enough market data', [`a walk-forward needs at least 2 symbols with stored bars, found ${symbols.length}`]);
  const start = request.start_date ? new Date(`${request.start_date}T00:00:00Z`) : null;
  const end = request.end_date ? new Date(Date.parse(`${request.end_date}T00:00:00Z`) + DAY_MS) : null;
  const stored = await loadStoredCloses(db, symbols, start, end);
  const period = `${request.start_date ?? 'the first stored bar'} .. ${request.end_date ?? 'the last stored bar'}`;
  if (stored.timestamps.length < 2) {
    throw badRequest('Not enough market data', [`${symbols.join(', ')} share ${stored.timestamps.length} bars in market_data over ${period}`]);
  }
  const matrix = { timestamps: stored.timestamps, symbols: stored.symbols, prices: stored.closes };
  let result: WalkForwardResult;
  try {
    result = await runWalkForwardParallel(matrix, { ...optionsFor(config, request), workers: 'auto' });
  } catch (err) {
    if (err instanceof BacktestInputError || err instanceof RangeError) {
      throw badRequest('Walk-forward cannot run on this data', [
        `${err.message} (${stored.timestamps.length} shared bars of ${stored.symbols.length} symbols over ${period})`,
      ]);
    }
    throw err;
  }
  const source = 'market_data';
  const { deflated_sharpe: dsr, overfitting } = result;
  const runId = await insertWalkForwardRun(db, {
    source,
    start_time: new Date(result.metrics.start),
    end_time: new Date(result.metrics.end),
    symbols: result.symbols,
    params: { ...result.params },
    window_count: result.windows.length,
    total_return: result.metrics.total_return,
    annualized_return: result.metrics.annualized_return,
    sharpe_ratio: result.metrics.sharpe_ratio,
    max_drawdown: result.metrics.max_drawdown,
    win_rate: result.metrics.win_rate,
    profit_factor: result.metrics.profit_factor,
    total_trades: result.metrics.total_trades,
    passed_gate: result.metrics.passed_gate,
    deflated_sharpe: Number.isFinite(dsr.deflatedSharpe) ? dsr.deflatedSharpe : null,
    pbo: overfitting ? overfitting.pbo : null,
    windows: result.windows,
    statistics: {
      metrics: result.metrics,
      deflated_sharpe: dsr,
      overfitting,
      configurations: result.configurations,
      configurations_evaluated: result.configurations_evaluated,
      risk_refusals: result.risk_refusals,
    },
    equity_curve: result.equity_curve,
    drawdown_curve: result.drawdown_curve,
    trade_log: result.trade_log,
  });
  return { run_id: runId, source, ...result };
}
