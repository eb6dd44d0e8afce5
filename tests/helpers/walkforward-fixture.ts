import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../db/connection';
import { parsePriceCsv, type PriceMatrix } from '../../strategy/price-matrix';

/** The real-data fixture of the walk-forward tests (SPISECTOR, daily closes; rebuilt by extract-spisector.R). */
export const SPISECTOR_CSV = path.resolve(__dirname, '../fixtures/walkforward/spisector-daily.csv');

export function readSpisector(): PriceMatrix {
  return parsePriceCsv(readFileSync(SPISECTOR_CSV, 'utf8'));
}

/** Stores a price matrix's closes in market_data as bars (open = high = low = close, no volume). */
export async function storeCloses(db: Db, matrix: PriceMatrix): Promise<void> {
  const rows = matrix.symbols.flatMap((symbol, k) =>
    Array.from(matrix.timestamps, (t, i) => {
      const c = matrix.prices[k][i];
      return { symbol, ts: new Date(t), open: c, high: c, low: c, close: c, volume: 0 };
    }),
  );
  for (let i = 0; i < rows.length; i += 5000)
    await db
      .insertInto('strategy_engine.market_data')
      .values(rows.slice(i, i + 5000))
      .execute();
}
