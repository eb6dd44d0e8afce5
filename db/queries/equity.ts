import { sql, type Insertable } from 'kysely';
import type { Db } from '../connection';
import type { EquitySnapshotRow, EquitySnapshotTable } from '../schema';

/** A snapshot as the cycle writes it (`taken_at` is the database's). */
export type EquitySnapshotInsert = Omit<Insertable<EquitySnapshotTable>, 'taken_at'> & { ts: Date };

/** One snapshot per cycle hour: a repeated or retried cycle in the same hour rewrites it. */
export async function upsertEquitySnapshot(db: Db, row: EquitySnapshotInsert): Promise<void> {
  const { ts: _ts, ...values } = row;
  await db
    .insertInto('strategy_engine.equity_snapshot')
    .values(row)
    .onConflict((oc) => oc.column('ts').doUpdateSet({ ...values, taken_at: sql`now()` }))
    .execute();
}

/** Every snapshot, oldest first (at most `limit`, the latest ones). */
export async function listEquitySnapshots(db: Db, limit = 10_000): Promise<EquitySnapshotRow[]> {
  const rows = await db.selectFrom('strategy_engine.equity_snapshot').selectAll().orderBy('ts', 'desc').limit(limit).execute();
  return rows.reverse();
}

/**
 * The references of the daily-loss and drawdown limits: the first snapshot of the day starting at `dayStart` and
 * the peak, both counting only snapshots from `since` on (the operator's last POST /start); null when none.
 */
export async function equityReferences(db: Db, dayStart: Date, since: Date | null): Promise<{ dayStart: number | null; peak: number | null }> {
  const from = since && since > dayStart ? since : dayStart;
  const { rows } = await sql<{ day_start: number | null; peak: number | null }>`
    SELECT
      (SELECT equity FROM strategy_engine.equity_snapshot WHERE ts >= ${from} ORDER BY ts LIMIT 1) AS day_start,
      (SELECT max(equity) FROM strategy_engine.equity_snapshot WHERE ${since === null ? sql`true` : sql`ts >= ${since}`}) AS peak`.execute(db);
  return { dayStart: rows[0]?.day_start ?? null, peak: rows[0]?.peak ?? null };
}

/** Realised P&L: closed trades plus what failed entries cost. */
export async function realizedPnl(db: Db): Promise<{ closed: number; failedEntryCost: number }> {
  const { rows } = await sql<{ closed: number; failed: number }>`
    SELECT
      COALESCE((SELECT sum(pnl) FROM strategy_engine.pair_trade WHERE status = 'CLOSED' AND pnl IS NOT NULL), 0) AS closed,
      COALESCE((SELECT sum(entry_cost) FROM strategy_engine.pair_trade WHERE status = 'FAILED' AND entry_cost IS NOT NULL), 0) AS failed`.execute(db);
  return { closed: Number(rows[0].closed), failedEntryCost: Number(rows[0].failed) };
}
