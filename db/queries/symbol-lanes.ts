import { NOW } from './now';
import type { Db } from '../connection';
import type { SymbolOrderLaneTable } from '../schema';
import type { Selectable } from 'kysely';

/**
 * One engine order in flight per symbol (README "One account, one lane per symbol"). A lane row names the
 * client order id holding the symbol and what it asked for; claims are compare-and-swap on the holder, so two
 * workers can never both believe they hold a symbol.
 */
export type SymbolLane = Selectable<SymbolOrderLaneTable>;

export interface LaneClaim {
  symbol: string;
  clientOrderId: string;
  side: 'buy' | 'sell';
  qty: number;
}

export async function getLane(db: Db, symbol: string): Promise<SymbolLane | undefined> {
  return db.selectFrom('strategy_engine.symbol_order_lane').selectAll().where('symbol', '=', symbol).executeTakeFirst();
}

/**
 * Takes the lane when it is free (`expectedHolder` null) or still held by `expectedHolder` (whose order is
 * final or stale); true when `claim` now holds it. Claiming a lane one already holds just refreshes it.
 */
export async function claimLane(db: Db, claim: LaneClaim, expectedHolder: string | null): Promise<boolean> {
  if (expectedHolder === null) {
    const inserted = await db
      .insertInto('strategy_engine.symbol_order_lane')
      .values({ symbol: claim.symbol, client_order_id: claim.clientOrderId, side: claim.side, qty: claim.qty })
      .onConflict((oc) => oc.column('symbol').doNothing())
      .returning('symbol')
      .executeTakeFirst();
    return inserted !== undefined;
  }
  const updated = await db
    .updateTable('strategy_engine.symbol_order_lane')
    .set({ client_order_id: claim.clientOrderId, side: claim.side, qty: claim.qty, acquired_at: NOW })
    .where('symbol', '=', claim.symbol)
    .where('client_order_id', '=', expectedHolder)
    .returning('symbol')
    .executeTakeFirst();
  return updated !== undefined;
}

/** Frees the lane if `clientOrderId` still holds it (a no-op otherwise, so retries are harmless). */
export async function releaseLane(db: Db, symbol: string, clientOrderId: string): Promise<void> {
  await db.deleteFrom('strategy_engine.symbol_order_lane').where('symbol', '=', symbol).where('client_order_id', '=', clientOrderId).execute();
}

export async function listLanes(db: Db): Promise<SymbolLane[]> {
  return db.selectFrom('strategy_engine.symbol_order_lane').selectAll().orderBy('symbol').execute();
}
