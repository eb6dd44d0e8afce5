/**
 * Issue 11 against the real components (Temporal dev server, PostgreSQL, the simulator through the SDK, one worker):
 * an open trade keeps the statistics it entered with across a re-discovery, and EXPIRE counts regular-session hours
 * so a Friday-afternoon entry survives Monday's first bar.
 */
import { storeDiscoveredPairs } from '../../db/queries/pairs';
import type { ScannedPair } from '../../strategy/scan';
import { rollingZScore, spreadSeries, logPrices } from '../../strategy/spread';
import { alignPairCloses } from '../../strategy/pair-evaluation';
import { recentCloses } from '../../db/queries/market-data';
import { runCycleNow } from '../../temporal/run-cycle-now';
import { closeTrade } from '../../temporal/pair-trade-client';
import { activateOnly, seedPair, startHarness, tradeWithStatus, waitFor, type Harness } from './helpers';

jest.setTimeout(180_000);

let h: Harness;

beforeAll(async () => {
  h = await startHarness('entry-stats');
});

afterAll(async () => {
  await h?.stop();
});

async function openTradeOf(pairId: number) {
  const cycle = await runCycleNow(h.env.client, { taskQueue: h.taskQueue });
  expect(cycle.tradesOpened).toHaveLength(1);
  const { tradeId, workflowId } = cycle.tradesOpened[0];
  const open = await waitFor('trade OPEN', () => tradeWithStatus(h.testDb.db, tradeId, ['OPEN']));
  expect(open.pair_id).toBe(pairId);
  return { open, workflowId };
}

it('a re-discovery during an open trade: the trade is evaluated with its entry statistics, the registry changes for future trades', async () => {
  const db = h.testDb.db;
  const pairId = await seedPair(db, h.broker, { symbol1: 'ARQX', symbol2: 'BLVN', halfLife: 100 });
  await activateOnly(db, pairId);
  const { open, workflowId } = await openTradeOf(pairId);
  const registry = await db.selectFrom('strategy_engine.pair_registry').selectAll().where('id', '=', pairId).executeTakeFirstOrThrow();
  expect(open.entry_hedge_ratio).toBeCloseTo(registry.hedge_ratio, 12);
  expect(open.entry_half_life).toBe(100);
  expect(open.entry_spread_std).toBeGreaterThan(0);

  // Re-discovery writes new statistics through discovery's own upsert: a different hedge ratio and a half-life
  // that would expire the trade at once (3 x 0.0001 bars).
  const rediscovered: ScannedPair = {
    i: 0,
    j: 1,
    symbol1: 'ARQX',
    symbol2: 'BLVN',
    beta: registry.hedge_ratio * 1.5 + 0.1,
    alpha: registry.hedge_alpha ?? 0,
    halfLife: 0.0001,
    pvalue: 0.01,
    stat: -4,
    usedlag: 0,
    correlation: 0.9,
    crossings: 40,
    score: 1,
  };
  await storeDiscoveredPairs(db, [rediscovered]);
  await activateOnly(db, pairId);
  const after = await db
    .selectFrom('strategy_engine.pair_registry')
    .select(['hedge_ratio', 'half_life'])
    .where('id', '=', pairId)
    .executeTakeFirstOrThrow();
  expect(after.hedge_ratio).toBeCloseTo(rediscovered.beta, 12);

  h.sim.control.updateClock({ advanceHours: 1 });
  const cycle = await runCycleNow(h.env.client, { taskQueue: h.taskQueue });
  expect(cycle.signals.EXPIRE ?? 0).toBe(0);
  expect(cycle.tradesClosing).toEqual([]);

  // The latest spread row was computed on the entry hedge ratio, and its z is the rolling z of that spread.
  const latest = await db
    .selectFrom('strategy_engine.pair_spread')
    .selectAll()
    .where('pair_id', '=', pairId)
    .orderBy('ts', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  expect(latest.hedge_ratio).toBeCloseTo(open.entry_hedge_ratio!, 12);
  const config = { lookback_bars: 200, window: 40 }; // config/pairs.yaml
  const closes = await recentCloses(db, ['ARQX', 'BLVN'], config.lookback_bars + 50);
  const aligned = alignPairCloses(closes.get('ARQX')!, closes.get('BLVN')!, config.lookback_bars);
  const spread = spreadSeries(logPrices(aligned.p1), logPrices(aligned.p2), open.entry_hedge_ratio!);
  const z = rollingZScore(spread, config.window).z;
  expect(aligned.ts[aligned.ts.length - 1]).toBe(new Date(latest.ts).getTime());
  expect(latest.z_score).toBeCloseTo(z[z.length - 1], 9);

  await closeTrade(h.env.client, workflowId, { requestedBy: 'test' });
  await waitFor('trade CLOSED', () => tradeWithStatus(db, open.id, ['CLOSED']));
});

it('a Friday-afternoon entry does not expire on Monday after the first bar; it expires once 3 x half-life session hours have passed', async () => {
  const db = h.testDb.db;
  h.sim.control.updateClock({ set: '2026-11-20T19:40:00Z' }); // Friday 14:40 New York
  // Half-life 1 bar: the trade may be held 3 regular-session hours.
  const pairId = await seedPair(db, h.broker, { symbol1: 'EFRA', symbol2: 'FLNT', halfLife: 1 });
  await activateOnly(db, pairId);
  const { open } = await openTradeOf(pairId);
  expect(open.entry_half_life).toBe(1);

  // Monday 10:40: 66 wall-clock hours later, but 1 h 20 min on Friday + 1 h 10 min on Monday = 2.5 session hours.
  h.sim.control.updateClock({ set: '2026-11-23T15:40:00Z' });
  const monday = await runCycleNow(h.env.client, { taskQueue: h.taskQueue });
  expect(monday.signals.EXPIRE ?? 0).toBe(0);
  expect(monday.tradesClosing).toEqual([]);
  expect((await tradeWithStatus(db, open.id, ['OPEN']))?.id).toBe(open.id);

  // Monday 11:40: 3.5 session hours > 3 x 1.
  h.sim.control.updateClock({ set: '2026-11-23T16:40:00Z' });
  const later = await runCycleNow(h.env.client, { taskQueue: h.taskQueue });
  expect(later.tradesClosing).toEqual([{ pairId, tradeId: open.id, reason: 'EXPIRE' }]);
  const signal = await db
    .selectFrom('strategy_engine.pair_signal')
    .select(['reason', 'inputs'])
    .where('pair_id', '=', pairId)
    .where('type', '=', 'EXPIRE')
    .executeTakeFirstOrThrow();
  expect((signal.inputs as { holdHours: number }).holdHours).toBeCloseTo(3.5, 1);
  await waitFor('trade CLOSED', () => tradeWithStatus(db, open.id, ['CLOSED']));
});
