import type { Db } from '../connection';
import type { PairRow } from '../schema';

export async function listActivePairs(db: Db): Promise<PairRow[]> {
  return db.selectFrom('strategy_engine.pair_registry').selectAll().where('is_active', '=', true).orderBy('id').execute();
}

export async function getPair(db: Db, pairId: number): Promise<PairRow | undefined> {
  return db.selectFrom('strategy_engine.pair_registry').selectAll().where('id', '=', pairId).executeTakeFirst();
}
