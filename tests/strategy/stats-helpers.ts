/** Shared helpers of the statistics tests: reference-file loading and tolerance checks. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const REFERENCE_DIR = '/work/shared/reference';
export const PAIR_FILES = [
  'pair_coint_hl10.json',
  'pair_coint_hl20.json',
  'pair_coint_hl40.json',
  'pair_nocoint_drift.json',
  'pair_nocoint_nodrift.json',
  'pair_break_half.json',
];

export function readReference<T = any>(file: string): T {
  return JSON.parse(readFileSync(path.join(REFERENCE_DIR, file), 'utf8')) as T;
}

/** |actual - expected| <= abs, and when rel is given also relative to |expected|. null expects NaN/null. */
export function expectNear(actual: number | null | undefined, expected: number | null, tol: { abs?: number; rel?: number }, what: string): void {
  if (expected === null) {
    if (!(actual === null || actual === undefined || Number.isNaN(actual))) throw new Error(`${what}: expected null/NaN, got ${actual}`);
    return;
  }
  if (typeof actual !== 'number' || !Number.isFinite(actual)) throw new Error(`${what}: expected ${expected}, got ${actual}`);
  const diff = Math.abs(actual - expected);
  if (tol.abs !== undefined && diff > tol.abs) throw new Error(`${what}: |${actual} - ${expected}| = ${diff} > ${tol.abs}`);
  if (tol.rel !== undefined && diff > tol.rel * Math.abs(expected)) {
    throw new Error(`${what}: relative difference ${diff / Math.abs(expected)} > ${tol.rel} (${actual} vs ${expected})`);
  }
}

/** Tolerances: the project's contract, tightened where the reference README shows more is reachable. */
export const TOL = {
  beta: { rel: 1e-9 },
  stat: { abs: 1e-6, rel: 1e-9 },
  pvalue: { abs: 1e-6 },
  /** Small p-values are checked relatively as well (README: relative 1e-7). */
  pvalueRel: 1e-7,
  crit: { abs: 1e-12 },
  zscore: { abs: 1e-9 },
  ratio: { rel: 1e-9 },
};

export function expectPvalue(actual: number | null | undefined, expected: number, what: string): void {
  expectNear(actual, expected, TOL.pvalue, what);
  expectNear(actual, expected, expected < 1e-5 ? { abs: 1e-12 } : { rel: TOL.pvalueRel }, what);
}

/** The keys of the analyze contract (analyzePair and `pairs analyze --json`), in order. */
export const ANALYZE_KEYS = ['symbol1', 'symbol2', 'n', 'hedge', 'coint', 'coint_lag1', 'adf_spread', 'half_life', 'correlation', 'zscore_last'];
