/**
 * Universe scan: test every pair i < j of a price matrix for cointegration, filter, rank.
 *
 * Pair (i, j): symbol1 = column i (the earlier column), y = log p_i, x = log p_j.
 *
 * Stages:
 *  1. Screen (large universes only, or when asked): Engle-Granger with one fixed lag
 *     (coint maxlag=1, autolag=None), keep pairs with p <= screenPvalue (looser than maxPvalue,
 *     because the fixed-lag and AIC-lag p-values of one pair differ by up to ~2-3x) whose
 *     |log-return correlation| already meets the final minimum.
 *  2. Full test on the survivors: coint with statsmodels' AIC lag search, half-life, log-return
 *     correlation and mean crossings of the spread.
 *  3. Filter: pvalue <= maxPvalue, minHalfLife <= half-life <= maxHalfLife, |log-return correlation|
 *     >= minAbsCorrelation, mean crossings >= minCrossings; rank by score; keep the top N.
 *
 * Score (higher is better) = evidence x speed:
 *   score = -log10(max(pvalue, 1e-12)) / (1 + halfLife / 50)
 * The p-value term rewards strong cointegration (capped at 12 so near-collinear series cannot win
 * on p alone); the half-life term halves the score at a 50-bar half-life, preferring spreads that
 * revert (and so trade) often. Pairs whose spread does not mean-revert score 0. Ties: lower p-value,
 * then column order.
 *
 * `scanUniverse` spreads the work over worker threads (log prices shared once through a
 * SharedArrayBuffer, pair chunks handed out on demand, results transferred back as Float64Arrays);
 * `scanUniverseSync` is the same computation on the calling thread.
 */
import { availableParallelism } from 'node:os';
import { TaskPool } from './worker-pool';
import { FULL_WIDTH, column, fullPairStats, packFull, screenPvalue, unpackFull, type PairStats } from './pair-stats';
import { differenceCorrelation } from './spread';
import type { PriceMatrix } from './price-matrix';

export interface ScanOptions {
  /** Every pair with the full test, in column order: no screen, no filter, no top-N cut. */
  all?: boolean;
  /** Default 0.05. */
  maxPvalue?: number;
  /** Stage-1 cut on the fixed-lag p-value. Default min(1, max(0.1, 3 * maxPvalue)). */
  screenPvalue?: number;
  /** Run the fixed-lag screen first: true, false, or 'auto' (default: when there are >= 2000 pairs). */
  twoStage?: boolean | 'auto';
  /** Half-life range in bars. Defaults 1 and 365 (arbitragelab's 0 < HL <= 365 convention). */
  minHalfLife?: number;
  maxHalfLife?: number;
  /** Minimum |Pearson correlation of log returns|. Default 0.5. */
  minAbsCorrelation?: number;
  /** Minimum number of times the spread crosses its mean over the sample. Default 12. */
  minCrossings?: number;
  /** How many ranked pairs to return. Default 20. */
  top?: number;
  /** Worker threads for scanUniverse: a count, or 'auto' (cores, and none for small scans). */
  workers?: number | 'auto';
  onProgress?: (progress: ScanProgress) => void;
}

export interface ScanProgress {
  stage: 'screen' | 'test';
  done: number;
  total: number;
}

export interface ScannedPair extends PairStats {
  i: number;
  j: number;
  symbol1: string;
  symbol2: string;
  score: number;
}

export interface ScanResult {
  pairs: ScannedPair[];
  /** Every pair i < j examined (screened or fully tested). */
  nPairsTested: number;
  /** Pairs that got the full AIC test. */
  nFullTests: number;
  screened: boolean;
}

export const TWO_STAGE_MIN_PAIRS = 2000;
const DEFAULTS = { maxPvalue: 0.05, minHalfLife: 1, maxHalfLife: 365, minAbsCorrelation: 0.5, minCrossings: 12, top: 20 };

interface ResolvedOptions {
  all: boolean;
  maxPvalue: number;
  screenPvalue: number;
  twoStage: boolean;
  minHalfLife: number;
  maxHalfLife: number;
  minAbsCorrelation: number;
  minCrossings: number;
  top: number;
}

