/**
 * Every branch of the pair-trade workflow against a real Temporal dev server, with the broker and the
 * trade records replaced by an in-memory fake (no PostgreSQL, no simulator) and every wait shortened.
 */
import { WorkflowContinuedAsNewError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  MAX_FLATTEN_ROUNDS,
  TRADE_STATUS,
  closeUpdate,
  emergencyStopSignal,
  exitSignal,
  pairTradeWorkflowId,
  stateQuery,
  type ExitRequest,
  type TradeState,
} from '../../workflows/contracts/pair-trade';
import type { pairTradeWorkflow } from '../../workflows/pair-trade';
import {
  FAST_TIMING,
  FakeTradeActivities,
  fill,
  fillAfterPolls,
  fillsWhileCancelling,
  openTradeState,
  orderId,
  partialFill,
  reject,
} from './fake-trade-activities';
import { startTrade, tradeInput, useWorkflowHarness, waitUntil } from './harness';

jest.setTimeout(60_000);

const h = useWorkflowHarness();

type TradeHandle = WorkflowHandle<typeof pairTradeWorkflow>;

async function tradeStatusAttribute(handle: TradeHandle): Promise<unknown> {
  return (await handle.describe()).typedSearchAttributes.get(TRADE_STATUS);
}

async function waitForOpen(handle: TradeHandle): Promise<TradeState> {
  await waitUntil('trade OPEN', async () => (await handle.query(stateQuery)).status === 'OPEN');
  return handle.query(stateQuery);
}

/** What a leg order list looks like without fills and prices. */
const orders = (legs: TradeState['exitLegs']) =>
  legs.map(({ clientOrderId, symbol, side, qty, status }) => ({ clientOrderId, symbol, side, qty, status }));

describe('entry and exit', () => {
  it('opens when both legs fill, then closes on an exit signal with the recorded P&L', async () => {
    const fake = new FakeTradeActivities({ prices: { AAA: 100, BBB: 50 }, pnl: 37.5 })
      .script(orderId('exit', 1), fill(104))
      .script(orderId('exit', 2), fill(48));
    const handle = await startTrade(h, fake.activities(), tradeInput(1));
    await waitUntil('TradeStatus OPEN', async () => (await tradeStatusAttribute(handle)) === 'OPEN');

    const open = await handle.query(stateQuery);
    expect(open).toMatchObject({ status: 'OPEN', pairName: 'AAA/BBB', side: 'LONG_SPREAD', exitLegs: [], failureReason: null });
    expect(open.entryLegs).toEqual([
      { leg: 1, symbol: 'AAA', side: 'buy', qty: 10, filledQty: 10, avgPrice: 100, clientOrderId: 'pair-trade-1-1-entry-leg1', status: 'filled' },
      { leg: 2, symbol: 'BBB', side: 'sell', qty: 20, filledQty: 20, avgPrice: 50, clientOrderId: 'pair-trade-1-1-entry-leg2', status: 'filled' },
    ]);
    expect(open.openedAt).not.toBeNull();
    expect(fake.callsOf('planEntry')).toEqual([{ tradeId: 1, pairId: 1, side: 'LONG_SPREAD', symbol1: 'AAA', symbol2: 'BBB' }]);
    expect(fake.callsOf('recordTradeOpen')).toEqual([{ tradeId: 1, qty1: 10, qty2: 20, price1: 100, price2: 50, entryTime: open.openedAt }]);

    await handle.signal(exitSignal, { reason: 'EXIT', z: 0.1, signalId: 55 });
    const closed = await handle.result();

    expect(closed).toMatchObject({ status: 'CLOSED', exitReason: 'EXIT', pnl: 37.5, failureReason: null });
    expect(orders(closed.exitLegs)).toEqual([
      { clientOrderId: 'pair-trade-1-1-exit-leg1', symbol: 'AAA', side: 'sell', qty: 10, status: 'filled' },
      { clientOrderId: 'pair-trade-1-1-exit-leg2', symbol: 'BBB', side: 'buy', qty: 20, status: 'filled' },
    ]);
    expect(fake.callsOf('recordTradeClosing')).toEqual([{ tradeId: 1, reason: 'EXIT', signalId: 55 }]);
    expect(fake.callsOf('recordTradeClosed')).toEqual([
      { tradeId: 1, price1: 104, price2: 48, exitTime: closed.closedAt, exitZ: 0.1, reason: 'EXIT' },
    ]);
    expect(fake.callsOf('recordTradeFailed')).toEqual([]);
    expect(await tradeStatusAttribute(handle)).toBe('CLOSED');
  });

  it('places no order when planEntry refuses the entry', async () => {
    const fake = new FakeTradeActivities({ plan: { ok: false, reason: 'BBB is not shortable' } });
    const handle = await startTrade(h, fake.activities(), tradeInput(2));
    const failed = await handle.result();

    expect(failed).toMatchObject({ status: 'FAILED', failureReason: 'no entry: BBB is not shortable', openedAt: null });
    expect(fake.callsOf('submitLegOrder')).toEqual([]);
    expect(fake.callsOf('recordTradeFailed')).toEqual([{ tradeId: 2, reason: 'no entry: BBB is not shortable' }]);
    expect(fake.callsOf('recordTradeOpen')).toEqual([]);
    expect(await tradeStatusAttribute(handle)).toBe('FAILED');
  });
});

