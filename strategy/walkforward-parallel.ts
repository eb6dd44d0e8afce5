/**
 * runWalkForward with the windows' discovery spread over worker threads. Discovery of one window does not
 * depend on any other, so each worker takes whole windows (`walkforward-worker.ts` runs the same
 * discoverWindow on the shared prices); the trading then runs on the calling thread, window after window,
 * exactly as in runWalkForward. The result is identical to runWalkForward's.
 */
import { availableParallelism } from 'node:os';
import type { PairSelection } from './pair-selection';
import type { PriceMatrix } from './price-matrix';
import { pairCount } from './scan';
import {
  discoverWindow,
  planWalkForward,
  tradeWalkForward,
  type WalkForwardOptions,
  type WalkForwardResolved,
  type WalkForwardResult,
} from './walkforward';
import { TaskPool } from './worker-pool';

/** What a walk-forward worker receives once: every price series in one shared block, and the settings. */
export interface WalkForwardWorkerData {
  buffer: SharedArrayBuffer;
  timestamps: Float64Array;
  symbols: string[];
  bars: number;
  params: WalkForwardResolved;
  twoStage: boolean | 'auto';
}

/** The price matrix a worker sees: views on the shared block. */
export function sharedMatrix(data: WalkForwardWorkerData): PriceMatrix {
  const { buffer, bars, symbols, timestamps } = data;
  return {
    timestamps,
    symbols,
    prices: symbols.map((_, k) => new Float64Array(buffer, k * bars * Float64Array.BYTES_PER_ELEMENT, bars)),
  };
}

/** Below this many pair-tests x bars summed over the windows (~0.5 s on one core) the workers' start-up does not pay. */
const PARALLEL_MIN_WORK = 2e7;

export interface ParallelWalkForwardOptions extends WalkForwardOptions {
  /** Worker threads for discovery: a count (0 = calling thread) or 'auto' (cores, none for small runs). */
  workers?: number | 'auto';
}

export async function runWalkForwardParallel(matrix: PriceMatrix, options: ParallelWalkForwardOptions = {}): Promise<WalkForwardResult> {
  const { params, starts } = planWalkForward(matrix, options);
  const twoStage = options.twoStage ?? 'auto';
  const requested = options.workers ?? 'auto';
  let size: number;
  if (requested === 'auto') {
    const work = starts.length * pairCount(matrix.symbols.length) * params.formation_bars;
    size = starts.length >= 2 && work >= PARALLEL_MIN_WORK ? Math.min(availableParallelism(), starts.length) : 0;
  } else {
    if (!Number.isInteger(requested) || requested < 0) throw new RangeError(`workers must be a non-negative integer, got ${String(requested)}`);
    size = Math.min(requested, starts.length);
  }
  const selections = new Array<PairSelection>(starts.length);
  let done = 0;
  if (size <= 1) {
    starts.forEach((s, w) => {
      selections[w] = discoverWindow(matrix, params, s, twoStage);
      options.onProgress?.({ stage: 'discovery', done: ++done, total: starts.length });
    });
  } else {
    const bars = matrix.timestamps.length;
    const buffer = new SharedArrayBuffer(matrix.symbols.length * bars * Float64Array.BYTES_PER_ELEMENT);
    const data: WalkForwardWorkerData = { buffer, timestamps: matrix.timestamps, symbols: matrix.symbols, bars, params, twoStage };
    sharedMatrix(data).prices.forEach((view, k) => view.set(matrix.prices[k]));
    const pool = new TaskPool<{ selection: PairSelection }>('walkforward', size, data);
    try {
      // Later windows first is not needed: every window costs about the same.
      await pool.run(
        starts.length,
        (worker, id) => worker.postMessage({ id, start: starts[id] }),
        ({ id, selection }) => {
          selections[id] = selection;
          options.onProgress?.({ stage: 'discovery', done: ++done, total: starts.length });
        },
      );
    } finally {
      await pool.close();
    }
  }
  return tradeWalkForward(matrix, params, starts, selections, options);
}