function checkRange(name: string, value: number, lo: number, hi: number): void {
  if (!Number.isFinite(value) || value < lo || value > hi) throw new RangeError(`${name} must be between ${lo} and ${hi}, got ${value}`);
}

function resolveOptions(options: ScanOptions, nPairs: number): ResolvedOptions {
  const maxPvalue = options.maxPvalue ?? DEFAULTS.maxPvalue;
  checkRange('maxPvalue', maxPvalue, 0, 1);
  const screenCut = options.screenPvalue ?? Math.min(1, Math.max(0.1, 3 * maxPvalue));
  checkRange('screenPvalue', screenCut, 0, 1);
  const top = options.top ?? DEFAULTS.top;
  if (!Number.isInteger(top) || top < 1) throw new RangeError(`top must be a positive integer, got ${top}`);
  const minHalfLife = options.minHalfLife ?? DEFAULTS.minHalfLife;
  const maxHalfLife = options.maxHalfLife ?? DEFAULTS.maxHalfLife;
  if (!(minHalfLife >= 0) || !(maxHalfLife >= minHalfLife)) throw new RangeError(`half-life range [${minHalfLife}, ${maxHalfLife}] is invalid`);
  const minAbsCorrelation = options.minAbsCorrelation ?? DEFAULTS.minAbsCorrelation;
  checkRange('minAbsCorrelation', minAbsCorrelation, 0, 1);
  const minCrossings = options.minCrossings ?? DEFAULTS.minCrossings;
  if (!(minCrossings >= 0)) throw new RangeError(`minCrossings must be >= 0, got ${minCrossings}`);
  const all = options.all ?? false;
  const twoStageOpt = options.twoStage ?? 'auto';
  const twoStage = !all && (twoStageOpt === 'auto' ? nPairs >= TWO_STAGE_MIN_PAIRS : twoStageOpt);
  return { all, maxPvalue, screenPvalue: screenCut, twoStage, minHalfLife, maxHalfLife, minAbsCorrelation, minCrossings, top };
}

/** The documented ranking score; 0 when the spread does not mean-revert, NaN for an undefined p. */
export function pairScore(pvalue: number, halfLife: number): number {
  if (Number.isNaN(pvalue)) return NaN;
  if (!(halfLife > 0) || !Number.isFinite(halfLife)) return 0;
  return -Math.log10(Math.max(pvalue, 1e-12)) / (1 + halfLife / 50);
}

export function pairCount(nSymbols: number): number {
  return (nSymbols * (nSymbols - 1)) / 2;
}

/** Column-major block of log prices, optionally in shared memory for the workers. */
function logBlock(matrix: PriceMatrix, shared: boolean): Float64Array {
  const nSym = matrix.symbols.length;
  const nBars = matrix.timestamps.length;
  const bytes = nSym * nBars * Float64Array.BYTES_PER_ELEMENT;
  const block = new Float64Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  for (let k = 0; k < nSym; k++) {
    const p = matrix.prices[k];
    if (p.length !== nBars) throw new RangeError(`price series ${matrix.symbols[k]} has ${p.length} bars, expected ${nBars}`);
    for (let t = 0; t < nBars; t++) {
      if (!(p[t] > 0)) throw new RangeError(`price series ${matrix.symbols[k]} has a non-positive price at bar ${t}`);
      block[k * nBars + t] = Math.log(p[t]);
    }
  }
  return block;
}

/** (i, j) of the pair with linear index `index` in the order (0,1), (0,2), ..., (1,2), ... */
export function pairAt(index: number, nSym: number): [number, number] {
  let i = 0;
  let rest = index;
  while (rest >= nSym - 1 - i) {
    rest -= nSym - 1 - i;
    i++;
  }
  return [i, i + 1 + rest];
}

/** Values per pair returned by the screen: fixed-lag p-value, log-return correlation. */
export const SCREEN_WIDTH = 2;

/** Screen results for pairs [start, start+count) of the linear order, SCREEN_WIDTH values each. */
export function screenRange(block: Float64Array, nSym: number, nBars: number, start: number, count: number): Float64Array {
  const out = new Float64Array(count * SCREEN_WIDTH);
  let [i, j] = pairAt(start, nSym);
  for (let q = 0; q < count; q++) {
    const lpI = column(block, i, nBars);
    const lpJ = column(block, j, nBars);
    out[q * SCREEN_WIDTH] = screenPvalue(lpI, lpJ);
    out[q * SCREEN_WIDTH + 1] = differenceCorrelation(lpI, lpJ);
    if (++j === nSym) {
      i++;
      j = i + 1;
    }
  }
  return out;
}

