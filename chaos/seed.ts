import type { SimulatorHandle } from '../broker/simulator';
import type { Db } from '../db/connection';

/** The fixed statistics of every pair the chaos run registers (their values never drive a decision here). */
const SEED_PAIR_STATS = {
  hedge_ratio: 1,
  hedge_alpha: 0,
  half_life: 12,
  cointegration_pvalue: 0.01,
  cointegration_stat: -4,
  correlation: 0.9,
};

export interface SeededPair {
  id: number;
  symbol1: string;
  symbol2: string;
}

/**
 * Simulator symbols every trade can use on either side: shortable and easy to borrow. Pairs are disjoint, so
 * concurrent trades never net against each other in one broker position.
 */
export function disjointShortablePairs(sim: SimulatorHandle, count: number): Array<[string, string]> {
  const symbols = sim.control.market.symbols.filter((m) => m.shortable && m.easyToBorrow).map((m) => m.symbol);
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < symbols.length && pairs.length < count; i += 2) pairs.push([symbols[i], symbols[i + 1]]);
  if (pairs.length < count) throw new Error(`the simulator universe holds only ${pairs.length} disjoint shortable pairs`);
  return pairs;
}

/**
 * Pairs that share symbols, as discovery picks them (issue 10): a chain s0/s1, s1/s2, s2/s3, … over shortable,
 * easy-to-borrow symbols, so every inner symbol is in two pairs and concurrent trades net against each other in
 * one broker position (same side or opposite sides, as the random trade sides fall).
 */
export function shortablePairs(sim: SimulatorHandle, count: number): Array<[string, string]> {
  const symbols = sim.control.market.symbols.filter((m) => m.shortable && m.easyToBorrow).map((m) => m.symbol);
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < symbols.length && pairs.length < count; i++) pairs.push([symbols[i], symbols[i + 1]]);
  if (pairs.length < count) throw new Error(`the simulator universe holds only ${pairs.length} overlapping shortable pairs`);
  return pairs;
}

/** Registers the pairs and stores each symbol's last hourly bars (the entry plan prices legs from them). */
export async function seedPairs(db: Db, sim: SimulatorHandle, symbolPairs: Array<[string, string]>, bars = 60): Promise<SeededPair[]> {
  const seeded: SeededPair[] = [];
  for (const [rank, [symbol1, symbol2]] of symbolPairs.entries()) {
    const row = await db
      .insertInto('strategy_engine.pair_registry')
      .values({
        symbol1,
        symbol2,
        ...SEED_PAIR_STATS,
        score: 1,
        rank: rank + 1,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    seeded.push({ id: row.id, symbol1, symbol2 });
  }
  await storeRecentBars(db, sim, [...new Set(symbolPairs.flat())], bars);
  return seeded;
}

/** The last `count` completed hourly bars of each symbol at the simulator's current time, into market_data. */
export async function storeRecentBars(db: Db, sim: SimulatorHandle, symbols: string[], count: number): Promise<void> {
  const market = sim.control.market;
  const now = sim.control.clock().nowMs;
  const last = market.calendar.lastBarStartingAtOrBefore(now) - 1;
  const rows = [];
  for (const symbol of symbols) {
    const model = market.get(symbol)!;
    // Split-adjusted as the adapter reads them: the model path divided by the splits up to now.
    const factor = sim.control.book.splitFactorAt(symbol, now);
    for (let g = Math.max(market.firstBar, last - count + 1); g <= last; g++) {
      const b = market.bar(model, g);
      const p = (x: number): number => Math.round((x / factor) * 100) / 100;
      rows.push({ symbol, ts: new Date(b.t), open: p(b.o), high: p(b.h), low: p(b.l), close: p(b.c), volume: Math.round(b.v * factor) });
    }
  }
  if (rows.length === 0) return;
  await db
    .insertInto('strategy_engine.market_data')
    .values(rows)
    .onConflict((oc) => oc.columns(['symbol', 'ts']).doNothing())
    .execute();
}

/**
 * The account's track record before the run: 500 closed trades (60% winners, +-$5,000, about the size of a
 * lifecycle's P&L at the simulator's prices) on an inactive pair no
 * lifecycle trades. It pins sizing in the positive half-Kelly regime, so every lifecycle reaches the broker
 * instead of being refused at planning when the run's own random closes drift the Kelly fraction below 0.
 */
export async function seedTrackRecord(db: Db, trades = 500): Promise<void> {
  const pair = await db
    .insertInto('strategy_engine.pair_registry')
    .values({
      symbol1: 'XYLO',
      symbol2: 'KILN',
      ...SEED_PAIR_STATS,
      score: 0,
      rank: null,
      is_active: false,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const start = Date.UTC(2025, 0, 2, 15);
  await db
    .insertInto('strategy_engine.pair_trade')
    .values(
      Array.from({ length: trades }, (_, i) => ({
        pair_id: pair.id,
        side: 'LONG_SPREAD' as const,
        status: 'CLOSED' as const,
        entry_time: new Date(start + i * 86_400_000),
        exit_time: new Date(start + i * 86_400_000 + 3_600_000),
        qty1: 10,
        qty2: 10,
        entry_price1: 50,
        entry_price2: 50,
        exit_price1: 50,
        exit_price2: 50,
        exit_reason: 'EXIT',
        pnl: i % 5 < 3 ? 5000 : -5000,
        hold_hours: 1,
      })),
    )
    .execute();
}
