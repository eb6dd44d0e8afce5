/**
 * The live discovery rule as one pure function: the universe scan (scan.ts) with the discovery settings,
 * then the price-correlation filter and the top-N cut. activities/discovery.ts stores what `selectPairs`
 * keeps; the walk-forward backtest calls the same function on each formation window.
 *
 * The scan's own correlation filter works on log returns; the config's min_correlation is documented as
 * the correlation of prices, so the scan keeps every ranked pair (minAbsCorrelation 0, top = all pairs)
 * and the price filter (Pearson of the closes >= min_correlation) is applied here, before the top-N cut.
 */
import { pairCount, scanUniverse, scanUniverseSync, type ScannedPair, type ScanOptions, type ScanResult } from './scan';
import type { PriceMatrix } from './price-matrix';
import { pearson } from './spread';

/** The discovery section of config/pairs.yaml (half-lives in bars). */
export interface PairSelectionSettings {
  max_pvalue: number;
  min_half_life: number;
  max_half_life: number;
  min_correlation: number;
  min_crossings: number;
  top_n: number;
}

export interface PairSelection {
  /** Kept pairs, best first; `correlation` is the Pearson correlation of the prices. */
  pairs: ScannedPair[];
  /** Every pair examined by the scan. */
  nPairsTested: number;
}

/** How the scan runs (not what it keeps). */
export type SelectionScanOptions = Pick<ScanOptions, 'workers' | 'twoStage' | 'onProgress'>;

function scanOptions(matrix: PriceMatrix, settings: PairSelectionSettings, run: SelectionScanOptions): ScanOptions {
  return {
    ...run,
    maxPvalue: settings.max_pvalue,
    minHalfLife: settings.min_half_life,
    maxHalfLife: settings.max_half_life,
    minAbsCorrelation: 0,
    minCrossings: settings.min_crossings,
    top: pairCount(matrix.symbols.length),
  };
}

function keep(matrix: PriceMatrix, settings: PairSelectionSettings, scan: ScanResult): PairSelection {
  const pairs = scan.pairs
    .map((p) => ({ ...p, correlation: pearson(matrix.prices[p.i], matrix.prices[p.j]) }))
    .filter((p) => p.correlation >= settings.min_correlation)
    .slice(0, settings.top_n);
  return { pairs, nPairsTested: scan.nPairsTested };
}

/** Discovery on worker threads when the scan is large enough (scanUniverse). */
export async function selectPairs(matrix: PriceMatrix, settings: PairSelectionSettings, run: SelectionScanOptions = {}): Promise<PairSelection> {
  return keep(matrix, settings, await scanUniverse(matrix, scanOptions(matrix, settings, run)));
}

/** Discovery on the calling thread (scanUniverseSync). */
export function selectPairsSync(matrix: PriceMatrix, settings: PairSelectionSettings, run: SelectionScanOptions = {}): PairSelection {
  return keep(matrix, settings, scanUniverseSync(matrix, scanOptions(matrix, settings, run)));
}
