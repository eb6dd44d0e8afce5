/** The simulator's state (orders, positions, cash, clock, client ids) survives a stop/start on the same state file. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { adapter, isFilled, startTestSimulator, waitForOrder } from './sim-helpers';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pairs-sim-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('positions, orders, cash, client ids and the clock survive a restart', async () => {
  const stateFile = path.join(dir, 'state.json');
  const first = await startTestSimulator({ stateFile });
  const broker = adapter(first);
  await broker.submitMarketOrder({ symbol: 'ARQX', side: 'buy', qty: 12, clientOrderId: 'keep-long' });
  await broker.submitMarketOrder({ symbol: 'BLVN', side: 'sell', qty: 8, clientOrderId: 'keep-short' });
  await waitForOrder(broker, 'keep-long', isFilled);
  await waitForOrder(broker, 'keep-short', isFilled);
  const before = { account: await broker.getAccount(), positions: await broker.getPositions(), clock: await broker.getClock() };
  await first.stop();
  expect(JSON.parse(readFileSync(stateFile, 'utf8')).exchange.orders).toHaveLength(2);

  // A different seed and start time are ignored: the file is the broker's truth.
  const second = await startTestSimulator({ stateFile, seed: 1, startTime: '2030-01-01T00:00:00Z' });
  try {
    const again = adapter(second);
    expect(await again.getPositions()).toEqual(before.positions);
    expect((await again.getAccount()).cash).toBeCloseTo(before.account.cash, 6);
    expect((await again.getClock()).timestamp.getTime()).toBe(before.clock.timestamp.getTime());
    const closed = await again.listOrders({ status: 'all' });
    expect(closed.map((o) => o.clientOrderId).sort()).toEqual(['keep-long', 'keep-short']);
    // The client id is still taken: resubmitting resolves to the same order instead of trading twice.
    const resubmitted = await again.submitMarketOrder({ symbol: 'ARQX', side: 'buy', qty: 12, clientOrderId: 'keep-long' });
    expect(resubmitted.id).toBe(closed.find((o) => o.clientOrderId === 'keep-long')!.id);
    expect((await again.getPositions()).find((p) => p.symbol === 'ARQX')!.qty).toBe(12);
  } finally {
    await second.stop();
  }
});

test('an order accepted just before a stop still fills after the restart', async () => {
  const stateFile = path.join(dir, 'state.json');
  const first = await startTestSimulator({ stateFile, fillLatencyMs: 60_000 });
  await adapter(first).submitMarketOrder({ symbol: 'QUIL', side: 'buy', qty: 4, clientOrderId: 'in-flight' });
  await first.stop();
  const second = await startTestSimulator({ stateFile });
  try {
    const filled = await waitForOrder(adapter(second), 'in-flight', isFilled);
    expect(filled.filledQty).toBe(4);
  } finally {
    await second.stop();
  }
});

test('scheduled splits, halts and delistings survive a restart, and a split is applied to positions exactly once', async () => {
  const stateFile = path.join(dir, 'state.json');
  const first = await startTestSimulator({ stateFile });
  const broker = adapter(first);
  await broker.submitMarketOrder({ symbol: 'ARQX', side: 'buy', qty: 10, clientOrderId: 'before-split' });
  await waitForOrder(broker, 'before-split', isFilled);
  first.control.scheduleCorporateAction({ symbol: 'ARQX', kind: 'split', exDate: '2025-03-05', oldRate: 1, newRate: 2 });
  first.control.halt('QUIL', '2025-03-05T15:00:00Z', '2025-03-05T17:00:00Z');
  first.control.setAssetStatus('SLTE', 'inactive', '2025-03-05T15:00:00Z');
  await first.stop();

  const second = await startTestSimulator({ stateFile });
  try {
    expect(second.control.corporateActions().map((a) => `${a.symbol} ${a.exDate}`)).toContain('ARQX 2025-03-05');
    expect(second.control.halts()).toEqual([
      { symbol: 'QUIL', fromMs: Date.parse('2025-03-05T15:00:00Z'), toMs: Date.parse('2025-03-05T17:00:00Z') },
    ]);
    second.control.updateClock({ set: '2025-03-05T15:30:00Z' });
    const again = adapter(second);
    expect((await again.getPositions()).find((p) => p.symbol === 'ARQX')!.qty).toBe(20);
    expect(await again.getAsset('SLTE')).toMatchObject({ status: 'inactive', tradable: false });
    second.control.flush();
  } finally {
    await second.stop();
  }
  const third = await startTestSimulator({ stateFile });
  try {
    third.control.updateClock({ advanceHours: 1 });
    expect((await adapter(third).getPositions()).find((p) => p.symbol === 'ARQX')!.qty).toBe(20);
  } finally {
    await third.stop();
  }
});
