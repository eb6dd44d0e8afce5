/**
 * Threshold sweep: the spread, hedge ratio, half-life and z-scores are computed once (preparePair);
 * each (entry, exit, stop) combination then reruns only the allocation-free simulation loop, so a
 * row equals the metrics of runBacktest at the same parameters.
 */
import {
  preparePair, resolveSimParams, simulate,
  type BacktestInput, type BacktestMetrics, type PreparedPair, type SimParams,
} from './backtest';
import { thresholdsProblem } from './signals';

export interface SweepGrid {
  entry: readonly number[];
  exit: readonly number[];
  stopLoss: readonly number[];
}

export interface SweepRow extends BacktestMetrics {
  entry: number;
  exit: number;
  stopLoss: number;
}

export interface SweepResult {
  rows: SweepRow[];
  /** Combinations left out because the thresholds are inconsistent (exit >= entry or stop <= entry). */
  skipped: number;
  /** Simulated bars summed over all rows (test bars x rows). */
  barSteps: number;
  pair: PreparedPair;
}

function checkAxis(name: string, values: readonly number[]): void {
  if (!Array.isArray(values) || values.length === 0) throw new RangeError(`sweep grid ${name} must be a non-empty array`);
  for (const v of values) if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`sweep grid ${name} holds a non-finite value: ${String(v)}`);
}

/** Runs every consistent (entry, exit, stopLoss) combination on an already prepared pair. */
export function sweepPrepared(pair: PreparedPair, base: SimParams, grid: SweepGrid): Omit<SweepResult, 'pair'> {
  checkAxis('entry', grid.entry);
  checkAxis('exit', grid.exit);
  checkAxis('stopLoss', grid.stopLoss);
  const rows: SweepRow[] = [];
  let skipped = 0;
  for (const entry of grid.entry) {
    for (const exit of grid.exit) {
      for (const stopLoss of grid.stopLoss) {
        const thresholds = { entry, exit, stopLoss, maxHoldHours: base.thresholds.maxHoldHours };
        if (thresholdsProblem(thresholds) !== null) { skipped++; continue; }
        const metrics = simulate(pair, { ...base, thresholds }, null);
        rows.push({ entry, exit, stopLoss, ...metrics });
      }
    }
  }
  return { rows, skipped, barSteps: rows.length * pair.timestamps.length };
}

/** Prepares the pair once from a backtest input (its thresholds supply maxHoldHours) and sweeps the grid. */
export function sweepThresholds(input: BacktestInput, grid: SweepGrid): SweepResult {
  const base = resolveSimParams(input);
  const pair = preparePair(input);
  return { ...sweepPrepared(pair, base, grid), pair };
}
