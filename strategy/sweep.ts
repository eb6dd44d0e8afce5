/**
 * Threshold sweep: the spread, hedge ratio, half-life and z-scores are computed once (preparePair);
 * each (entry, exit, stop) combination then reruns only the allocation-free simulation loop, so a
 * row equals the metrics of runBacktest at the same parameters.
 *
 * `sweepPrepared` / `sweepThresholds` run on the calling thread. `sweepPreparedParallel` /
 * `sweepThresholdsParallel` spread the combinations over worker threads (`SweepPool`): the prepared
 * arrays are copied once into a SharedArrayBuffer, chunks of combinations are handed out on demand,
 * and each worker returns its rows packed in a Float64Array (exact doubles, nulls flagged), so the
 * rows are identical to the single-thread sweep's, in the same order.
 */
import { availableParallelism } from 'node:os';
import { TaskPool } from './worker-pool';
import type { BacktestInput } from './backtest-input';
import type { BacktestMetrics } from './backtest-result';
import { simulate } from './backtest-simulation';
import { preparePair, type PreparedPair } from './prepared-pair';
import { resolveSimParams, type SimParams } from './sim-params';
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
  for (const v of values)
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`sweep grid ${name} holds a non-finite value: ${String(v)}`);
}

function checkGrid(grid: SweepGrid): void {
  checkAxis('entry', grid.entry);
  checkAxis('exit', grid.exit);
  checkAxis('stopLoss', grid.stopLoss);
}

