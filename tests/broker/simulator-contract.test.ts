/**
 * Contract tests: the real SDK (raw, and through our adapter) against the in-process simulator over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError, PermissionError, RateLimitError, ValidationError } from '@alpacahq/alpaca-trade-api';
import type { SimulatorHandle } from '../../broker/simulator';
import type { AlpacaBroker } from '../../broker/alpaca-broker';
import { BrokerError } from '../../broker/types';
import {
  adapter,
  isFilled,
  rawSdk,
  simPost,
  startTestSimulator,
  submitAsTheEngineRetries,
  waitForOrder,
  WEEKEND_TIME,
  rejection,
} from './sim-helpers';

let sim: SimulatorHandle;
let broker: AlpacaBroker;

beforeEach(async () => {
  sim = await startTestSimulator();
  broker = adapter(sim);
});
afterEach(() => sim.stop());

describe('account, clock, calendar, assets', () => {
  test('a fresh account has $100k cash and 2x buying power', async () => {
    const account = await broker.getAccount();
    expect(account).toEqual({ equity: 100_000, cash: 100_000, buyingPower: 200_000, status: 'ACTIVE', shortingEnabled: true });
    const raw = await rawSdk(sim).trading.account.getAccount();
    expect(raw.cash).toBe('100000');
  });

  test('clock is open on a Tuesday morning and closed on Saturday, with next open/close from the calendar', async () => {
    const open = await broker.getClock();
    expect(open.isOpen).toBe(true);
    expect(open.timestamp.toISOString()).toBe('2025-03-04T15:00:00.000Z');
    expect(open.nextClose.toISOString()).toBe('2025-03-04T21:00:00.000Z');
    expect(open.nextOpen.toISOString()).toBe('2025-03-05T14:30:00.000Z');
    await simPost(sim, '/__sim/clock', { set: WEEKEND_TIME });
    const closed = await broker.getClock();
    expect(closed.isOpen).toBe(false);
    expect(closed.nextOpen.toISOString()).toBe('2025-03-10T13:30:00.000Z'); // EDT starts March 9
    expect(closed.nextClose.toISOString()).toBe('2025-03-10T20:00:00.000Z');
  });

  test('calendar skips NYSE holidays and marks early closes', async () => {
    const days = await broker.getCalendar(new Date('2024-01-01T00:00:00Z'), new Date('2024-12-31T00:00:00Z'));
    const dates = new Set(days.map((d) => d.date));
    expect(days).toHaveLength(252);
    for (const holiday of [
      '2024-01-01',
      '2024-01-15',
      '2024-02-19',
      '2024-03-29',
      '2024-05-27',
      '2024-06-19',
      '2024-07-04',
      '2024-09-02',
      '2024-11-28',
      '2024-12-25',
    ]) {
      expect(dates.has(holiday)).toBe(false);
    }
    expect(days.find((d) => d.date === '2024-07-03')).toEqual({ date: '2024-07-03', open: '09:30', close: '13:00' });
    expect(days.find((d) => d.date === '2024-11-29')?.close).toBe('13:00');
    expect(days.find((d) => d.date === '2024-03-28')).toEqual({ date: '2024-03-28', open: '09:30', close: '16:00' });
  });

  test('assets carry tradable/shortable/easy-to-borrow flags; unknown symbols are a permanent 404', async () => {
    expect(await broker.getAsset('ARQX')).toEqual({ symbol: 'ARQX', tradable: true, shortable: true, easyToBorrow: true, status: 'active' });
    expect(await broker.getAsset('GRVY')).toMatchObject({ shortable: false, easyToBorrow: false });
    expect(await broker.getAsset('LMNR')).toMatchObject({ shortable: true, easyToBorrow: false });
    const all = await rawSdk(sim).trading.assets.getV2Assets();
    expect(all.length).toBe(40);
    const err = await rejection(broker.getAsset('NOPE'));
    expect(err).toBeInstanceOf(BrokerError);
    expect(err).toMatchObject({ retryable: false, status: 404, code: 40410000 });
  });
});

describe('hourly bars', () => {
  const start = new Date('2025-02-18T00:00:00Z');
  const end = new Date('2025-03-04T15:00:00Z');
  const symbols = ['BLVN', 'ARQX', 'QUIL'];

  test('raw SDK pages through >= 3 pages of 30Min bars; the adapter follows them into session-aligned hourly typed arrays', async () => {
    const sdk = rawSdk(sim);
    let pageToken: string | undefined;
    let pages = 0;
    const rawCounts: Record<string, number> = {};
    do {
      const page = await sdk.marketData.stocks.stockBars({ symbols: symbols.join(','), timeframe: '30Min', start, end, limit: 25, pageToken });
      pages++;
      for (const [symbol, bars] of Object.entries(page.bars ?? {})) rawCounts[symbol] = (rawCounts[symbol] ?? 0) + (bars as unknown[]).length;
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    expect(pages).toBeGreaterThanOrEqual(3);

    const paged = await adapter(sim, { barsPageLimit: 25 }).getHourlyBars(symbols, start, end);
    const whole = await broker.getHourlyBars(symbols, start, end);
    for (const symbol of symbols) {
      const series = paged.get(symbol)!;
      expect(series.ts).toBeInstanceOf(Float64Array);
      // 13 regular half hours a day and thin extended hours: more 30Min bars than two per session hour.
      expect(rawCounts[symbol]).toBeGreaterThan(2 * series.close.length);
      expect(Array.from(series.ts)).toEqual(Array.from(whole.get(symbol)!.ts));
      expect(Array.from(series.close)).toEqual(Array.from(whole.get(symbol)!.close));
      // Sessions Feb 18-21, Feb 24-28 and Mar 3, 7 bars each; Mar 4's 09:30 bar ends 10:30 ET, after "now".
      expect(series.close.length).toBe(10 * 7);
      for (let i = 1; i < series.ts.length; i++) expect(series.ts[i]).toBeGreaterThan(series.ts[i - 1]);
      expect(series.ts[series.ts.length - 1]).toBeLessThanOrEqual(end.getTime() - 3_600_000);
    }
    const bar0 = new Date(whole.get('ARQX')!.ts[0]).toISOString();
    expect(bar0).toBe('2025-02-18T14:30:00.000Z');
  });

  test('bars never appear beyond the simulated now and appear as the clock advances', async () => {
    const future = new Date('2025-03-10T00:00:00Z');
    const before = (await broker.getHourlyBars(['ARQX'], new Date('2025-03-04T00:00:00Z'), future)).get('ARQX')!;
    expect(before.ts.length).toBe(0);
    await simPost(sim, '/__sim/clock', { advanceHours: 2 });
    const after = (await broker.getHourlyBars(['ARQX'], new Date('2025-03-04T00:00:00Z'), future)).get('ARQX')!;
    expect(Array.from(after.ts).map((t) => new Date(t).toISOString())).toEqual(['2025-03-04T14:30:00.000Z', '2025-03-04T15:30:00.000Z']);
  });
});

describe('orders and positions', () => {
  test('buy, sell and short move positions and cash consistently', async () => {
    const buy = await broker.submitMarketOrder({ symbol: 'ARQX', side: 'buy', qty: 10, clientOrderId: 'buy-1' });
    expect(['pending_new', 'accepted']).toContain(buy.status);
    expect(buy.filledQty).toBe(0);
    const boughtAt = (await waitForOrder(broker, 'buy-1', isFilled)).filledAvgPrice!;
    await broker.submitMarketOrder({ symbol: 'ARQX', side: 'sell', qty: 4, clientOrderId: 'sell-1' });
    const soldAt = (await waitForOrder(broker, 'sell-1', isFilled)).filledAvgPrice!;
    await broker.submitMarketOrder({ symbol: 'BLVN', side: 'sell', qty: 5, clientOrderId: 'short-1' });
    const shortAt = (await waitForOrder(broker, 'short-1', isFilled)).filledAvgPrice!;

    const positions = await broker.getPositions();
    expect(positions.map((p) => [p.symbol, p.qty])).toEqual([
      ['ARQX', 6],
      ['BLVN', -5],
    ]);
    const short = positions.find((p) => p.symbol === 'BLVN')!;
    expect(short.marketValue).toBeLessThan(0);
    expect(short.avgEntryPrice).toBeCloseTo(shortAt, 4);
    const account = await broker.getAccount();
    expect(account.cash).toBeCloseTo(100_000 - 10 * boughtAt + 4 * soldAt + 5 * shortAt, 1);
    const marketValue = positions.reduce((sum, p) => sum + p.marketValue, 0);
    expect(account.equity).toBeCloseTo(account.cash + marketValue, 0);

    const open = await broker.listOrders({ status: 'open' });
    expect(open).toHaveLength(0);
    const closed = await broker.listOrders({ status: 'closed', symbols: ['ARQX'] });
    expect(closed.map((o) => o.clientOrderId)).toEqual(['sell-1', 'buy-1']);
  });

  test('orders placed while the market is closed queue until the next open, then fill', async () => {
    await simPost(sim, '/__sim/clock', { set: WEEKEND_TIME });
    const order = await broker.submitMarketOrder({ symbol: 'QUIL', side: 'buy', qty: 3, clientOrderId: 'weekend' });
    expect(order.status).toBe('accepted');
    await new Promise((r) => setTimeout(r, 50));
    expect((await broker.getOrderByClientId('weekend'))!.status).toBe('accepted');
    await simPost(sim, '/__sim/clock', { set: '2025-03-10T14:00:00Z' });
    const filled = await waitForOrder(broker, 'weekend', isFilled);
    expect(filled.filledAt!.toISOString()).toBe('2025-03-10T14:00:00.000Z');
  });

  test('getOrderByClientId finds orders and returns null for unknown ids; unknown order id is 404', async () => {
    const placed = await broker.submitMarketOrder({ symbol: 'ARQX', side: 'buy', qty: 1, clientOrderId: 'find-me' });
    expect((await broker.getOrderByClientId('find-me'))!.id).toBe(placed.id);
    expect(await broker.getOrderByClientId('never-sent')).toBeNull();
    const err = await rejection(rawSdk(sim).trading.orders.getOrderByOrderID({ orderId: randomUUID() }));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ status: 404, code: 40410000 });
  });

  test('duplicate client_order_id: 422 from the raw SDK, idempotent through the adapter', async () => {
    const sdk = rawSdk(sim);
    const first = await sdk.trading.orders.market({ symbol: 'ARQX', side: 'buy', qty: 2, clientOrderId: 'dup-1' });
    const err = await rejection(sdk.trading.orders.market({ symbol: 'ARQX', side: 'buy', qty: 2, clientOrderId: 'dup-1' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ status: 422, code: 40010001 });
    const again = await broker.submitMarketOrder({ symbol: 'ARQX', side: 'buy', qty: 2, clientOrderId: 'dup-1' });
    expect(again.id).toBe(first.id);
    const mismatch = await rejection(broker.submitMarketOrder({ symbol: 'ARQX', side: 'buy', qty: 3, clientOrderId: 'dup-1' }));
    expect(mismatch).toMatchObject({ retryable: false, status: 422 });
    const log = (await (await fetch(`${sim.url}/__sim/orders`)).json()) as Array<{ client_order_id: string }>;
    expect(log.filter((o) => o.client_order_id === 'dup-1')).toHaveLength(1);
  });

  test('negative, zero and fractional quantities are 422 validation errors', async () => {
    const sdk = rawSdk(sim);
    for (const qty of [-5, 0, 1.5]) {
      const err = await rejection(sdk.trading.orders.market({ symbol: 'ARQX', side: 'buy', qty, clientOrderId: `bad-${qty}` }));
      expect(err).toBeInstanceOf(ValidationError);
      expect(err).toMatchObject({ status: 422, code: 40010001 });
    }
    const viaAdapter = await rejection(broker.submitMarketOrder({ symbol: 'ARQX', side: 'buy', qty: -1, clientOrderId: 'neg' }));
    expect(viaAdapter).toMatchObject({ retryable: false, status: 422 });
  });

  test('closePosition submits a closing order that flattens the position', async () => {
    await broker.submitMarketOrder({ symbol: 'NOVA', side: 'sell', qty: 7, clientOrderId: 'short-nova' });
    await waitForOrder(broker, 'short-nova', isFilled);
    const close = await broker.closePosition('NOVA');
    expect(close).toMatchObject({ symbol: 'NOVA', side: 'buy', qty: 7 });
    await waitForOrder(broker, close.clientOrderId, isFilled);
    expect(await broker.getPositions()).toEqual([]);
    const none = await rejection(broker.closePosition('NOVA'));
    expect(none).toMatchObject({ retryable: false, status: 404 });
  });

  test('insufficient buying power is a permanent 403', async () => {
    const err = await rejection(rawSdk(sim).trading.orders.market({ symbol: 'ARQX', side: 'buy', qty: 100_000, clientOrderId: 'too-big' }));
    expect(err).toBeInstanceOf(PermissionError);
    expect(err).toMatchObject({ status: 403, code: 40310000 });
    const viaAdapter = await rejection(broker.submitMarketOrder({ symbol: 'ARQX', side: 'buy', qty: 100_000, clientOrderId: 'too-big-2' }));
    expect(viaAdapter).toMatchObject({ retryable: false, status: 403, code: 40310000 });
  });

  test('shorting a non-shortable name is refused', async () => {
    const err = await rejection(broker.submitMarketOrder({ symbol: 'GRVY', side: 'sell', qty: 1, clientOrderId: 'short-grvy' }));
    expect(err).toMatchObject({ retryable: false, status: 422, code: 42210000 });
  });

  test('a 429 then success: reads retry (SDK), an order submission surfaces the 429 and the engine-style retry succeeds; the raw SDK without retry sees RateLimitError', async () => {
    await simPost(sim, '/__sim/faults', { retryAfterSeconds: 0, script: [{ fault: '429', path: '/v2/account' }] });
    const noRetry = await rejection(rawSdk(sim, { retry: false }).trading.account.getAccount());
    expect(noRetry).toBeInstanceOf(RateLimitError);
    expect((noRetry as RateLimitError).retryAfterMs).toBe(0);

    await simPost(sim, '/__sim/faults', { script: [{ fault: '429', path: '/v2/account' }] });
    expect((await broker.getAccount()).equity).toBe(100_000);

    await simPost(sim, '/__sim/faults', { script: [{ fault: '429', method: 'POST', path: '/v2/orders' }] });
    // The adapter submits once (a 429 surfaces); the retry is the engine's (lookup by client id, then resubmit).
    await expect(broker.submitMarketOrder({ symbol: 'ARQX', side: 'buy', qty: 1, clientOrderId: 'after-429' })).rejects.toMatchObject({
      retryable: true,
      status: 429,
    });
    await simPost(sim, '/__sim/faults', { script: [{ fault: '429', method: 'POST', path: '/v2/orders' }] });
    const order = await submitAsTheEngineRetries(broker, { symbol: 'ARQX', side: 'buy', qty: 1, clientOrderId: 'after-429' });
    expect(order.clientOrderId).toBe('after-429');
    const log = (await (await fetch(`${sim.url}/__sim/orders`)).json()) as unknown[];
    expect(log).toHaveLength(1);
  });
});
