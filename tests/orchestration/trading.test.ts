import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SimulatorHandle } from '../../broker/simulator';
import type { Broker } from '../../broker/types';
import { createPendingTrade } from '../../db/queries/trades';
import { closeTrade, queryTradeState, startPairTradeWorkflow } from '../../temporal/pair-trade-client';
import { runCycleNow } from '../../temporal/run-cycle-now';
import { runEmergencyStop } from '../../temporal/run-emergency-stop';
import { PAIRS_CYCLE_WORKFLOW } from '../../workflows/contracts/pairs-cycle';
import { pairTradeWorkflowId } from '../../workflows/contracts/pair-trade';
import type { TestDatabase } from '../helpers/database';
import { TEMPORAL_CLI } from '../helpers/temporal';
import {
  activateOnly,
  pnlOfRecordedLegs,
  positionsOf,
  resumeTrading,
  seedPair,
  startHarness,
  tradeWithStatus,
  tradesOf,
  waitFor,
  type Harness,
} from './helpers';

const run = promisify(execFile);

jest.setTimeout(120_000);

describe('pairs orchestration against the simulator', () => {
  let h: Harness | undefined;
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let sim: SimulatorHandle;
  let broker: Broker;
  let TASK_QUEUE: string;

  beforeAll(async () => {
    h = await startHarness('trading');
    ({ env, testDb, sim, broker, taskQueue: TASK_QUEUE } = h);
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('opens a trade from a cycle signal and closes it on a later EXPIRE signal; DB, broker and workflow agree', async () => {
    const { db } = testDb;
    const client = env.client;
    const pairId = await seedPair(db, broker, { symbol1: 'ARQX', symbol2: 'BLVN' });
    await activateOnly(db, pairId);

    const first = await runCycleNow(client, { taskQueue: TASK_QUEUE });
    expect(first.pairsProcessed).toBe(1);
    expect(h!.cycleDurations).toHaveLength(1);
    expect(h!.cycleDurations[0]).toBeGreaterThan(0);
    expect(h!.cycleDurations[0]).toBeLessThan(120);
    expect(first.tradesOpened).toHaveLength(1);
    const { tradeId, workflowId } = first.tradesOpened[0];
    expect(workflowId).toBe(pairTradeWorkflowId(pairId, tradeId));

    const spreads = await db.selectFrom('strategy_engine.pair_spread').select(['ts', 'z_score']).where('pair_id', '=', pairId).execute();
    expect(spreads.length).toBeGreaterThan(40);
    const entrySignal = await db.selectFrom('strategy_engine.pair_signal').selectAll().where('pair_id', '=', pairId).executeTakeFirstOrThrow();
    expect(['LONG_SPREAD', 'SHORT_SPREAD']).toContain(entrySignal.type);
    expect(entrySignal.trade_id).toBe(tradeId);

    const open = await waitFor('trade OPEN', () => tradeWithStatus(db, tradeId, ['OPEN']));
    expect(open.side).toBe(entrySignal.type);
    expect(open.qty1).toBeGreaterThan(0);
    expect(open.qty2).toBeGreaterThan(0);
    const sign = open.side === 'LONG_SPREAD' ? 1 : -1;
    expect(await positionsOf(broker, ['ARQX', 'BLVN'])).toEqual({ ARQX: sign * open.qty1!, BLVN: -sign * open.qty2! });
    const entry1 = await broker.getOrderByClientId(`${workflowId}-entry-leg1`);
    expect(entry1?.filledAvgPrice).toBeCloseTo(open.entry_price1!, 6);
    const state = await waitFor('workflow state OPEN', async () => {
      const s = await queryTradeState(client, workflowId);
      return s.status === 'OPEN' ? s : undefined;
    });
    expect(state.entryLegs.map((l) => l.filledQty)).toEqual([open.qty1, open.qty2]);

    // The workflow is findable in Temporal by its pair (visibility is eventually consistent).
    await waitFor(
      'temporal workflow list',
      async () => {
        const { stdout } = await run(TEMPORAL_CLI, [
          'workflow',
          'list',
          '--address',
          env.address,
          '--namespace',
          'default',
          '--query',
          "PairName='ARQX/BLVN'",
          '-o',
          'json',
        ]);
        return stdout.includes(workflowId);
      },
      20_000,
    );

    // The trade entered with the pair's statistics (issue 11): it is evaluated with them, not the registry's.
    expect(open.entry_hedge_ratio).toBeCloseTo(
      (await db.selectFrom('strategy_engine.pair_registry').select('hedge_ratio').where('id', '=', pairId).executeTakeFirstOrThrow()).hedge_ratio,
      12,
    );
    expect(open.entry_half_life).toBe(100);
    // An hour later, with the trade's holding limit (3 x its entry half-life) cut to ~1 s, the next cycle's signal is EXPIRE.
    await db.updateTable('strategy_engine.pair_trade').set({ entry_half_life: 0.0001 }).where('id', '=', tradeId).execute();
    sim.control.updateClock({ advanceHours: 1 });
    const second = await runCycleNow(client, { taskQueue: TASK_QUEUE });
    expect(second.tradesOpened).toEqual([]);
    expect(second.signals).toEqual({ EXPIRE: 1 });
    expect(second.tradesClosing).toEqual([{ pairId, tradeId, reason: 'EXPIRE' }]);

    const closed = await waitFor('trade CLOSED', () => tradeWithStatus(db, tradeId, ['CLOSED']));
    expect(closed.exit_reason).toBe('EXPIRE');
    const exitSignals = await db
      .selectFrom('strategy_engine.pair_signal')
      .select(['type', 'trade_id'])
      .where('pair_id', '=', pairId)
      .where('type', '=', 'EXPIRE')
      .execute();
    expect(exitSignals).toEqual([{ type: 'EXPIRE', trade_id: tradeId }]);
    const exit1 = await broker.getOrderByClientId(`${workflowId}-exit-leg1`);
    const exit2 = await broker.getOrderByClientId(`${workflowId}-exit-leg2`);
    expect(exit1?.status).toBe('filled');
    expect(exit2?.status).toBe('filled');
    expect(closed.exit_price1).toBeCloseTo(exit1!.filledAvgPrice!, 6);
    expect(closed.pnl).toBeCloseTo(pnlOfRecordedLegs(closed), 6);
    expect(await positionsOf(broker, ['ARQX', 'BLVN'])).toEqual({ ARQX: 0, BLVN: 0 });
    const perf = await db.selectFrom('strategy_engine.pair_performance').selectAll().where('pair_id', '=', pairId).execute();
    expect(perf).toHaveLength(1);
    expect(perf[0].trades_closed).toBe(1);
    expect(perf[0].realized_pnl).toBeCloseTo(closed.pnl!, 6);
    const result = await client.workflow.getHandle(workflowId).result();
    expect(result).toMatchObject({ status: 'CLOSED', exitReason: 'EXPIRE' });
    expect(result.pnl).toBeCloseTo(closed.pnl!, 6);
  });

  it('closes an open trade through the close update', async () => {
    const { db } = testDb;
    const client = env.client;
    const pairId = await seedPair(db, broker, { symbol1: 'HALO', symbol2: 'IONQ' });
    await activateOnly(db, pairId);
    const cycle = await runCycleNow(client, { taskQueue: TASK_QUEUE });
    const { tradeId, workflowId } = cycle.tradesOpened[0];
    await waitFor('trade OPEN', () => tradeWithStatus(db, tradeId, ['OPEN']));

    const result = await closeTrade(client, workflowId, { requestedBy: 'test' });
    expect(result).toMatchObject({ tradeId, pairName: 'HALO/IONQ', status: 'CLOSED' });
    const row = await tradeWithStatus(db, tradeId, ['CLOSED']);
    expect(row?.exit_reason).toBe('MANUAL');
    expect(result.pnl).toBeCloseTo(row!.pnl!, 6);
    expect(await positionsOf(broker, ['HALO', 'IONQ'])).toEqual({ HALO: 0, IONQ: 0 });
  });

  it('flattens the first leg and records FAILED when the second leg is rejected', async () => {
    const { db } = testDb;
    const client = env.client;
    const pairId = await seedPair(db, broker, { symbol1: 'CRDM', symbol2: 'DUNE' });
    await activateOnly(db, pairId);
    sim.control.setFaults({ rejectClientOrderIdPattern: 'entry-leg2$' });
    try {
      const cycle = await runCycleNow(client, { taskQueue: TASK_QUEUE });
      const { tradeId, workflowId } = cycle.tradesOpened[0];
      const failed = await waitFor('trade FAILED', () => tradeWithStatus(db, tradeId, ['FAILED']));
      expect(failed.failure_reason).toMatch(/leg 2 .* DUNE rejected/);
      expect(failed.failure_reason).toMatch(/flattened CRDM \d+/);

      const leg1 = await broker.getOrderByClientId(`${workflowId}-entry-leg1`);
      const comp1 = await broker.getOrderByClientId(`${workflowId}-comp-leg1`);
      expect(leg1?.status).toBe('filled');
      expect(comp1?.status).toBe('filled');
      expect(comp1?.qty).toBe(leg1?.filledQty);
      expect(comp1?.side).not.toBe(leg1?.side);
      expect(await broker.getOrderByClientId(`${workflowId}-comp-leg2`)).toBeNull();
      expect(await positionsOf(broker, ['CRDM', 'DUNE'])).toEqual({ CRDM: 0, DUNE: 0 });
      const state = await client.workflow.getHandle(workflowId).result();
      expect(state.status).toBe('FAILED');
    } finally {
      sim.control.setFaults({ rejectClientOrderIdPattern: null });
    }
  });

  it('does not enter when the short leg is not shortable, and places no order', async () => {
    const { db } = testDb;
    const client = env.client;
    // No cycle: the trade is opened directly as LONG_SPREAD, which shorts GRVY (not shortable in the simulator).
    const pairId = await seedPair(db, broker, { symbol1: 'EFRA', symbol2: 'GRVY' });
    const signal = await db
      .insertInto('strategy_engine.pair_signal')
      .values({
        pair_id: pairId,
        ts: new Date(),
        type: 'LONG_SPREAD',
        z_score: -2.5,
        reason: 'test',
        inputs: '{}',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const pending = await createPendingTrade(db, { pairId, entrySignalId: signal.id, side: 'LONG_SPREAD', entryZ: -2.5 }, pairTradeWorkflowId);
    const trade = pending.trade!;
    await startPairTradeWorkflow(
      client,
      { tradeId: trade.id, pairId, symbol1: 'EFRA', symbol2: 'GRVY', side: 'LONG_SPREAD', entryZ: -2.5 },
      TASK_QUEUE,
    );
    const failed = await waitFor('trade FAILED', () => tradeWithStatus(db, trade.id, ['FAILED']));
    expect(failed.failure_reason).toMatch(/GRVY is not shortable/);
    expect(await broker.getOrderByClientId(`${trade.workflow_id}-entry-leg1`)).toBeNull();
    expect(await broker.getOrderByClientId(`${trade.workflow_id}-entry-leg2`)).toBeNull();
  });

  it('blocks entries while the broker holds a position no trade explains', async () => {
    const { db } = testDb;
    const client = env.client;
    const pairId = await seedPair(db, broker, { symbol1: 'MOSS', symbol2: 'NOVA' });
    await activateOnly(db, pairId);
    await broker.submitMarketOrder({ symbol: 'QUIL', side: 'buy', qty: 7, clientOrderId: 'manual-quil-buy' });
    await waitFor('QUIL filled', async () => (await positionsOf(broker, ['QUIL'])).QUIL === 7);
    try {
      const cycle = await runCycleNow(client, { taskQueue: TASK_QUEUE });
      expect(cycle.entriesBlockedReason).toMatch(/unexplained position in QUIL/);
      expect(cycle.reconciliation.unexplained).toEqual([expect.stringMatching(/^QUIL: broker 7/)]);
      expect(cycle.tradesOpened).toEqual([]);
      expect(cycle.signals).toEqual({ SKIPPED: 1 });
      const skipped = await db.selectFrom('strategy_engine.pair_signal').selectAll().where('pair_id', '=', pairId).executeTakeFirstOrThrow();
      expect(skipped.type).toBe('SKIPPED');
      expect(skipped.reason).toMatch(/entry suppressed \(reconciliation: unexplained position in QUIL\)/);
      expect(await tradesOf(db, pairId)).toEqual([]);
    } finally {
      await broker.submitMarketOrder({ symbol: 'QUIL', side: 'sell', qty: 7, clientOrderId: 'manual-quil-sell' });
      await waitFor('QUIL flat', async () => (await positionsOf(broker, ['QUIL'])).QUIL === 0);
    }
  });

  it('emergency stop closes open trades and sets the strategy inactive', async () => {
    const { db } = testDb;
    const client = env.client;
    const pairId = await seedPair(db, broker, { symbol1: 'OPAL', symbol2: 'PRSM' });
    await activateOnly(db, pairId);
    const cycle = await runCycleNow(client, { taskQueue: TASK_QUEUE });
    const { tradeId } = cycle.tradesOpened[0];
    await waitFor('trade OPEN', () => tradeWithStatus(db, tradeId, ['OPEN']));

    const result = await runEmergencyStop(client, { taskQueue: TASK_QUEUE, timeoutMs: 60_000 });
    expect(result).toEqual({ closedPairs: 1, failedTrades: [], stillOpen: [] });
    const row = await tradeWithStatus(db, tradeId, ['CLOSED']);
    expect(row?.exit_reason).toBe('EMERGENCY_STOP');
    expect(await positionsOf(broker, ['OPAL', 'PRSM'])).toEqual({ OPAL: 0, PRSM: 0 });
    const state = await db.selectFrom('strategy_engine.strategy_state').selectAll().executeTakeFirstOrThrow();
    expect(state.is_active).toBe(false);

    // Inactive: the next cycle records the entry as SKIPPED and opens nothing.
    const after = await runCycleNow(client, { taskQueue: TASK_QUEUE });
    expect(after.tradesOpened).toEqual([]);
    expect(after.signals).toEqual({ SKIPPED: 1 });
    await resumeTrading(db);
  });

  // Last: it moves the simulator's clock to the weekend, and time never goes back.
  it('skips a scheduled cycle while the market is closed, and records stale pairs as SKIPPED in a dry run', async () => {
    const { db } = testDb;
    const client = env.client;
    const pairId = await seedPair(db, broker, { symbol1: 'EFRA', symbol2: 'FLNT' });
    await activateOnly(db, pairId);
    sim.control.updateClock({ set: '2026-11-21T17:00:00Z' }); // Saturday noon in New York
    const before = await db.selectFrom('strategy_engine.strategy_state').select('last_update').executeTakeFirstOrThrow();

    const scheduled = await client.workflow.execute(PAIRS_CYCLE_WORKFLOW, {
      taskQueue: TASK_QUEUE,
      workflowId: 'pairs-cycle-closed-market',
      args: [{ dryRun: false }],
    });
    expect(scheduled).toMatchObject({ marketOpen: false, skippedReason: 'market closed', pairsProcessed: 0 });
    expect(await db.selectFrom('strategy_engine.pair_signal').selectAll().where('pair_id', '=', pairId).execute()).toEqual([]);
    const unchanged = await db.selectFrom('strategy_engine.strategy_state').select('last_update').executeTakeFirstOrThrow();
    expect(unchanged.last_update).toEqual(before.last_update);

    const dry = await runCycleNow(client, { taskQueue: TASK_QUEUE });
    expect(dry.signals).toEqual({ SKIPPED: 1 });
    expect(dry.tradesOpened).toEqual([]);
    const skipped = await db.selectFrom('strategy_engine.pair_signal').selectAll().where('pair_id', '=', pairId).executeTakeFirstOrThrow();
    expect(skipped.reason).toMatch(/^stale data: latest bar \d+\.\d h old > max_bar_age_hours 4$/);
    const after = await db.selectFrom('strategy_engine.strategy_state').select('last_update').executeTakeFirstOrThrow();
    expect(after.last_update?.toISOString()).toBe(dry.at);
  });
});