describe('entry compensation', () => {
  it('flattens the filled leg 1 when leg 2 is rejected', async () => {
    const fake = new FakeTradeActivities().script(orderId('entry', 2), reject('BBB not shortable'));
    const failed = await (await startTrade(h, fake.activities(), tradeInput(3))).result();

    const reason = 'leg 2 sell 20 BBB rejected: BBB not shortable; flattened AAA 10';
    expect(failed).toMatchObject({ status: 'FAILED', failureReason: reason });
    expect(failed.entryLegs.map((l) => [l.status, l.filledQty])).toEqual([
      ['filled', 10],
      ['rejected', 0],
    ]);
    expect(fake.placed('comp')).toEqual([{ clientOrderId: 'pair-trade-1-3-comp-leg1', symbol: 'AAA', side: 'sell', qty: 10 }]);
    expect(orders(failed.exitLegs)).toEqual([{ clientOrderId: 'pair-trade-1-3-comp-leg1', symbol: 'AAA', side: 'sell', qty: 10, status: 'filled' }]);
    expect(fake.callsOf('recordTradeFailed')).toEqual([{ tradeId: 3, reason }]);
    expect(fake.callsOf('recordTradeOpen')).toEqual([]);
  });

  it('cancels a leg still partly filled after the fill waits and flattens what filled on both legs', async () => {
    const fake = new FakeTradeActivities().script(orderId('entry', 1), partialFill(4));
    const failed = await (await startTrade(h, fake.activities(), tradeInput(4))).result();

    const entryLeg1 = 'pair-trade-1-4-entry-leg1';
    expect(fake.callsOf('awaitOrderFinal').filter((c) => c.clientOrderId === entryLeg1)).toHaveLength(FAST_TIMING.maxFillWaits);
    expect(fake.callsOf('cancelLegOrder')).toEqual([{ clientOrderId: entryLeg1, symbol: 'AAA', side: 'buy', qty: 10 }]);
    expect(fake.placed('comp')).toEqual([
      { clientOrderId: 'pair-trade-1-4-comp-leg1', symbol: 'AAA', side: 'sell', qty: 4 },
      { clientOrderId: 'pair-trade-1-4-comp-leg2', symbol: 'BBB', side: 'buy', qty: 20 },
    ]);
    const reason = 'leg 1 buy 10 AAA canceled with 4 filled; flattened AAA 4, BBB 20';
    expect(failed).toMatchObject({ status: 'FAILED', failureReason: reason });
    expect(fake.callsOf('recordTradeFailed')).toEqual([{ tradeId: 4, reason }]);
  });

  it('waits for a cancel still pending to settle, and compensates what filled meanwhile', async () => {
    const fake = new FakeTradeActivities().script(orderId('entry', 1), fillsWhileCancelling(4, 7));
    const failed = await (await startTrade(h, fake.activities(), tradeInput(14))).result();

    expect(fake.callsOf('cancelLegOrder')).toHaveLength(1);
    expect(fake.placed('comp')).toEqual([
      { clientOrderId: 'pair-trade-1-14-comp-leg1', symbol: 'AAA', side: 'sell', qty: 7 },
      { clientOrderId: 'pair-trade-1-14-comp-leg2', symbol: 'BBB', side: 'buy', qty: 20 },
    ]);
    expect(failed).toMatchObject({ status: 'FAILED', failureReason: 'leg 1 buy 10 AAA canceled with 7 filled; flattened AAA 7, BBB 20' });
  });

  it('a compensation refused on every round: NEEDS_ATTENTION with the reason, retried until flat, then FAILED', async () => {
    const fake = new FakeTradeActivities()
      .script(orderId('entry', 2), reject('BBB not shortable'))
      .script(orderId('comp', 1, 'every'), reject('AAA halted'));
    const handle = await startTrade(h, fake.activities(), tradeInput(6));

    await waitUntil('trade NEEDS_ATTENTION', async () => (await handle.query(stateQuery)).status === 'NEEDS_ATTENTION');
    const compIds = [
      'pair-trade-1-6-comp-leg1',
      'pair-trade-1-6-comp-leg1-r1',
      'pair-trade-1-6-comp-leg1-r2',
      'pair-trade-1-6-comp-leg1-r3',
      'pair-trade-1-6-comp-leg1-r4',
    ];
    expect(compIds).toHaveLength(MAX_FLATTEN_ROUNDS);
    expect(fake.submittedIds('comp')).toEqual(expect.arrayContaining(compIds));
    const attention = 'compensation incomplete, retrying until flat: AAA 10 still long';
    expect(fake.callsOf('recordTradeAttention')[0]).toEqual({ tradeId: 6, reason: attention });
    expect(fake.tradeStatus(6)).toBe('NEEDS_ATTENTION');
    await waitUntil('search attribute NEEDS_ATTENTION', async () => (await tradeStatusAttribute(handle)) === 'NEEDS_ATTENTION');
    expect(fake.callsOf('recordTradeFailed')).toEqual([]);

    fake.unscript(orderId('comp', 1, 'every'));
    const failed = await handle.result();
    expect(failed).toMatchObject({ status: 'FAILED', failureReason: 'leg 2 sell 20 BBB rejected: BBB not shortable; flattened AAA 10' });
    expect(fake.callsOf('recordTradeFailed')).toEqual([{ tradeId: 6, reason: 'leg 2 sell 20 BBB rejected: BBB not shortable; flattened AAA 10' }]);
    // Every round took its own client id, so no order could be doubled.
    const ids = fake.submittedIds('comp');
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('exit', () => {
  it('an exit refused on every round: NEEDS_ATTENTION (never silent), a close update retries at once, CLOSED once flat', async () => {
    const fake = new FakeTradeActivities().script(orderId('exit', 1, 'every'), reject('AAA halted'));
    const handle = await startTrade(h, fake.activities(), tradeInput(5));
    await waitForOpen(handle);
    await handle.signal(exitSignal, { reason: 'STOP_LOSS', z: 3.4, signalId: 9 });

    await waitUntil('trade NEEDS_ATTENTION', async () => (await handle.query(stateQuery)).status === 'NEEDS_ATTENTION');
    // Further rounds (-r5, -r6, ...) may already be running: the first MAX_FLATTEN_ROUNDS are there, each id once.
    expect(fake.submittedIds('exit')).toEqual(
      expect.arrayContaining([
        'pair-trade-1-5-exit-leg1',
        'pair-trade-1-5-exit-leg1-r1',
        'pair-trade-1-5-exit-leg1-r2',
        'pair-trade-1-5-exit-leg1-r3',
        'pair-trade-1-5-exit-leg1-r4',
        'pair-trade-1-5-exit-leg2',
      ]),
    );
    const reason = 'exit incomplete, retrying until flat: AAA 10 still long';
    expect(fake.callsOf('recordTradeClosing')).toEqual([{ tradeId: 5, reason: 'STOP_LOSS', signalId: 9 }]);
    expect(fake.callsOf('recordTradeAttention')[0]).toEqual({ tradeId: 5, reason });
    expect(fake.callsOf('recordTradeClosed')).toEqual([]);
    await waitUntil('search attribute NEEDS_ATTENTION', async () => (await tradeStatusAttribute(handle)) === 'NEEDS_ATTENTION');
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'NEEDS_ATTENTION', exitReason: 'STOP_LOSS', failureReason: reason, pnl: null });

    // The fault is lifted; a close update on the trade needing attention is accepted and answers once it is CLOSED.
    fake.unscript(orderId('exit', 1, 'every'));
    const closed = await handle.executeUpdate(closeUpdate, { args: [{ requestedBy: 'test' }] });
    expect(closed).toMatchObject({ tradeId: 5, status: 'CLOSED' });
    expect(await handle.result()).toMatchObject({ status: 'CLOSED', exitReason: 'STOP_LOSS' });
    expect(fake.callsOf('recordTradeClosed')).toHaveLength(1);
    const exitIds = fake.submittedIds('exit');
    expect(new Set(exitIds).size).toBe(exitIds.length);
  });

  it('polls exit orders queued while the market is closed with growing durable pauses until they fill', async () => {
    const fake = new FakeTradeActivities().script(orderId('exit', 1), fillAfterPolls(5, 104)).script(orderId('exit', 2), fillAfterPolls(5, 48));
    const timing = { ...FAST_TIMING, patientPauseMinMs: 1, patientPauseMaxMs: 2 };
    const handle = await startTrade(h, fake.activities(), tradeInput(7, { timing }));
    await waitForOpen(handle);
    await handle.signal(exitSignal, { reason: 'EXPIRE', z: 1.2, signalId: 10 });
    const closed = await handle.result();

    expect(closed).toMatchObject({ status: 'CLOSED', exitReason: 'EXPIRE' });
    expect(closed.exitLegs.map((l) => [l.clientOrderId, l.status, l.filledQty])).toEqual([
      ['pair-trade-1-7-exit-leg1', 'filled', 10],
      ['pair-trade-1-7-exit-leg2', 'filled', 20],
    ]);
    // One order per leg, waited on patiently: no re-order round, no cancel.
    expect(fake.submittedIds('exit')).toEqual(['pair-trade-1-7-exit-leg1', 'pair-trade-1-7-exit-leg2']);
    expect(fake.callsOf('cancelLegOrder')).toEqual([]);
    expect(fake.callsOf('awaitOrderFinal').filter((c) => c.clientOrderId === 'pair-trade-1-7-exit-leg1')).toHaveLength(5);
    expect(fake.callsOf('recordTradeClosed')).toEqual([expect.objectContaining({ price1: 104, price2: 48, reason: 'EXPIRE' })]);
    // After maxFillWaits (2) polls, a durable timer before each further poll: 1 ms, doubled, capped at 2 ms; per leg.
    const timers = (await handle.fetchHistory())
      .events!.map((e) => e.timerStartedEventAttributes?.startToFireTimeout)
      .filter((d): d is NonNullable<typeof d> => d != null)
      .map((d) => Number(d.seconds ?? 0) * 1000 + Math.round((d.nanos ?? 0) / 1e6))
      .sort((a, b) => a - b);
    expect(timers).toEqual([1, 1, 2, 2, 2, 2]);
  });
});

describe('manual close', () => {
  it('refuses the close update while the entry is not filled, then closes an OPEN trade and answers its result', async () => {
    const fake = new FakeTradeActivities({ pnl: -3.25 }).script(orderId('entry', 1), fillAfterPolls(1));
    const entryWait = fake.hold(orderId('entry', 1));
    const handle = await startTrade(h, fake.activities(), tradeInput(8));
    await entryWait.reached;
    expect((await handle.query(stateQuery)).status).toBe('PENDING');

    const refused: unknown = await handle.executeUpdate(closeUpdate, { args: [{ requestedBy: 'test' }] }).then(
      () => 'accepted',
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (refused as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('TradeNotOpen');
    expect(cause?.message).toBe('trade 8 (AAA/BBB) is PENDING, not OPEN, CLOSING or NEEDS_ATTENTION');

    entryWait.release();
    await waitForOpen(handle);
    const result = await handle.executeUpdate(closeUpdate, { args: [{ requestedBy: 'test' }] });

    expect(result).toEqual({ tradeId: 8, pairName: 'AAA/BBB', status: 'CLOSED', pnl: -3.25 });
    expect(await handle.result()).toMatchObject({ status: 'CLOSED', exitReason: 'MANUAL', pnl: -3.25 });
    expect(fake.callsOf('recordTradeClosing')).toEqual([{ tradeId: 8, reason: 'MANUAL', signalId: null }]);
  });
});

describe('emergency stop', () => {
  it('closes an OPEN trade at market with reason EMERGENCY_STOP', async () => {
    const fake = new FakeTradeActivities();
    const handle = await startTrade(h, fake.activities(), tradeInput(9));
    await waitForOpen(handle);
    await handle.signal(emergencyStopSignal, { reason: 'operator' });
    const closed = await handle.result();

    expect(closed).toMatchObject({ status: 'CLOSED', exitReason: 'EMERGENCY_STOP' });
    expect(fake.placed('exit').map((o) => o.clientOrderId)).toEqual(['pair-trade-1-9-exit-leg1', 'pair-trade-1-9-exit-leg2']);
    expect(fake.callsOf('recordTradeClosing')).toEqual([{ tradeId: 9, reason: 'EMERGENCY_STOP', signalId: null }]);
    expect(fake.callsOf('recordTradeClosed')).toEqual([expect.objectContaining({ reason: 'EMERGENCY_STOP', exitZ: null })]);
  });

  type Message = { exit: ExitRequest } | 'emergencyStop';
  const exitMsg = (reason: ExitRequest['reason'], signalId: number): Message => ({ exit: { reason, z: 0.2, signalId } });

  it.each<[string, number, Message[], { reason: string; signalId: number | null }]>([
    [
      'an emergency stop after an exit signal overrides its reason',
      91,
      [exitMsg('EXIT', 5), 'emergencyStop'],
      { reason: 'EMERGENCY_STOP', signalId: null },
    ],
    [
      'an exit signal after an emergency stop does not replace it',
      92,
      ['emergencyStop', exitMsg('EXIT', 5)],
      { reason: 'EMERGENCY_STOP', signalId: null },
    ],
    ['the first of two exit signals decides the reason', 93, [exitMsg('STOP_LOSS', 6), exitMsg('EXIT', 7)], { reason: 'STOP_LOSS', signalId: 6 }],
  ])('%s', async (_title, tradeId, messages, closing) => {
    const fake = new FakeTradeActivities().script(orderId('entry', 1), fillAfterPolls(1));
    const entryWait = fake.hold(orderId('entry', 1));
    const handle = await startTrade(h, fake.activities(), tradeInput(tradeId));
    // Both requests arrive before the trade is OPEN, so the workflow sees them together once it is.
    await entryWait.reached;
    for (const m of messages) {
      if (m === 'emergencyStop') await handle.signal(emergencyStopSignal, { reason: 'operator' });
      else await handle.signal(exitSignal, m.exit);
    }
    entryWait.release();
    const closed = await handle.result();

    expect(closed).toMatchObject({ status: 'CLOSED', exitReason: closing.reason });
    expect(fake.callsOf('recordTradeClosing')).toEqual([{ tradeId, ...closing }]);
  });
});

describe('continueAsNew', () => {
  it('continues an OPEN trade as new past its history cap, keeps its state and closes on a later exit signal', async () => {
    const fake = new FakeTradeActivities();
    const client = h.client();
    const handle = await startTrade(h, fake.activities(), tradeInput(10, { historyCap: 20 }));
    const firstRunId = handle.firstExecutionRunId;
    const continued: unknown = await client.workflow.result(handle.workflowId, firstRunId, { followRuns: false }).then(
      () => 'completed',
      (e: unknown) => e,
    );
    expect(continued).toBeInstanceOf(WorkflowContinuedAsNewError);

    expect((await client.workflow.getHandle(handle.workflowId, firstRunId).describe()).status.name).toBe('CONTINUED_AS_NEW');
    const latest = await handle.describe();
    expect(latest.runId).toBe((continued as WorkflowContinuedAsNewError).newExecutionRunId);
    expect(latest.status.name).toBe('RUNNING');
    expect(latest.typedSearchAttributes.get(TRADE_STATUS)).toBe('OPEN');
    const state = await handle.query(stateQuery);
    expect(state).toMatchObject({ tradeId: 10, status: 'OPEN', openedAt: fake.callsOf('recordTradeOpen')[0]?.entryTime });
    expect(state.entryLegs.map((l) => [l.clientOrderId, l.filledQty])).toEqual([
      ['pair-trade-1-10-entry-leg1', 10],
      ['pair-trade-1-10-entry-leg2', 20],
    ]);

    await handle.signal(exitSignal, { reason: 'EXIT', z: 0, signalId: 11 });
    expect(await handle.result()).toMatchObject({ status: 'CLOSED', exitReason: 'EXIT' });
    // The new run did not enter again.
    expect(fake.callsOf('planEntry')).toHaveLength(1);
    expect(fake.submittedIds('entry')).toEqual(['pair-trade-1-10-entry-leg1', 'pair-trade-1-10-entry-leg2']);
    expect(fake.callsOf('recordTradeOpen')).toHaveLength(1);
    expect(fake.placed('exit').map((o) => [o.clientOrderId, o.qty])).toEqual([
      ['pair-trade-1-10-exit-leg1', 10],
      ['pair-trade-1-10-exit-leg2', 20],
    ]);
    expect(fake.callsOf('recordTradeClosing')).toEqual([{ tradeId: 10, reason: 'EXIT', signalId: 11 }]);
  });

  it('honours an exit received before the history cap is reached instead of continuing as new', async () => {
    const fake = new FakeTradeActivities().script(orderId('entry', 1), fillAfterPolls(1));
    const entryWait = fake.hold(orderId('entry', 1));
    const handle = await startTrade(h, fake.activities(), tradeInput(12, { historyCap: 20 }));
    await entryWait.reached;
    await handle.signal(exitSignal, { reason: 'EXIT', z: 0.05, signalId: 13 });
    entryWait.release();

    expect(await handle.result()).toMatchObject({ status: 'CLOSED', exitReason: 'EXIT' });
    const run = await handle.describe();
    expect(run.runId).toBe(handle.firstExecutionRunId);
    expect(run.historyLength).toBeGreaterThan(20);
    expect(fake.callsOf('recordTradeClosing')).toEqual([{ tradeId: 12, reason: 'EXIT', signalId: 13 }]);
  });

  it('closes at once when resumed with a pending exit carried over by continueAsNew', async () => {
    const fake = new FakeTradeActivities();
    const state = openTradeState(14, 1, pairTradeWorkflowId(1, 14));
    const input = tradeInput(14, { resume: { state, pendingExit: { reason: 'STOP_LOSS', z: 3.6, signalId: 77 } } });
    const closed = await (await startTrade(h, fake.activities(), input)).result();

    expect(closed).toMatchObject({ status: 'CLOSED', exitReason: 'STOP_LOSS', openedAt: state.openedAt });
    expect(fake.callsOf('planEntry')).toEqual([]);
    expect(fake.placed()).toEqual([
      { clientOrderId: 'pair-trade-1-14-exit-leg1', symbol: 'AAA', side: 'sell', qty: 10 },
      { clientOrderId: 'pair-trade-1-14-exit-leg2', symbol: 'BBB', side: 'buy', qty: 20 },
    ]);
    expect(fake.callsOf('recordTradeClosing')).toEqual([{ tradeId: 14, reason: 'STOP_LOSS', signalId: 77 }]);
    expect(fake.callsOf('recordTradeClosed')).toEqual([expect.objectContaining({ exitZ: 3.6, reason: 'STOP_LOSS' })]);
  });
});
