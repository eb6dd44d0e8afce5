/**
 * Probability of backtest overfitting by combinatorially symmetric cross-validation (CSCV): D. H. Bailey,
 * J. M. Borwein, M. López de Prado and Q. J. Zhu, "The Probability of Backtest Overfitting", Journal of
 * Computational Finance 20(4), 2017 (SSRN working paper 2015).
 *
 * Input: a T x N matrix of per-bar returns, one column per configuration tried.
 *  1. Cut the rows into S (even) disjoint blocks of equal size, in time order (the earliest T mod S rows
 *     are dropped).
 *  2. For every one of the C(S, S/2) ways to choose S/2 blocks as the in-sample set J (the other S/2 blocks,
 *     J-bar, are out of sample): compute each configuration's Sharpe ratio (mean / sample std of its returns)
 *     on J and on J-bar; take n* = the configuration with the best in-sample Sharpe ratio (first on ties).
 *  3. omega = rank of n* among the N out-of-sample Sharpe ratios / (N + 1), ranks 1 (worst) .. N (best),
 *     ties given their average rank; the logit lambda = ln(omega / (1 - omega)).
 *  4. PBO = the fraction of the C(S, S/2) logits with lambda <= 0, i.e. how often the in-sample winner
 *     lands at or below the out-of-sample median.
 * PBO near 0: choosing the in-sample best configuration also tends to choose an out-of-sample good one;
 * PBO near 0.5 or above: the choice is no better than chance, the sweep is overfitting.
 */

export interface BacktestOverfitting {
  pbo: number;
  /** Blocks S. */
  blocks: number;
  /** C(S, S/2) train/test combinations. */
  combinations: number;
  configurations: number;
  /** Rows used (a multiple of S). */
  rows: number;
  /** Median of the logits. */
  medianLogit: number;
  /** Logits of every combination, in combination order. */
  logits: number[];
}

export const DEFAULT_CSCV_BLOCKS = 16;
/** Fewest rows per block for a meaningful per-block Sharpe ratio. */
export const MIN_ROWS_PER_BLOCK = 4;

function sharpeOf(sum: number, sumSq: number, n: number): number {
  if (n < 2) return 0;
  const mean = sum / n;
  const variance = (sumSq - sum * mean) / (n - 1);
  return variance > 0 ? mean / Math.sqrt(variance) : 0;
}

/** The largest even S <= `requested` leaving at least MIN_ROWS_PER_BLOCK rows per block; 0 when none. */
export function cscvBlocks(rows: number, requested: number = DEFAULT_CSCV_BLOCKS): number {
  let s = Math.min(requested, Math.floor(rows / MIN_ROWS_PER_BLOCK));
  if (s % 2 === 1) s--;
  return s >= 2 ? s : 0;
}

/**
 * CSCV on `columns` (N arrays of T returns each). Returns null when there are fewer than 2 configurations
 * or too few rows for two blocks.
 */
export function probabilityOfBacktestOverfitting(
  columns: readonly ArrayLike<number>[],
  requestedBlocks: number = DEFAULT_CSCV_BLOCKS,
): BacktestOverfitting | null {
  const nConfig = columns.length;
  if (nConfig < 2) return null;
  const totalRows = columns[0].length;
  for (const c of columns) if (c.length !== totalRows) throw new RangeError('every configuration needs the same number of returns');
  const s = cscvBlocks(totalRows, requestedBlocks);
  if (s === 0) return null;
  const size = Math.floor(totalRows / s);
  const offset = totalRows - size * s;
  // Per block and configuration: sum and sum of squares of the returns.
  const sum = new Float64Array(s * nConfig);
  const sumSq = new Float64Array(s * nConfig);
  for (let b = 0; b < s; b++) {
    for (let c = 0; c < nConfig; c++) {
      const col = columns[c];
      let a = 0;
      let q = 0;
      for (let t = offset + b * size; t < offset + (b + 1) * size; t++) {
        a += col[t];
        q += col[t] * col[t];
      }
      sum[b * nConfig + c] = a;
      sumSq[b * nConfig + c] = q;
    }
  }
  const half = s / 2;
  const logits: number[] = [];
  const inSample = new Array<boolean>(s).fill(false);
  const isSharpe = new Float64Array(nConfig);
  const oosSharpe = new Float64Array(nConfig);
  const visit = (start: number, chosen: number): void => {
    if (chosen === half) {
      for (let c = 0; c < nConfig; c++) {
        let a = 0;
        let q = 0;
        let a2 = 0;
        let q2 = 0;
        for (let b = 0; b < s; b++) {
          if (inSample[b]) {
            a += sum[b * nConfig + c];
            q += sumSq[b * nConfig + c];
          } else {
            a2 += sum[b * nConfig + c];
            q2 += sumSq[b * nConfig + c];
          }
        }
        isSharpe[c] = sharpeOf(a, q, half * size);
        oosSharpe[c] = sharpeOf(a2, q2, half * size);
      }
      let best = 0;
      for (let c = 1; c < nConfig; c++) if (isSharpe[c] > isSharpe[best]) best = c;
      let below = 0;
      let equal = 0;
      for (let c = 0; c < nConfig; c++) {
        if (oosSharpe[c] < oosSharpe[best]) below++;
        else if (oosSharpe[c] === oosSharpe[best]) equal++;
      }
      const rank = below + (equal + 1) / 2; // average rank of the tie group containing n*
      const omega = rank / (nConfig + 1);
      logits.push(Math.log(omega / (1 - omega)));
      return;
    }
    for (let b = start; b <= s - (half - chosen); b++) {
      inSample[b] = true;
      visit(b + 1, chosen + 1);
      inSample[b] = false;
    }
  };
  visit(0, 0);
  const sorted = [...logits].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  const medianLogit = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return {
    pbo: logits.filter((l) => l <= 0).length / logits.length,
    blocks: s,
    combinations: logits.length,
    configurations: nConfig,
    rows: size * s,
    medianLogit,
    logits,
  };
}
