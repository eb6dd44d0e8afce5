import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema';

/**
 * Adds one closed trade to its pair's row for the exit date (UTC): realized P&L and counts accumulate,
 * cumulative P&L continues from the pair's latest earlier day. Call inside the transaction that closes the
 * trade, so a trade is counted exactly once.
 */
export async function addClosedTradeToPerformance(db: Kysely<Database>, pairId: number, exitTime: Date, pnl: number): Promise<void> {
  const date = exitTime.toISOString().slice(0, 10);
  const win = pnl > 0 ? 1 : 0;
  await sql`
    INSERT INTO strategy_engine.pair_performance AS pp
      (pair_id, date, realized_pnl, cumulative_pnl, trades_closed, wins, losses)
    VALUES (${pairId}, ${date}::date, ${pnl},
      COALESCE((SELECT cumulative_pnl FROM strategy_engine.pair_performance
                WHERE pair_id = ${pairId} AND date < ${date}::date ORDER BY date DESC LIMIT 1), 0) + ${pnl},
      1, ${win}, ${1 - win})
    ON CONFLICT (pair_id, date) DO UPDATE SET
      realized_pnl = pp.realized_pnl + EXCLUDED.realized_pnl,
      cumulative_pnl = pp.cumulative_pnl + EXCLUDED.realized_pnl,
      trades_closed = pp.trades_closed + 1,
      wins = pp.wins + EXCLUDED.wins,
      losses = pp.losses + EXCLUDED.losses,
      updated_at = now()`.execute(db);
}