/** Full stats for the pairs listed as flat (i, j) couples. */
export function testPairs(block: Float64Array, nBars: number, pairs: Int32Array): Float64Array {
  const count = pairs.length / 2;
  const out = new Float64Array(count * FULL_WIDTH);
  for (let q = 0; q < count; q++) {
    const stats = fullPairStats(column(block, pairs[2 * q], nBars), column(block, pairs[2 * q + 1], nBars));
    packFull(stats, out, q * FULL_WIDTH);
  }
  return out;
}

function allPairs(nSym: number): Int32Array {
  const out = new Int32Array(pairCount(nSym) * 2);
  let q = 0;
  for (let i = 0; i < nSym; i++) {
    for (let j = i + 1; j < nSym; j++) {
      out[q++] = i;
      out[q++] = j;
    }
  }
  return out;
}

/**
 * Pairs passing the screen: fixed-lag p-value <= the screen cut, and |log-return correlation| >= the
 * final filter's minimum (the correlation does not depend on the lag, so cutting on it early changes
 * nothing but the work).
 */
function survivors(screen: Float64Array, nSym: number, o: ResolvedOptions): Int32Array {
  const list: number[] = [];
  let q = 0;
  for (let i = 0; i < nSym; i++) {
    for (let j = i + 1; j < nSym; j++, q++) {
      if (screen[q * SCREEN_WIDTH] <= o.screenPvalue && Math.abs(screen[q * SCREEN_WIDTH + 1]) >= o.minAbsCorrelation) list.push(i, j);
    }
  }
  return Int32Array.from(list);
}

function passes(s: PairStats, o: ResolvedOptions): boolean {
  return (
    s.pvalue <= o.maxPvalue &&
    s.halfLife >= o.minHalfLife &&
    s.halfLife <= o.maxHalfLife &&
    Math.abs(s.correlation) >= o.minAbsCorrelation &&
    s.crossings >= o.minCrossings
  );
}

function assemble(matrix: PriceMatrix, o: ResolvedOptions, pairs: Int32Array, packed: Float64Array, nPairsTested: number): ScanResult {
  const out: ScannedPair[] = [];
  const count = pairs.length / 2;
  for (let q = 0; q < count; q++) {
    const stats = unpackFull(packed, q * FULL_WIDTH);
    if (!o.all && !passes(stats, o)) continue;
    const i = pairs[2 * q];
    const j = pairs[2 * q + 1];
    out.push({ i, j, symbol1: matrix.symbols[i], symbol2: matrix.symbols[j], ...stats, score: pairScore(stats.pvalue, stats.halfLife) });
  }
  if (!o.all) {
    out.sort((a, b) => b.score - a.score || a.pvalue - b.pvalue || a.i - b.i || a.j - b.j);
    out.length = Math.min(out.length, o.top);
  }
  return { pairs: out, nPairsTested, nFullTests: count, screened: o.twoStage };
}

function checkMatrix(matrix: PriceMatrix): void {
  if (matrix.symbols.length < 2) throw new RangeError(`a scan needs at least 2 symbols, got ${matrix.symbols.length}`);
  if (matrix.prices.length !== matrix.symbols.length) throw new RangeError('price matrix has a different number of series and symbols');
}

const SCREEN_CHUNK = 2000;
const TEST_CHUNK = 64;

