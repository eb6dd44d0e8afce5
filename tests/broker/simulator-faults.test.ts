/**
 * Fault injection through the real SDK and the adapter: each fault is classified as the engine needs it, and
 * order submission never duplicates an order whatever fails.
 */
import type { SimulatorHandle } from '../../broker/simulator';
import type { AlpacaBroker } from '../../broker/alpaca-broker';
import { BrokerError } from '../../broker/types';
import { adapter, isFilled, simPost, startTestSimulator, submitAsTheEngineRetries, waitForOrder, rejection } from './sim-helpers';

let sim: SimulatorHandle;
let broker: AlpacaBroker;

beforeEach(async () => {
  sim = await startTestSimulator();
  broker = adapter(sim, { timeoutMs: 1000 });
});
afterEach(() => sim.stop());

async function ordersWithClientId(clientOrderId: string): Promise<Array<{ client_order_id: string; status: string }>> {
  const log = (await (await fetch(`${sim.url}/__sim/orders`)).json()) as Array<{ client_order_id: string; status: string }>;
  return log.filter((o) => o.client_order_id === clientOrderId);
}

describe('read faults', () => {
  test('persistent 5xx surfaces as a retryable BrokerError after the SDK retries', async () => {
    await simPost(sim, '/__sim/faults', { script: [{ fault: '5xx', path: '/v2/account', count: 3 }] });
    const err = await rejection(adapter(sim, { timeoutMs: 1000 }).getAccount());
    expect(err).toBeInstanceOf(BrokerError);
    expect(err).toMatchObject({ retryable: true, status: 500 });
    expect(((await simPost(sim, '/__sim/faults', {})) as { script: unknown[] }).script).toEqual([]);
  });

  test('a transient 5xx is absorbed by the SDK retry of GETs', async () => {
    await simPost(sim, '/__sim/faults', { script: [{ fault: '5xx', path: '/v2/clock' }] });
    expect((await broker.getClock()).isOpen).toBe(true);
  });

  test('a response slower than the client timeout is a retryable BrokerError', async () => {
    await simPost(sim, '/__sim/faults', { slowMs: 3000, script: [{ fault: 'slow', path: '/v2/positions' }] });
    const err = await rejection(broker.getPositions());
    expect(err).toBeInstanceOf(BrokerError);
    expect(err).toMatchObject({ retryable: true });
    expect((err as Error).message).toMatch(/timed out/);
  });

  test('429 on reads carries Retry-After into the BrokerError when retries are exhausted', async () => {
    await simPost(sim, '/__sim/faults', { retryAfterSeconds: 0, script: [{ fault: '429', path: '/v2/account', count: 5 }] });
    const err = await rejection(adapter(sim, { readRetries: 0 }).getAccount());
    expect(err).toMatchObject({ retryable: true, status: 429, code: 42910000, retryAfterSeconds: 0 });
  });

  test('fault rates draw from a seeded generator: same seed, same failures', async () => {
    const pattern = async (): Promise<string> => {
      const s = await startTestSimulator({ seed: 99, faults: { errorRate: 0.4 } });
      const codes: number[] = [];
      for (let i = 0; i < 20; i++)
        codes.push((await fetch(`${s.url}/v2/clock`, { headers: { 'APCA-API-KEY-ID': 'k', 'APCA-API-SECRET-KEY': 's' } })).status);
      await s.stop();
      return codes.join(',');
    };
    const first = await pattern();
    expect(first).toContain('500');
    expect(first).toContain('200');
    expect(await pattern()).toBe(first);
  });
});