/** Runs every consistent (entry, exit, stopLoss) combination on an already prepared pair. */
export function sweepPrepared(pair: PreparedPair, base: SimParams, grid: SweepGrid): Omit<SweepResult, 'pair'> {
  checkGrid(grid);
  const rows: SweepRow[] = [];
  let skipped = 0;
  for (const entry of grid.entry) {
    for (const exit of grid.exit) {
      for (const stopLoss of grid.stopLoss) {
        const thresholds = { entry, exit, stopLoss, maxHoldHours: base.thresholds.maxHoldHours };
        if (thresholdsProblem(thresholds) !== null) {
          skipped++;
          continue;
        }
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

// ---- packed rows (worker -> main thread) ----

/** Doubles per packed row: the ten metrics, then a bit mask of the null ones. */
export const PACKED_ROW_WIDTH = 11;
const NULL_ANNUALIZED = 1;
const NULL_PROFIT_FACTOR = 2;
const NULL_KELLY = 4;

/** The consistent combinations of a grid in sweep order, as flat (entry, exit, stopLoss) triples. */
export function consistentCombos(grid: SweepGrid, maxHoldHours: number): { combos: Float64Array; skipped: number } {
  const flat: number[] = [];
  let skipped = 0;
  for (const entry of grid.entry) {
    for (const exit of grid.exit) {
      for (const stopLoss of grid.stopLoss) {
        if (thresholdsProblem({ entry, exit, stopLoss, maxHoldHours }) !== null) skipped++;
        else flat.push(entry, exit, stopLoss);
      }
    }
  }
  return { combos: Float64Array.from(flat), skipped };
}

/** Simulates each (entry, exit, stopLoss) triple of `combos` and packs the metrics, PACKED_ROW_WIDTH per row. */
export function simulateCombos(pair: PreparedPair, base: SimParams, combos: Float64Array): Float64Array {
  const count = combos.length / 3;
  const out = new Float64Array(count * PACKED_ROW_WIDTH);
  const maxHoldHours = base.thresholds.maxHoldHours;
  for (let k = 0; k < count; k++) {
    const thresholds = { entry: combos[3 * k], exit: combos[3 * k + 1], stopLoss: combos[3 * k + 2], maxHoldHours };
    const m = simulate(pair, { ...base, thresholds }, null);
    const o = k * PACKED_ROW_WIDTH;
    out[o] = m.total_return;
    out[o + 1] = m.annualized_return ?? 0;
    out[o + 2] = m.sharpe_ratio;
    out[o + 3] = m.max_drawdown;
    out[o + 4] = m.win_rate;
    out[o + 5] = m.profit_factor ?? 0;
    out[o + 6] = m.total_trades;
    out[o + 7] = m.avg_hold_time_hours;
    out[o + 8] = m.kelly_fraction ?? 0;
    out[o + 9] = m.passed_gate ? 1 : 0;
    out[o + 10] =
      (m.annualized_return === null ? NULL_ANNUALIZED : 0) |
      (m.profit_factor === null ? NULL_PROFIT_FACTOR : 0) |
      (m.kelly_fraction === null ? NULL_KELLY : 0);
  }
  return out;
}

function unpackRow(combos: Float64Array, k: number, packed: Float64Array, o: number): SweepRow {
  const nulls = packed[o + 10];
  return {
    entry: combos[3 * k],
    exit: combos[3 * k + 1],
    stopLoss: combos[3 * k + 2],
    total_return: packed[o],
    annualized_return: nulls & NULL_ANNUALIZED ? null : packed[o + 1],
    sharpe_ratio: packed[o + 2],
    max_drawdown: packed[o + 3],
    win_rate: packed[o + 4],
    profit_factor: nulls & NULL_PROFIT_FACTOR ? null : packed[o + 5],
    total_trades: packed[o + 6],
    avg_hold_time_hours: packed[o + 7],
    kelly_fraction: nulls & NULL_KELLY ? null : packed[o + 8],
    passed_gate: packed[o + 9] === 1,
  };
}

// ---- worker pool ----

/** What a sweep worker receives once: the pair's arrays in one SharedArrayBuffer, its scalars, the base params. */
export interface SweepWorkerData {
  buffer: SharedArrayBuffer;
  bars: number;
  scalars: Omit<PreparedPair, 'timestamps' | 'price1' | 'price2' | 'z'>;
  base: SimParams;
}

/** Rebuilds the PreparedPair on shared memory (timestamps, price1, price2, z, `bars` each). */
export function sharedPair(data: SweepWorkerData): PreparedPair {
  const { buffer, bars, scalars } = data;
  const view = (k: number): Float64Array => new Float64Array(buffer, k * bars * Float64Array.BYTES_PER_ELEMENT, bars);
  return { ...scalars, timestamps: view(0), price1: view(1), price2: view(2), z: view(3) };
}

function shareData(pair: PreparedPair, base: SimParams): SweepWorkerData {
  const bars = pair.timestamps.length;
  const buffer = new SharedArrayBuffer(4 * bars * Float64Array.BYTES_PER_ELEMENT);
  const data: SweepWorkerData = {
    buffer,
    bars,
    base,
    scalars: {
      beta: pair.beta,
      alpha: pair.alpha,
      halfLifeBars: pair.halfLifeBars,
      halfLifeHours: pair.halfLifeHours,
      barsPerYear: pair.barsPerYear,
      barHours: pair.barHours,
      window: pair.window,
      formationStartIndex: pair.formationStartIndex,
      testStartIndex: pair.testStartIndex,
      testEndIndex: pair.testEndIndex,
    },
  };
  const shared = sharedPair(data);
  shared.timestamps.set(pair.timestamps);
  shared.price1.set(pair.price1);
  shared.price2.set(pair.price2);
  shared.z.set(pair.z);
  return data;
}

/**
 * Worker threads bound to one prepared pair and base parameters. Start-up (~0.3 s under tsx) is paid
 * once; `sweep` can then be called for any number of grids. Call `close()` when done.
 */
export class SweepPool {
  readonly size: number;
  private readonly pool: TaskPool<{ packed: Float64Array }>;
  private busy = false;

  constructor(
    readonly pair: PreparedPair,
    readonly base: SimParams,
    size: number = availableParallelism(),
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`sweep pool size must be a positive integer, got ${size}`);
    this.size = size;
    this.pool = new TaskPool('sweep', size, shareData(pair, base));
  }

  /** The sweep of `grid` on the workers; rows equal sweepPrepared's, in the same order. */
  async sweep(grid: SweepGrid): Promise<Omit<SweepResult, 'pair'>> {
    checkGrid(grid);
    if (this.busy) throw new Error('sweep pool is already running a sweep');
    this.busy = true;
    try {
      const { combos, skipped } = consistentCombos(grid, this.base.thresholds.maxHoldHours);
      const count = combos.length / 3;
      // Chunks small enough that every worker stays busy to the end, large enough to amortise a message.
      const chunk = Math.max(16, Math.ceil(count / (this.size * 8)));
      const starts: number[] = [];
      for (let s = 0; s < count; s += chunk) starts.push(s);
      const rows = new Array<SweepRow>(count);
      await this.pool.run(
        starts.length,
        (worker, id) => {
          const slice = combos.slice(3 * starts[id], 3 * Math.min(count, starts[id] + chunk));
          worker.postMessage({ id, combos: slice }, [slice.buffer]);
        },
        ({ id, packed }) => {
          const start = starts[id];
          const n = packed.length / PACKED_ROW_WIDTH;
          for (let k = 0; k < n; k++) rows[start + k] = unpackRow(combos, start + k, packed, k * PACKED_ROW_WIDTH);
        },
      );
      return { rows, skipped, barSteps: count * this.pair.timestamps.length };
    } finally {
      this.busy = false;
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

// ---- parallel entry points ----

export interface ParallelSweepOptions {
  /** Worker threads: a count (0 = calling thread), or 'auto' (default: all cores, none for small sweeps). */
  workers?: number | 'auto';
}

/**
 * Below this many bar-steps (~2 s on one core at ~50 M/s) a one-off parallel sweep does not pay:
 * worker start-up (0.1-0.5 s under tsx) plus the workers' JIT warm-up ate the two-core gain in
 * one-call measurements at 53 M and 106 M bar-steps on the shared 2-core machine. A reused
 * SweepPool pays those once.
 */
export const PARALLEL_MIN_BAR_STEPS = 1e8;

function workerCount(pair: PreparedPair, base: SimParams, grid: SweepGrid, options: ParallelSweepOptions): number {
  const requested = options.workers ?? 'auto';
  if (requested !== 'auto') {
    if (!Number.isInteger(requested) || requested < 0) throw new RangeError(`workers must be a non-negative integer, got ${String(requested)}`);
    return requested;
  }
  checkGrid(grid);
  const combos = consistentCombos(grid, base.thresholds.maxHoldHours).combos.length / 3;
  const cores = availableParallelism();
  return cores > 1 && combos * pair.timestamps.length >= PARALLEL_MIN_BAR_STEPS ? cores : 0;
}

/** sweepPrepared spread over worker threads (on the calling thread for small sweeps or workers: 0). */
export async function sweepPreparedParallel(
  pair: PreparedPair,
  base: SimParams,
  grid: SweepGrid,
  options: ParallelSweepOptions = {},
): Promise<Omit<SweepResult, 'pair'>> {
  const size = workerCount(pair, base, grid, options);
  if (size === 0) return sweepPrepared(pair, base, grid);
  const pool = new SweepPool(pair, base, size);
  try {
    return await pool.sweep(grid);
  } finally {
    await pool.close();
  }
}

/** sweepThresholds spread over worker threads; same rows in the same order. */
export async function sweepThresholdsParallel(input: BacktestInput, grid: SweepGrid, options: ParallelSweepOptions = {}): Promise<SweepResult> {
  const base = resolveSimParams(input);
  const pair = preparePair(input);
  return { ...(await sweepPreparedParallel(pair, base, grid, options)), pair };
}
