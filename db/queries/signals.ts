import { sql } from 'kysely';
import type { Db } from '../connection';
import type { SignalType } from '../schema';

export interface SignalInsert {
  pair_id: number;
  ts: Date;
  type: SignalType;
  z_score: number | null;
  reason: string;
  inputs: Record<string, unknown>;
  /** The live trade an exit signal is for; entry signals are linked once their trade exists. */
  trade_id?: number | null;
}

export interface StoredSignal {
  id: number;
  pair_id: number;
  ts: Date;
  type: SignalType;
  trade_id: number | null;
}

/**
 * Inserts signals on their natural key (pair_id, ts, type), keeping the first row of a key, and returns the
 * stored row of every input (new or existing) in input order — so a retried cycle routes the same ids.
 */
export async function insertSignals(db: Db, signals: SignalInsert[]): Promise<StoredSignal[]> {
  if (signals.length === 0) return [];
  await db
    .insertInto('strategy_engine.pair_signal')
    .values(signals.map((s) => ({ ...s, inputs: JSON.stringify(s.inputs) })))
    .onConflict((oc) => oc.columns(['pair_id', 'ts', 'type']).doNothing())
    .execute();
  const { rows } = await sql<StoredSignal>`
    SELECT s.id, s.pair_id, s.ts, s.type, s.trade_id
    FROM strategy_engine.pair_signal s
    JOIN unnest(${signals.map((s) => s.pair_id)}::int[], ${signals.map((s) => s.ts.toISOString())}::timestamptz[],
                ${signals.map((s) => s.type)}::text[]) AS k(pair_id, ts, type)
      ON s.pair_id = k.pair_id AND s.ts = k.ts AND s.type = k.type`.execute(db);
  const key = (p: number, ts: Date | string, t: string) => `${p}|${new Date(ts).getTime()}|${t}`;
  const byKey = new Map(rows.map((r) => [key(r.pair_id, r.ts, r.type), { ...r, ts: new Date(r.ts) }]));
  return signals.map((s) => {
    const stored = byKey.get(key(s.pair_id, s.ts, s.type));
    if (!stored) throw new Error(`signal ${s.type} of pair ${s.pair_id} at ${s.ts.toISOString()} was not stored`);
    return stored;
  });
}

export async function linkSignalToTrade(db: Db, signalId: number, tradeId: number): Promise<void> {
  await db.updateTable('strategy_engine.pair_signal').set({ trade_id: tradeId }).where('id', '=', signalId).execute();
}