describe('order submission under faults never duplicates', () => {
  test.each([
    ['5xx before the order is placed', '5xx'],
    ['5xx after the order is placed', 'commit-then-5xx'],
    ['a response slower than the timeout', 'slow'],
    ['a dropped connection', 'drop'],
    ['a 429', '429'],
  ])('%s → exactly one order', async (_label, fault) => {
    await simPost(sim, '/__sim/faults', { slowMs: 3000, retryAfterSeconds: 0, script: [{ fault, method: 'POST', path: '/v2/orders' }] });
    const cid = `fault-${fault}`;
    const order = await submitAsTheEngineRetries(broker, { symbol: 'ARQX', side: 'buy', qty: 3, clientOrderId: cid });
    expect(order).toMatchObject({ clientOrderId: cid, symbol: 'ARQX', qty: 3 });
    await waitForOrder(broker, cid, isFilled);
    expect(await ordersWithClientId(cid)).toHaveLength(1);
    expect((await broker.getPositions())[0]).toMatchObject({ symbol: 'ARQX', qty: 3 });
  });

  test('when every attempt fails the adapter gives up with a retryable error and still at most one order', async () => {
    await simPost(sim, '/__sim/faults', {
      script: [
        { fault: 'commit-then-5xx', method: 'POST', path: '/v2/orders', count: 5 },
        { fault: '5xx', path: '/v2/orders:by_client_order_id', count: 20 },
      ],
    });
    const err = await rejection(
      adapter(sim, { readRetries: 0, maxSubmitAttempts: 3 }).submitMarketOrder({ symbol: 'ARQX', side: 'buy', qty: 1, clientOrderId: 'doomed' }),
    );
    expect(err).toMatchObject({ retryable: true });
    expect((await ordersWithClientId('doomed')).length).toBe(1);
  });
});

describe('order-level faults', () => {
  test('rejectClientOrderIdPattern rejects the second leg of a pair asynchronously', async () => {
    await simPost(sim, '/__sim/faults', { rejectClientOrderIdPattern: '-leg2$' });
    const leg1 = await broker.submitMarketOrder({ symbol: 'ARQX', side: 'buy', qty: 5, clientOrderId: 'pair1-leg1' });
    const leg2 = await broker.submitMarketOrder({ symbol: 'BLVN', side: 'sell', qty: 5, clientOrderId: 'pair1-leg2' });
    expect(leg2.status).not.toBe('rejected');
    expect((await waitForOrder(broker, leg1.clientOrderId, isFilled)).filledQty).toBe(5);
    const rejected = await waitForOrder(broker, leg2.clientOrderId, (o) => o.status === 'rejected');
    expect(rejected.filledQty).toBe(0);
    expect((await broker.getPositions()).map((p) => p.symbol)).toEqual(['ARQX']);
  });

  test('sync rejection mode answers 403 and still records the order', async () => {
    await simPost(sim, '/__sim/faults', { rejectSymbols: ['BLVN'], rejectMode: 'sync' });
    const err = await rejection(broker.submitMarketOrder({ symbol: 'BLVN', side: 'buy', qty: 1, clientOrderId: 'sync-rej' }));
    expect(err).toMatchObject({ retryable: false, status: 403 });
    expect(await ordersWithClientId('sync-rej')).toEqual([expect.objectContaining({ status: 'rejected' })]);
  });

  test('partial fill: part fills, the rest is canceled at the session close', async () => {
    await simPost(sim, '/__sim/faults', { partialFillRate: 1 });
    await broker.submitMarketOrder({ symbol: 'QUIL', side: 'buy', qty: 100, clientOrderId: 'partial' });
    const partial = await waitForOrder(broker, 'partial', (o) => o.status === 'partially_filled');
    expect(partial.filledQty).toBeGreaterThan(0);
    expect(partial.filledQty).toBeLessThan(100);
    expect((await broker.getPositions())[0].qty).toBe(partial.filledQty);
    await simPost(sim, '/__sim/clock', { advanceHours: 7 });
    const ended = (await broker.getOrderByClientId('partial'))!;
    expect(ended).toMatchObject({ status: 'canceled', filledQty: partial.filledQty });
    expect(await broker.listOrders({ status: 'open' })).toHaveLength(0);
  });

  test('wash-trade rejection (on by default) when an opposite order is open', async () => {
    const washSim = await startTestSimulator({ fillLatencyMs: 10_000 });
    try {
      const washBroker = adapter(washSim);
      await washBroker.submitMarketOrder({ symbol: 'ARQX', side: 'buy', qty: 1, clientOrderId: 'w1' });
      const err = await rejection(washBroker.submitMarketOrder({ symbol: 'ARQX', side: 'sell', qty: 1, clientOrderId: 'w2' }));
      expect(err).toMatchObject({ retryable: false, status: 403, code: 40310000 });
      const open = await washBroker.listOrders({ status: 'open' });
      await washBroker.cancelOrder(open[0].id);
      expect((await washBroker.getOrderByClientId('w1'))!.status).toBe('canceled');
    } finally {
      await washSim.stop();
    }
  });
});
