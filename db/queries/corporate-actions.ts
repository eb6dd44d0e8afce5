import { sql, type Transaction } from 'kysely';
import type { Db } from '../connection';
import type { Database } from '../schema';
import { LIVE_TRADE_STATUSES } from '../../strategy/trade-status';
import { rebaseEntryStats } from '../../strategy/trade-entry-stats';
import { NOW } from './now';

export interface SplitRecord {
  symbol: string;
  exDate: string;
  kind: 'split' | 'reverse_split';
  oldRate: number;
  newRate: number;
}

/**
 * Records splits not seen before (natural key symbol + ex_date) and, for each new one, drops the symbol's stored bars
 * and the spreads of its pairs, so the next refresh re-reads them adjusted. Returns the new ones.
 */
export async function recordNewSplits(db: Db, splits: SplitRecord[]): Promise<SplitRecord[]> {
  const fresh: SplitRecord[] = [];
  for (const s of splits) {
    await db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('strategy_engine.corporate_action')
        .values({ symbol: s.symbol, ex_date: s.exDate, kind: s.kind, old_rate: s.oldRate, new_rate: s.newRate })
        .onConflict((oc) => oc.columns(['symbol', 'ex_date']).doNothing())
        .returning('symbol')
        .executeTakeFirst();
      if (!inserted) return;
      fresh.push(s);
      await trx.deleteFrom('strategy_engine.market_data').where('symbol', '=', s.symbol).execute();
      await trx
        .deleteFrom('strategy_engine.pair_spread')
        .where('pair_id', 'in', (eb) =>
          eb
            .selectFrom('strategy_engine.pair_registry')
            .select('id')
            .where((w) => w.or([w('symbol1', '=', s.symbol), w('symbol2', '=', s.symbol)])),
        )
        .execute();
    });
  }
  return fresh;
}

export interface TradeRebase {
  tradeId: number;
  symbol: string;
  exDate: string;
  ratio: number;
  qtyBefore: number;
  qtyAfter: number;
  /** P&L of the fraction paid in cash. */
  cashPnl: number;
}

/**
 * Rebases the live trades that held `split.symbol` before its ex-date (entry before `exDateStartMs`): quantity x
 * ratio (whole shares, as Alpaca pays fractions out in cash), entry price / ratio, and the entry spread mean moved
 * with it. Once per trade and split (trade_corporate_action), in one transaction each.
 */
export async function rebaseTradesForSplit(db: Db, split: SplitRecord, exDateStartMs: number, exPrice: number | null): Promise<TradeRebase[]> {
  const ratio = split.newRate / split.oldRate;
  const trades = await db
    .selectFrom('strategy_engine.pair_trade as t')
    .innerJoin('strategy_engine.pair_registry as p', 'p.id', 't.pair_id')
    .select(['t.id', 'p.symbol1', 'p.symbol2'])
    .where('t.status', 'in', LIVE_TRADE_STATUSES)
    .where('t.qty1', 'is not', null)
    .where('t.entry_time', '<', new Date(exDateStartMs))
    .where((w) => w.or([w('p.symbol1', '=', split.symbol), w('p.symbol2', '=', split.symbol)]))
    .execute();
  const out: TradeRebase[] = [];
  for (const t of trades) {
    const leg: 1 | 2 = t.symbol1 === split.symbol ? 1 : 2;
    const done = await db.transaction().execute(async (trx: Transaction<Database>) => {
      const claimed = await trx
        .insertInto('strategy_engine.trade_corporate_action')
        .values({ trade_id: t.id, symbol: split.symbol, ex_date: split.exDate, ratio })
        .onConflict((oc) => oc.columns(['trade_id', 'symbol', 'ex_date']).doNothing())
        .returning('trade_id')
        .executeTakeFirst();
      if (!claimed) return null;
      const row = await trx.selectFrom('strategy_engine.pair_trade').selectAll().where('id', '=', t.id).forUpdate().executeTakeFirstOrThrow();
      const qty = leg === 1 ? row.qty1! : row.qty2!;
      const price = leg === 1 ? row.entry_price1 : row.entry_price2;
      const qtyAfter = Math.floor(qty * ratio + 1e-9);
      const priceAfter = price === null ? null : price / ratio;
      // The fraction of a share is paid in cash at the ex-date price: its P&L is realised now.
      const legSign = (row.side === 'LONG_SPREAD') === (leg === 1) ? 1 : -1;
      const fraction = qty * ratio - qtyAfter;
      const cashPnl = fraction > 1e-9 && exPrice !== null && priceAfter !== null ? legSign * fraction * (exPrice - priceAfter) : 0;
      let mean = row.entry_spread_mean;
      if (row.entry_hedge_ratio !== null && mean !== null && row.entry_spread_std !== null) {
        const stats = { hedgeRatio: row.entry_hedge_ratio, halfLife: row.entry_half_life, spreadMean: mean, spreadStd: row.entry_spread_std };
        mean = rebaseEntryStats(stats, leg, ratio).spreadMean;
      }
      await trx
        .updateTable('strategy_engine.pair_trade')
        .set(
          leg === 1
            ? { qty1: qtyAfter, entry_price1: priceAfter, entry_spread_mean: mean, split_cash_pnl: row.split_cash_pnl + cashPnl, updated_at: NOW }
            : { qty2: qtyAfter, entry_price2: priceAfter, entry_spread_mean: mean, split_cash_pnl: row.split_cash_pnl + cashPnl, updated_at: NOW },
        )
        .where('id', '=', t.id)
        .execute();
      return { tradeId: t.id, symbol: split.symbol, exDate: split.exDate, ratio, qtyBefore: qty, qtyAfter, cashPnl };
    });
    if (done) out.push(done);
  }
  return out;
}

/** Splits applied to a trade, oldest first (for the API). */
export async function tradeSplits(db: Db, tradeId: number): Promise<Array<{ symbol: string; ex_date: string; ratio: number }>> {
  const rows = await db
    .selectFrom('strategy_engine.trade_corporate_action')
    .select(['symbol', sql<string>`to_char(ex_date, 'YYYY-MM-DD')`.as('ex_date'), 'ratio'])
    .where('trade_id', '=', tradeId)
    .orderBy('ex_date')
    .execute();
  return rows;
}
