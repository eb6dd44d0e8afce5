import type { ScannedPair } from '../../strategy/scan';
import type { Db } from '../connection';
import type { NewPair, PairRow } from '../schema';
import { NOW } from './now';
import { hasNoLiveTrade } from './pair-retirement';

export async function listActivePairs(db: Db): Promise<PairRow[]> {
  return db.selectFrom('strategy_engine.pair_registry').selectAll().where('is_active', '=', true).orderBy('id').execute();
}

export async function getPair(db: Db, pairId: number): Promise<PairRow | undefined> {
  return db.selectFrom('strategy_engine.pair_registry').selectAll().where('id', '=', pairId).executeTakeFirst();
}

function registryRow(pair: ScannedPair, rank: number): NewPair {
  return {
    symbol1: pair.symbol1,
    symbol2: pair.symbol2,
    hedge_ratio: pair.beta,
    hedge_alpha: pair.alpha,
    half_life: Number.isFinite(pair.halfLife) ? pair.halfLife : null,
    cointegration_pvalue: pair.pvalue,
    cointegration_stat: pair.stat,
    correlation: pair.correlation,
    score: pair.score,
    rank,
    is_active: true,
    entry_threshold: null,
    exit_threshold: null,
    stop_loss_threshold: null,
  };
}

/**
 * Upserts the ranked pairs (one statement, ON CONFLICT (symbol1, symbol2) DO UPDATE) and retires the rest, except
 * those with a live trade.
 */
export async function storeDiscoveredPairs(db: Db, ranked: ScannedPair[]): Promise<{ ids: number[]; deactivated: number }> {
  return db.transaction().execute(async (trx) => {
    let ids: number[] = [];
    if (ranked.length > 0) {
      const rows = await trx
        .insertInto('strategy_engine.pair_registry')
        .values(ranked.map((p, k) => registryRow(p, k + 1)))
        .onConflict((oc) =>
          oc.columns(['symbol1', 'symbol2']).doUpdateSet((eb) => ({
            hedge_ratio: eb.ref('excluded.hedge_ratio'),
            hedge_alpha: eb.ref('excluded.hedge_alpha'),
            half_life: eb.ref('excluded.half_life'),
            cointegration_pvalue: eb.ref('excluded.cointegration_pvalue'),
            cointegration_stat: eb.ref('excluded.cointegration_stat'),
            correlation: eb.ref('excluded.correlation'),
            score: eb.ref('excluded.score'),
            rank: eb.ref('excluded.rank'),
            is_active: true,
            status: 'ACTIVE',
            retired_at: null,
            retire_reason: null,
            updated_at: NOW,
          })),
        )
        .returning(['id', 'symbol1', 'symbol2'])
        .execute();
      const idOf = new Map(rows.map((r) => [`${r.symbol1}/${r.symbol2}`, r.id]));
      ids = ranked.map((p) => idOf.get(`${p.symbol1}/${p.symbol2}`)!);
    }
    let query = trx
      .updateTable('strategy_engine.pair_registry')
      .set({ is_active: false, rank: null, status: 'RETIRED', retired_at: NOW, retire_reason: 'left the top N of a discovery run', updated_at: NOW })
      .where('is_active', '=', true)
      .where(hasNoLiveTrade);
    if (ids.length > 0) query = query.where('id', 'not in', ids);
    const result = await query.executeTakeFirst();
    return { ids, deactivated: Number(result.numUpdatedRows) };
  });
}

/**
 * True when pair_registry holds active pairs and was refreshed within `maxAgeMs`: discovery can be skipped,
 * so a second start is fast.
 */
export async function registryIsFresh(db: Db, maxAgeMs: number, nowMs = Date.now()): Promise<boolean> {
  const row = await db
    .selectFrom('strategy_engine.pair_registry')
    .select((eb) => [eb.fn.countAll<number>().as('active'), eb.fn.max('updated_at').as('newest')])
    .where('is_active', '=', true)
    .executeTakeFirstOrThrow();
  if (Number(row.active) === 0 || !row.newest) return false;
  return nowMs - new Date(row.newest).getTime() <= maxAgeMs;
}

export async function countActivePairs(db: Db): Promise<number> {
  const row = await db
    .selectFrom('strategy_engine.pair_registry')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('is_active', '=', true)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
