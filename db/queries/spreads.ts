import type { Insertable } from 'kysely';
import type { Db } from '../connection';
import type { PairSpreadTable } from '../schema';

export type SpreadInsert = Insertable<PairSpreadTable>;

const UPSERT_CHUNK = 5000;

/** Upserts on (pair_id, ts); a recomputed bar (e.g. after a hedge-ratio change) replaces the stored row. */
export async function upsertSpreads(db: Db, rows: SpreadInsert[]): Promise<number> {
  for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
    await db
      .insertInto('strategy_engine.pair_spread')
      .values(rows.slice(i, i + UPSERT_CHUNK))
      .onConflict((oc) =>
        oc.columns(['pair_id', 'ts']).doUpdateSet({
          price1: (eb) => eb.ref('excluded.price1'),
          price2: (eb) => eb.ref('excluded.price2'),
          hedge_ratio: (eb) => eb.ref('excluded.hedge_ratio'),
          spread: (eb) => eb.ref('excluded.spread'),
          rolling_mean: (eb) => eb.ref('excluded.rolling_mean'),
          rolling_std: (eb) => eb.ref('excluded.rolling_std'),
          z_score: (eb) => eb.ref('excluded.z_score'),
        }),
      )
      .execute();
  }
  return rows.length;
}

/** Latest stored spread time per pair; pairs without rows are absent. */
export async function latestSpreadTimes(db: Db, pairIds: number[]): Promise<Map<number, number>> {
  if (pairIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('strategy_engine.pair_spread')
    .select(['pair_id', (eb) => eb.fn.max('ts').as('ts')])
    .where('pair_id', 'in', pairIds)
    .groupBy('pair_id')
    .execute();
  return new Map(rows.map((r) => [r.pair_id, new Date(r.ts).getTime()]));
}

/** The pair's most recent finite z-score, or null. */
export async function latestZScore(db: Db, pairId: number): Promise<number | null> {
  const row = await db
    .selectFrom('strategy_engine.pair_spread')
    .select('z_score')
    .where('pair_id', '=', pairId)
    .where('z_score', 'is not', null)
    .orderBy('ts', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.z_score ?? null;
}
