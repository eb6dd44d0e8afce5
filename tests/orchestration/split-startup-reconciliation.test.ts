/**
 * A split of a held leg that lands while no cycle runs (the worker was down over the ex-date): the worker's
 * reconciliation at start applies it first, so the broker's rescaled position is explained, not reported.
 * Real components: Temporal dev server, PostgreSQL, the simulator through the SDK, one worker.
 */
import type { Broker } from '../../broker/types';
import type { Db } from '../../db/connection';
import { runReconciliation, runStartupReconciliation } from '../../activities/reconciliation';
import { runCycleNow } from '../../temporal/run-cycle-now';
import { closeTrade } from '../../temporal/pair-trade-client';
import { activateOnly, positionsOf, seedPair, startHarness, tradeWithStatus, waitFor, type Harness } from './helpers';

jest.setTimeout(240_000);

let h: Harness;
let db: Db;
let broker: Broker;

beforeAll(async () => {
  h = await startHarness('split-startup');
  db = h.testDb.db;
  broker = h.broker;
});

afterAll(async () => {
  await h?.stop();
});

const cycle = () => runCycleNow(h.env.client, { taskQueue: h.taskQueue });

async function splitRows(tradeId: number) {
  const recorded = await db.selectFrom('strategy_engine.corporate_action').selectAll().where('symbol', '=', 'ARQX').execute();
  const applied = await db.selectFrom('strategy_engine.trade_corporate_action').selectAll().where('trade_id', '=', tradeId).execute();
  return { recorded: recorded.length, applied: applied.map((a) => ({ symbol: a.symbol, ratio: a.ratio })) };
}

it('a split applied at the broker before start: the startup reconciliation rebases the trade once and finds nothing unexplained', async () => {
  const pairId = await seedPair(db, broker, { symbol1: 'ARQX', symbol2: 'BLVN', stopLoss: 4 });
  await activateOnly(db, pairId);
  const first = await cycle();
  expect(first.tradesOpened).toHaveLength(1);
  const { tradeId, workflowId } = first.tradesOpened[0];
  const open = await waitFor('trade OPEN', () => tradeWithStatus(db, tradeId, ['OPEN']));
  const sign = open.side === 'LONG_SPREAD' ? 1 : -1;

  // Wednesday now; the 2:1 split's ex-date is Thursday, and no cycle runs before the worker restarts.
  h.sim.control.scheduleCorporateAction({ symbol: 'ARQX', kind: 'split', exDate: '2026-11-19', oldRate: 1, newRate: 2 });
  h.sim.control.updateClock({ set: '2026-11-19T15:40:00Z' });
  expect(await positionsOf(broker, ['ARQX'])).toEqual({ ARQX: sign * open.qty1! * 2 });
  // Without the split applied, the rescaled position is unexplained (what the start used to report).
  expect((await runReconciliation({ db, broker })).unexplained.map((d) => d.symbol)).toEqual(['ARQX']);

  const start = await runStartupReconciliation({ db, broker });
  expect(start.corporateActionsError).toBeNull();
  expect(start.report.unexplained).toEqual([]);
  expect(start.report.missing).toEqual([]);
  expect(start.rebased).toEqual([
    expect.objectContaining({ tradeId, symbol: 'ARQX', exDate: '2026-11-19', qtyBefore: open.qty1, qtyAfter: open.qty1! * 2 }),
  ]);
  const rebased = (await tradeWithStatus(db, tradeId, ['OPEN']))!;
  expect(rebased.qty1).toBe(open.qty1! * 2);
  expect(rebased.entry_price1).toBeCloseTo(open.entry_price1! / 2, 9);
  expect(rebased.qty2).toBe(open.qty2);
  expect(await splitRows(tradeId)).toEqual({ recorded: 1, applied: [{ symbol: 'ARQX', ratio: 2 }] });

  // Idempotent: a second start (and the next cycle's own corporate-actions step) changes nothing.
  const again = await runStartupReconciliation({ db, broker });
  expect(again.rebased).toEqual([]);
  expect(again.report.unexplained).toEqual([]);
  expect(again.report.missing).toEqual([]);
  expect(await tradeWithStatus(db, tradeId, ['OPEN'])).toEqual(rebased);
  expect(await splitRows(tradeId)).toEqual({ recorded: 1, applied: [{ symbol: 'ARQX', ratio: 2 }] });
  const next = await cycle();
  expect(next.reconciliation).toEqual({ unexplained: [], missing: [] });
  expect(next.entriesBlockedReason).toBeNull();
  expect((await tradeWithStatus(db, tradeId, ['OPEN']))!.qty1).toBe(open.qty1! * 2);

  // The exit closes every share the broker holds after the split.
  await closeTrade(h.env.client, workflowId, { requestedBy: 'test' });
  await waitFor('trade CLOSED', () => tradeWithStatus(db, tradeId, ['CLOSED']));
  expect(await positionsOf(broker, ['ARQX', 'BLVN'])).toEqual({ ARQX: 0, BLVN: 0 });
});