/** The scan on the calling thread. */
export function scanUniverseSync(matrix: PriceMatrix, options: ScanOptions = {}): ScanResult {
  checkMatrix(matrix);
  const nSym = matrix.symbols.length;
  const nBars = matrix.timestamps.length;
  const nPairs = pairCount(nSym);
  const o = resolveOptions(options, nPairs);
  const block = logBlock(matrix, false);
  let pairs = allPairs(nSym);
  if (o.twoStage) {
    const screen = new Float64Array(nPairs * SCREEN_WIDTH);
    for (let start = 0; start < nPairs; start += SCREEN_CHUNK) {
      const count = Math.min(SCREEN_CHUNK, nPairs - start);
      screen.set(screenRange(block, nSym, nBars, start, count), start * SCREEN_WIDTH);
      options.onProgress?.({ stage: 'screen', done: start + count, total: nPairs });
    }
    pairs = survivors(screen, nSym, o);
  }
  const count = pairs.length / 2;
  const packed = new Float64Array(count * FULL_WIDTH);
  for (let start = 0; start < count; start += TEST_CHUNK) {
    const end = Math.min(count, start + TEST_CHUNK);
    packed.set(testPairs(block, nBars, pairs.subarray(2 * start, 2 * end)), start * FULL_WIDTH);
    options.onProgress?.({ stage: 'test', done: end, total: count });
  }
  return assemble(matrix, o, pairs, packed, nPairs);
}

/** Rough single-thread cost (arbitrary units ~ a few ns each) used to decide whether workers pay off. */
function estimatedWork(nPairs: number, nBars: number, twoStage: boolean): number {
  const maxlag = Math.ceil(12 * Math.pow(nBars / 100, 0.25));
  return twoStage ? nPairs * nBars * 12 + 0.2 * nPairs * nBars * (maxlag + 6) : nPairs * nBars * (maxlag + 6);
}
/** Below this estimated work (~0.3 s on one core) starting worker threads costs more than it saves. */
const WORKER_THRESHOLD = 6e7;

/** The scan spread over worker threads (falls back to the calling thread for small scans). */
export async function scanUniverse(matrix: PriceMatrix, options: ScanOptions = {}): Promise<ScanResult> {
  checkMatrix(matrix);
  const nSym = matrix.symbols.length;
  const nBars = matrix.timestamps.length;
  const nPairs = pairCount(nSym);
  const o = resolveOptions(options, nPairs);
  const requested = options.workers ?? 'auto';
  let size: number;
  if (requested === 'auto') {
    size = estimatedWork(nPairs, nBars, o.twoStage) < WORKER_THRESHOLD ? 0 : availableParallelism();
  } else {
    if (!Number.isInteger(requested) || requested < 0) throw new RangeError(`workers must be a non-negative integer, got ${requested}`);
    size = requested;
  }
  if (size === 0) return scanUniverseSync(matrix, options);

  const block = logBlock(matrix, true);
  const pool = new TaskPool<{ result: Float64Array }>('scan', size, { buffer: block.buffer, nSym, nBars });
  try {
    let pairs = allPairs(nSym);
    if (o.twoStage) {
      const screen = new Float64Array(nPairs * SCREEN_WIDTH);
      const ranges: [number, number][] = [];
      for (let start = 0; start < nPairs; start += SCREEN_CHUNK) ranges.push([start, Math.min(SCREEN_CHUNK, nPairs - start)]);
      let done = 0;
      await pool.run(
        ranges.length,
        (worker, id) => worker.postMessage({ kind: 'screen', id, start: ranges[id][0], count: ranges[id][1] }),
        ({ id, result }) => {
          screen.set(result, ranges[id][0] * SCREEN_WIDTH);
          done += result.length / SCREEN_WIDTH;
          options.onProgress?.({ stage: 'screen', done, total: nPairs });
        },
      );
      pairs = survivors(screen, nSym, o);
    }
    const count = pairs.length / 2;
    const packed = new Float64Array(count * FULL_WIDTH);
    // Smaller chunks than the sync path so both workers stay busy to the end.
    const chunk = Math.max(8, Math.min(TEST_CHUNK, Math.ceil(count / (size * 8))));
    const chunks: number[] = [];
    for (let start = 0; start < count; start += chunk) chunks.push(start);
    let done = 0;
    await pool.run(
      chunks.length,
      (worker, id) => {
        const start = chunks[id];
        const slice = pairs.slice(2 * start, 2 * Math.min(count, start + chunk));
        worker.postMessage({ kind: 'test', id, pairs: slice }, [slice.buffer]);
      },
      ({ id, result }) => {
        packed.set(result, chunks[id] * FULL_WIDTH);
        done += result.length / FULL_WIDTH;
        options.onProgress?.({ stage: 'test', done, total: count });
      },
    );
    return assemble(matrix, o, pairs, packed, nPairs);
  } finally {
    await pool.close();
  }
}
