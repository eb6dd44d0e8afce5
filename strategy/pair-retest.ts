/**
 * Discovery's per-pair test and its bounds, pure: the full Engle-Granger test of one pair (as the universe scan
 * runs it) plus the Pearson correlation of prices, checked against the configured bounds. Used to scan one
 * chunk of a universe (so chunks can run as separate activities on any worker) and to re-test registered pairs.
 */
import { fullPairStats, screenPvalue, type PairStats } from './pair-stats';
import type { PriceMatrix } from './price-matrix';
import { pairAt, pairScore, TWO_STAGE_MIN_PAIRS } from './scan';
import { logPrices, pearson } from './spread';

export interface PairBounds {
  maxPvalue: number;
  minHalfLife: number;
  maxHalfLife: number;
  /** Minimum Pearson correlation of prices. */
  minCorrelation: number;
  /** Minimum mean crossings of the spread (new pairs only; a registered pair is not retired for it). */
  minCrossings: number;
}

export interface TestedPair extends PairStats {
  symbol1: string;
  symbol2: string;
  /** Pearson correlation of prices (PairStats.correlation is that of log returns). */
  priceCorrelation: number;
  score: number;
}

export function testPair(symbol1: string, symbol2: string, p1: ArrayLike<number>, p2: ArrayLike<number>): TestedPair {
  const stats = fullPairStats(logPrices(p1), logPrices(p2));
  return { symbol1, symbol2, ...stats, priceCorrelation: pearson(p1, p2), score: pairScore(stats.pvalue, stats.halfLife) };
}

const fmt = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : 'none');

/** Why a tested pair is out of bounds (p-value, half-life, price correlation; crossings when asked); empty when in. */
export function boundFailures(t: TestedPair, b: PairBounds, { crossings = false } = {}): string[] {
  const out: string[] = [];
  if (!(t.pvalue <= b.maxPvalue)) out.push(`p-value ${fmt(t.pvalue, 4)} > ${b.maxPvalue}`);
  if (!(t.halfLife >= b.minHalfLife && t.halfLife <= b.maxHalfLife)) {
    out.push(`half-life ${fmt(t.halfLife, 1)} outside ${b.minHalfLife}..${b.maxHalfLife}`);
  }
  if (!(t.priceCorrelation >= b.minCorrelation)) out.push(`correlation ${fmt(t.priceCorrelation, 3)} < ${b.minCorrelation}`);
  if (crossings && !(t.crossings >= b.minCrossings)) out.push(`mean crossings ${t.crossings} < ${b.minCrossings}`);
  return out;
}

/**
 * Pairs [start, start + count) of the universe's linear pair order (see pairAt) that pass every bound. Large
 * universes (>= TWO_STAGE_MIN_PAIRS pairs) get the scan's cheap fixed-lag screen first.
 */
export function testPairRange(matrix: PriceMatrix, start: number, count: number, b: PairBounds): TestedPair[] {
  const nSym = matrix.symbols.length;
  const nPairs = (nSym * (nSym - 1)) / 2;
  const screenCut = nPairs >= TWO_STAGE_MIN_PAIRS ? Math.min(1, Math.max(0.1, 3 * b.maxPvalue)) : null;
  const logs = new Map<number, Float64Array>();
  const logOf = (k: number): Float64Array => {
    let l = logs.get(k);
    if (!l) logs.set(k, (l = logPrices(matrix.prices[k])));
    return l;
  };
  const out: TestedPair[] = [];
  const end = Math.min(nPairs, start + count);
  for (let q = start; q < end; q++) {
    const [i, j] = pairAt(q, nSym);
    if (screenCut !== null && !(screenPvalue(logOf(i), logOf(j)) <= screenCut)) continue;
    const stats = fullPairStats(logOf(i), logOf(j));
    const tested: TestedPair = {
      symbol1: matrix.symbols[i],
      symbol2: matrix.symbols[j],
      ...stats,
      priceCorrelation: pearson(matrix.prices[i], matrix.prices[j]),
      score: pairScore(stats.pvalue, stats.halfLife),
    };
    if (boundFailures(tested, b, { crossings: true }).length === 0) out.push(tested);
  }
  return out;
}
