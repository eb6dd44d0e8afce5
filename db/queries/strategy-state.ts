import { NOW } from './now';
import type { Db } from '../connection';
import type { StrategyStateRow } from '../schema';

export async function getStrategyState(db: Db): Promise<StrategyStateRow> {
  const row = await db.selectFrom('strategy_engine.strategy_state').selectAll().where('id', '=', 1).executeTakeFirst();
  if (!row) throw new Error('strategy_state row is missing (migrations not applied?)');
  return row;
}

export async function touchLastUpdate(db: Db, at: Date): Promise<void> {
  await db.updateTable('strategy_engine.strategy_state').set({ last_update: at, updated_at: NOW }).where('id', '=', 1).execute();
}
