import type { Client } from '@temporalio/client';
import type { TradeSide } from '../../db/schema';
import { TradeNotOpenError, closeTrade, queryTradeState } from '../../temporal/pair-trade-client';
import { runCycleNow } from '../../temporal/run-cycle-now';
import type { PairTradeInput } from '../../workflows/contracts/pair-trade';
import { createMarketDataActivities } from '../../activities/market-data';
import { createRoutingActivities } from '../../activities/routing';
import { createPairEvaluationActivities } from '../../activities/evaluate-pairs';
import { copyConfig } from './helpers';
import { activateOnly, positionsOf, seedPair, startHarness, startTestTrade, tradeWithStatus, waitFor, type Harness } from './helpers';

jest.setTimeout(120_000);

describe('pair-trade edge cases against the simulator', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('edge');
  });

  afterAll(async () => {
    await h?.stop();
  });

  /** Registers the pair, loads its bars with a cycle that cannot signal, then opens a trade directly. */
  async function openDirectly(symbol1: string, symbol2: string, side: TradeSide, tuning: Partial<PairTradeInput> = {}) {
    const { db } = h.testDb;
    const client: Client = h.env.client;
    const pairId = await seedPair(db, h.broker, { symbol1, symbol2, entry: 1000, stopLoss: 2000 });
    await activateOnly(db, pairId);
    await runCycleNow(client, { taskQueue: h.taskQueue });
    const trade = await startTestTrade(db, client, h.taskQueue, { pairId, symbol1, symbol2, side, ...tuning });
    return { pairId, tradeId: trade.id, workflowId: trade.workflow_id! };
  }

  const ordersWithClientId = (id: string) => h.sim.control.orders().filter((o) => o.client_order_id === id);

  it('cancels partly filled entry legs and flattens exactly what filled', async () => {
    h.sim.control.setFaults({ partialFillRate: 1 });
    let ids: { tradeId: number; workflowId: string };
    try {
      ids = await openDirectly('ARQX', 'CRDM', 'LONG_SPREAD', { fillWaitMs: 3000, maxFillWaits: 1 });
      await waitFor('both entry legs partly filled', async () => {
        const legs = [1, 2].map((leg) => ordersWithClientId(`${ids.workflowId}-entry-leg${leg}`)[0]);
        return legs.every((o) => o && Number(o.filled_qty) > 0);
      });
    } finally {
      // Compensation orders fill completely.
      h.sim.control.setFaults({ partialFillRate: 0 });
    }
    // Still PENDING (waiting on the legs): the close update's validator refuses.
    await expect(closeTrade(h.env.client, ids.workflowId, { requestedBy: 'test' })).rejects.toBeInstanceOf(TradeNotOpenError);
    const failed = await waitFor('trade FAILED', () => tradeWithStatus(h.testDb.db, ids.tradeId, ['FAILED']));
    await expect(closeTrade(h.env.client, ids.workflowId, { requestedBy: 'test' })).rejects.toBeInstanceOf(TradeNotOpenError);
    expect(failed.failure_reason).toMatch(/leg 1 buy \d+ ARQX canceled with \d+ filled/);
    for (const leg of [1, 2]) {
      const entry = await h.broker.getOrderByClientId(`${ids.workflowId}-entry-leg${leg}`);
      const comp = await h.broker.getOrderByClientId(`${ids.workflowId}-comp-leg${leg}`);
      expect(entry?.status).toBe('canceled');
      expect(entry!.filledQty).toBeGreaterThan(0);
      expect(entry!.filledQty).toBeLessThan(entry!.qty);
      expect(comp).toMatchObject({ status: 'filled', qty: entry!.filledQty, filledQty: entry!.filledQty });
    }
    expect(await positionsOf(h.broker, ['ARQX', 'CRDM'])).toEqual({ ARQX: 0, CRDM: 0 });
    // What the failed entry cost (issue 12: counted in total_pnl): buys paid minus sells received over its fills.
    let expectedCost = 0;
    for (const phase of ['entry', 'comp']) {
      for (const leg of [1, 2]) {
        const o = (await h.broker.getOrderByClientId(`${ids.workflowId}-${phase}-leg${leg}`))!;
        expectedCost += (o.side === 'buy' ? 1 : -1) * o.filledQty * o.filledAvgPrice!;
      }
    }
    const costed = await waitFor('entry cost recorded', async () => {
      const row = await tradeWithStatus(h.testDb.db, ids.tradeId, ['FAILED']);
      return row?.entry_cost !== null ? row : undefined;
    });
    expect(costed.entry_cost).toBeCloseTo(expectedCost, 2);
  });

  it('places each leg order once through broker 5xx, lost replies and 429s', async () => {
    h.sim.control.setFaults({
      script: [
        { fault: 'commit-then-5xx', method: 'POST', path: '/v2/orders', count: 1 },
        { fault: '5xx', method: 'POST', path: '/v2/orders', count: 4 },
        { fault: '429', method: 'POST', path: '/v2/orders', count: 2 },
      ],
    });
    const { tradeId, workflowId } = await openDirectly('HALO', 'JETT', 'SHORT_SPREAD');
    const open = await waitFor('trade OPEN', () => tradeWithStatus(h.testDb.db, tradeId, ['OPEN']), 60_000);
    expect(h.sim.control.faults().script).toEqual([]);
    for (const leg of [1, 2]) expect(ordersWithClientId(`${workflowId}-entry-leg${leg}`)).toHaveLength(1);
    expect(await positionsOf(h.broker, ['HALO', 'JETT'])).toEqual({ HALO: -open.qty1!, JETT: open.qty2! });
    await closeTrade(h.env.client, workflowId, { requestedBy: 'test' });
    expect(await positionsOf(h.broker, ['HALO', 'JETT'])).toEqual({ HALO: 0, JETT: 0 });
  });

  it('continues as new while open and still closes with the state it carried', async () => {
    const { tradeId, workflowId } = await openDirectly('MOSS', 'OPAL', 'LONG_SPREAD', { historyCap: 20 });
    const handle = h.env.client.workflow.getHandle(workflowId);
    const first = await handle.describe();
    await waitFor('a second run', async () => (await h.env.client.workflow.getHandle(workflowId).describe()).runId !== first.runId);
    const state = await queryTradeState(h.env.client, workflowId);
    expect(state).toMatchObject({ tradeId, status: 'OPEN' });
    expect(state.entryLegs.every((l) => l.filledQty > 0 && l.avgPrice !== null)).toBe(true);

    const result = await closeTrade(h.env.client, workflowId, { requestedBy: 'test' });
    expect(result.status).toBe('CLOSED');
    const row = await tradeWithStatus(h.testDb.db, tradeId, ['CLOSED']);
    expect(row?.qty1).toBe(state.entryLegs[0].qty);
    expect(await positionsOf(h.broker, ['MOSS', 'OPAL'])).toEqual({ MOSS: 0, OPAL: 0 });
  });

  it('retried cycle steps store the same signals and open the same single trade', async () => {
    const { db } = h.testDb;
    const configPath = await copyConfig('edge-retry');
    const pairId = await seedPair(db, h.broker, { symbol1: 'BLVN', symbol2: 'DUNE' });
    await activateOnly(db, pairId);
    const market = createMarketDataActivities({ db, broker: h.broker, configPath });
    const signals = createPairEvaluationActivities({ db, configPath });
    const routing = createRoutingActivities({ db, taskQueue: h.taskQueue, client: h.env.client, broker: h.broker, configPath });

    const { nowMs } = await market.readMarketClock();
    const bars = await market.refreshMarketData({ nowMs });
    expect(bars.symbols).toBe(2);
    expect((await market.refreshMarketData({ nowMs })).barsUpserted).toBeLessThan(bars.barsUpserted);
    const first = await signals.evaluatePairs({ nowMs, entriesBlockedReason: null });
    const second = await signals.evaluatePairs({ nowMs, entriesBlockedReason: null });
    expect(second.entries).toEqual(first.entries);
    expect(first.entries).toHaveLength(1);

    const routed = await routing.routeSignals({ entries: first.entries, exits: [] });
    const rerouted = await routing.routeSignals({ entries: first.entries, exits: [] });
    expect(routed.opened).toHaveLength(1);
    expect(rerouted.opened.map((o) => o.tradeId)).toEqual(routed.opened.map((o) => o.tradeId));
    const trades = await db.selectFrom('strategy_engine.pair_trade').selectAll().where('pair_id', '=', pairId).execute();
    expect(trades).toHaveLength(1);
    const { workflowId, tradeId } = routed.opened[0];
    const runs = [];
    for await (const wf of h.env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(wf.runId);
    expect(runs).toHaveLength(1);

    await waitFor('trade OPEN', () => tradeWithStatus(db, tradeId, ['OPEN']));
    await closeTrade(h.env.client, workflowId, { requestedBy: 'test' });
    expect(await positionsOf(h.broker, ['BLVN', 'DUNE'])).toEqual({ BLVN: 0, DUNE: 0 });
  });
});
