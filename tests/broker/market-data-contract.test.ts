/**
 * Contract tests of the market-data behaviours Alpaca has and the engine must cope with (issue 11), through the
 * real SDK (raw, and through our adapter) against the in-process simulator: extended-hours bars on UTC hours,
 * session-aligned adapter bars, split adjustment, positions rescaled at splits, halts, delistings, latest trade/quote,
 * corporate actions.
 */
import type { SimulatorHandle } from '../../broker/simulator';
import type { AlpacaBroker } from '../../broker/alpaca-broker';
import { BrokerError } from '../../broker/types';
import { newYorkOffsetMs } from '../../strategy/new-york-offset';
import { adapter, isFilled, rawSdk, rejection, simPost, startTestSimulator, waitForOrder } from './sim-helpers';

let sim: SimulatorHandle;
let broker: AlpacaBroker;

afterEach(() => sim?.stop());

async function start(startTime: string): Promise<void> {
  sim = await startTestSimulator({ startTime });
  broker = adapter(sim);
}

const newYorkMinute = (ms: number): number => Math.floor(((ms + newYorkOffsetMs(ms)) % 86_400_000) / 60_000);
const iso = (ms: number): string => new Date(ms).toISOString();

interface SdkBar {
  t: number;
  o: number;
  c: number;
  v: number;
}

async function sdkBars(symbol: string, timeframe: string, start: string, end: string, adjustment?: string): Promise<SdkBar[]> {
  const out: SdkBar[] = [];
  let pageToken: string | undefined;
  do {
    const page = await rawSdk(sim).marketData.stocks.stockBars({
      symbols: symbol,
      timeframe,
      start: new Date(start),
      end: new Date(end),
      adjustment: adjustment,
      limit: 10_000,
      pageToken,
    });
    for (const b of (page.bars?.[symbol] ?? []) as unknown as Array<{ t: string | Date; o: number; c: number; v: number }>) {
      out.push({ t: new Date(b.t).getTime(), o: b.o, c: b.c, v: b.v });
    }
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken);
  return out;
}

describe('bars as Alpaca serves them', () => {
  test('1Hour bars start on UTC hours and cover pre- and post-market (04:00-20:00 New York)', async () => {
    await start('2025-03-05T12:00:00Z');
    // Monday 2025-03-03, New York is UTC-5: the session is 14:30Z-21:00Z.
    const bars = await sdkBars('ARQX', '1Hour', '2025-03-03T05:00:00Z', '2025-03-04T04:59:00Z');
    const times = bars.map((b) => b.t);
    for (const t of times) expect(t % 3_600_000).toBe(0);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(Date.parse('2025-03-03T09:00:00Z'));
    expect(Math.max(...times)).toBeLessThan(Date.parse('2025-03-04T01:00:00Z'));
    expect(times.some((t) => t < Date.parse('2025-03-03T14:00:00Z'))).toBe(true);
    expect(times.some((t) => t >= Date.parse('2025-03-03T21:00:00Z'))).toBe(true);
    // The 14:00Z bar holds 09:00-09:30 pre-market and the first regular half hour.
    expect(times).toContain(Date.parse('2025-03-03T14:00:00Z'));
  });

  test('1Min, 30Min and 1Day come from the same path: they agree on the session open and close', async () => {
    await start('2025-03-05T12:00:00Z');
    const day = (await sdkBars('BLVN', '1Day', '2025-03-03T00:00:00Z', '2025-03-03T23:00:00Z'))[0];
    expect(iso(day.t)).toBe('2025-03-03T05:00:00.000Z');
    const halves = await sdkBars('BLVN', '30Min', '2025-03-03T14:30:00Z', '2025-03-03T20:30:00Z');
    expect(halves).toHaveLength(13);
    expect(halves[0].o).toBe(day.o);
    expect(halves[12].c).toBe(day.c);
    const minutes = await sdkBars('BLVN', '1Min', '2025-03-03T14:30:00Z', '2025-03-03T14:59:00Z');
    expect(minutes).toHaveLength(30);
    expect(minutes[0].o).toBe(halves[0].o);
    expect(minutes[29].c).toBeCloseTo(halves[0].c, 1);
  });

  test("the adapter's hourly bars are regular-session only, aligned to 09:30, with the early close honoured", async () => {
    await start('2024-12-03T12:00:00Z');
    const series = (await broker.getHourlyBars(['ARQX'], new Date('2024-11-25T00:00:00Z'), new Date('2024-12-03T00:00:00Z'))).get('ARQX')!;
    const byDate = new Map<string, number[]>();
    for (const t of series.ts) {
      const minute = newYorkMinute(t);
      expect(minute).toBeGreaterThanOrEqual(9 * 60 + 30);
      expect((minute - (9 * 60 + 30)) % 60).toBe(0);
      const date = iso(t + newYorkOffsetMs(t)).slice(0, 10);
      byDate.set(date, [...(byDate.get(date) ?? []), minute]);
    }
    // Thanksgiving 2024-11-28 is closed; Friday 11-29 closes at 13:00 (4 bars); the others have 7.
    expect([...byDate.keys()]).toEqual(['2024-11-25', '2024-11-26', '2024-11-27', '2024-11-29', '2024-12-02']);
    expect(byDate.get('2024-11-29')!.length).toBe(4);
    expect(byDate.get('2024-12-02')!.length).toBe(7);
    // Rebuilt from 30-minute bars, each hour has the open and close of the simulator's session-hour path.
    const market = sim.control.market;
    const model = market.get('ARQX')!;
    series.ts.forEach((t, i) => {
      const bar = market.bar(model, market.calendar.firstBarAtOrAfter(t));
      expect(bar.t).toBe(t);
      expect(series.open[i]).toBeCloseTo(bar.o, 2);
      expect(series.close[i]).toBeCloseTo(bar.c, 2);
    });
    // Extended-hours 30-minute bars exist for those days, but none reached the hourly series.
    const extended = (await sdkBars('ARQX', '30Min', '2024-12-02T09:00:00Z', '2024-12-03T01:00:00Z')).filter((b) => {
      const m = newYorkMinute(b.t);
      return m < 9 * 60 + 30 || m >= 16 * 60;
    });
    expect(extended.length).toBeGreaterThan(5);
  });

  test('adjustment=raw keeps pre-split prices at the old level; split divides them by the ratio; the adapter gets split-adjusted bars', async () => {
    // Seeded: UMBR splits 2:1 with ex-date Monday 2024-06-10.
    await start('2024-06-12T14:00:00Z');
    const raw = await sdkBars('UMBR', '1Day', '2024-06-06T00:00:00Z', '2024-06-11T23:00:00Z', 'raw');
    const split = await sdkBars('UMBR', '1Day', '2024-06-06T00:00:00Z', '2024-06-11T23:00:00Z', 'split');
    const all = await sdkBars('UMBR', '1Day', '2024-06-06T00:00:00Z', '2024-06-11T23:00:00Z', 'all');
    expect(raw.map((b) => iso(b.t).slice(0, 10))).toEqual(['2024-06-06', '2024-06-07', '2024-06-10', '2024-06-11']);
    expect(raw[1].c / split[1].c).toBeCloseTo(2, 1);
    expect(split[1].v).toBe(2 * raw[1].v);
    expect(raw[2].c).toBe(split[2].c);
    expect(all.map((b) => b.c)).toEqual(split.map((b) => b.c));
    // Raw: the ex-date opens at half the previous close; split-adjusted: no jump.
    expect(raw[2].o / raw[1].c).toBeCloseTo(0.5, 2);
    expect(split[2].o / split[1].c).toBeCloseTo(1, 2);
    const hourly = (await broker.getHourlyBars(['UMBR'], new Date('2024-06-07T00:00:00Z'), new Date('2024-06-11T00:00:00Z'))).get('UMBR')!;
    const jumps = Array.from(hourly.close)
      .slice(1)
      .map((c, i) => Math.abs(Math.log(c / hourly.close[i])));
    expect(Math.max(...jumps)).toBeLessThan(0.1);
  });

  test('corporate actions: seeded and scheduled splits through the SDK endpoint the adapter uses', async () => {
    await start('2025-03-04T15:00:00Z');
    await simPost(sim, '/__sim/corporate-actions', { symbol: 'ARQX', kind: 'split', exDate: '2025-03-06', oldRate: 1, newRate: 3 });
    const actions = await broker.getCorporateActions(
      ['UMBR', 'VLTA', 'ARQX', 'BLVN'],
      new Date('2024-01-01T00:00:00Z'),
      new Date('2025-12-31T00:00:00Z'),
    );
    expect(actions).toEqual([
      { symbol: 'UMBR', kind: 'split', exDate: '2024-06-10', oldRate: 1, newRate: 2 },
      { symbol: 'VLTA', kind: 'reverse_split', exDate: '2025-01-13', oldRate: 10, newRate: 1 },
      { symbol: 'ARQX', kind: 'split', exDate: '2025-03-06', oldRate: 1, newRate: 3 },
    ]);
    expect(await broker.getCorporateActions(['UMBR'], new Date('2024-07-01T00:00:00Z'), new Date('2024-12-31T00:00:00Z'))).toEqual([]);
  });
});

describe('positions at a split', () => {
  test('a 2:1 split doubles a long and halves its average price; a 1:10 reverse split pays the fraction in cash', async () => {
    await start('2025-03-04T15:00:00Z');
    sim.control.scheduleCorporateAction({ symbol: 'ARQX', kind: 'split', exDate: '2025-03-05', oldRate: 1, newRate: 2 });
    sim.control.scheduleCorporateAction({ symbol: 'BLVN', kind: 'reverse_split', exDate: '2025-03-05', oldRate: 10, newRate: 1 });
    await broker.submitMarketOrder({ symbol: 'ARQX', side: 'buy', qty: 10, clientOrderId: 'split-long' });
    await broker.submitMarketOrder({ symbol: 'BLVN', side: 'sell', qty: 15, clientOrderId: 'reverse-short' });
    await waitForOrder(broker, 'split-long', isFilled);
    await waitForOrder(broker, 'reverse-short', isFilled);
    const before = new Map((await broker.getPositions()).map((p) => [p.symbol, p]));
    // The evening before the ex-date (New York midnight is 05:00Z): the latest trade is the closing print.
    sim.control.updateClock({ set: '2025-03-05T04:00:00Z' });
    const cashBefore = (await broker.getAccount()).cash;
    const closeBlvn = (await broker.getLatestTrades(['BLVN'])).get('BLVN')!;

    sim.control.updateClock({ set: '2025-03-05T14:00:00Z' });
    const after = new Map((await broker.getPositions()).map((p) => [p.symbol, p]));
    expect(after.get('ARQX')!.qty).toBe(20);
    expect(after.get('ARQX')!.avgEntryPrice).toBeCloseTo(before.get('ARQX')!.avgEntryPrice / 2, 3);
    // -15 shares become -1.5: the short keeps -1 and buys back the half share in cash at the new price.
    expect(after.get('BLVN')!.qty).toBe(-1);
    expect(after.get('BLVN')!.avgEntryPrice).toBeCloseTo(before.get('BLVN')!.avgEntryPrice * 10, 2);
    const cashAfter = (await broker.getAccount()).cash;
    expect(cashAfter - cashBefore).toBeCloseTo(-0.5 * closeBlvn.price * 10, 1);
    // Positions are worth what they were worth: current prices moved by the ratio too.
    expect(after.get('ARQX')!.currentPrice).toBeCloseTo(before.get('ARQX')!.currentPrice / 2, 0);
    // Closing the whole position sells every share the broker now holds.
    const close = await broker.closePosition('ARQX');
    expect(close.qty).toBe(20);
  });
});

describe('halts and delistings', () => {
  test('a halted symbol has no bars while halted; a market order waits and fills at the reopen; the latest trade is the pre-halt price', async () => {
    await start('2025-03-04T15:00:00Z');
    // 10:00-15:00 New York on 2025-03-04.
    sim.control.halt('QUIL', '2025-03-04T15:00:00Z', '2025-03-04T20:00:00Z');
    const preHalt = (await broker.getLatestTrades(['QUIL'])).get('QUIL')!;
    sim.control.updateClock({ advanceHours: 1 });
    const during = (await broker.getLatestTrades(['QUIL'])).get('QUIL')!;
    expect(during.price).toBe(preHalt.price);
    expect(during.timestamp.getTime()).toBeLessThanOrEqual(Date.parse('2025-03-04T15:00:00Z'));
    const order = await broker.submitMarketOrder({ symbol: 'QUIL', side: 'buy', qty: 5, clientOrderId: 'during-halt' });
    expect(['accepted', 'pending_new', 'new']).toContain(order.status);
    await new Promise((r) => setTimeout(r, 30));
    expect((await broker.getOrderByClientId('during-halt'))!.status).not.toBe('filled');

    sim.control.updateClock({ set: '2025-03-04T20:30:00Z' });
    const filled = await waitForOrder(broker, 'during-halt', isFilled);
    expect(filled.filledAt!.toISOString()).toBe('2025-03-04T20:00:00.000Z');
    const halves = await sdkBars('QUIL', '30Min', '2025-03-04T14:30:00Z', '2025-03-04T20:00:00Z');
    expect(halves.map((b) => iso(b.t))).toEqual(['2025-03-04T14:30:00.000Z', '2025-03-04T20:00:00.000Z']);
    const hourly = (await broker.getHourlyBars(['QUIL'], new Date('2025-03-04T14:00:00Z'), new Date('2025-03-04T21:00:00Z'))).get('QUIL')!;
    // 09:30 (its first half traded) and 14:30 New York (its second half, after the reopen): nothing from the halt.
    expect(Array.from(hourly.ts).map(iso)).toEqual(['2025-03-04T14:30:00.000Z', '2025-03-04T19:30:00.000Z']);
  });

  test('an order on a halt that outlasts the session is canceled at the close (a day order)', async () => {
    await start('2025-03-04T15:00:00Z');
    sim.control.halt('RAVN', '2025-03-04T15:00:00Z', null);
    await broker.submitMarketOrder({ symbol: 'RAVN', side: 'buy', qty: 5, clientOrderId: 'halted-all-day' });
    sim.control.updateClock({ set: '2025-03-04T22:00:00Z' });
    const order = await waitForOrder(broker, 'halted-all-day', (o) => o.status === 'canceled');
    expect(order.filledQty).toBe(0);
    expect(sim.control.halts()).toEqual([{ symbol: 'RAVN', fromMs: Date.parse('2025-03-04T15:00:00Z'), toMs: null }]);
  });

  test('a delisted (inactive) asset: status inactive, not tradable, no later bars, orders refused', async () => {
    await start('2025-03-04T15:00:00Z');
    await simPost(sim, '/__sim/assets/SLTE', { status: 'inactive', at: '2025-03-04T15:00:00Z' });
    expect(await broker.getAsset('SLTE')).toMatchObject({ status: 'inactive', tradable: false });
    const err = await rejection(broker.submitMarketOrder({ symbol: 'SLTE', side: 'buy', qty: 1, clientOrderId: 'delisted' }));
    expect(err).toBeInstanceOf(BrokerError);
    expect(err).toMatchObject({ retryable: false, status: 422 });
    sim.control.updateClock({ set: '2025-03-06T21:00:00Z' });
    const hourly = (await broker.getHourlyBars(['SLTE'], new Date('2025-03-04T00:00:00Z'), new Date('2025-03-07T00:00:00Z'))).get('SLTE')!;
    // Only the half hour traded before the delisting (09:30-10:00 New York) is left.
    expect(Array.from(hourly.ts).map(iso)).toEqual(['2025-03-04T14:30:00.000Z']);
  });
});

describe('latest trade and quote', () => {
  test('latest trade is the trade price at the simulated now; the quote brackets it; unknown symbols are absent', async () => {
    await start('2025-03-04T16:15:00Z');
    const trades = await broker.getLatestTrades(['ARQX', 'BLVN', 'NOPE']);
    expect([...trades.keys()].sort()).toEqual(['ARQX', 'BLVN']);
    expect(trades.get('ARQX')!.timestamp.toISOString()).toBe('2025-03-04T16:15:00.000Z');
    const quotes = await rawSdk(sim).marketData.stocks.stockLatestQuotes({ symbols: 'ARQX' });
    const q = quotes.quotes.ARQX;
    expect(q.bp).toBeLessThan(trades.get('ARQX')!.price);
    expect(q.ap).toBeGreaterThan(trades.get('ARQX')!.price);
    // A market buy fills at the latest trade price (no slippage configured).
    await broker.submitMarketOrder({ symbol: 'ARQX', side: 'buy', qty: 1, clientOrderId: 'at-latest' });
    const filled = await waitForOrder(broker, 'at-latest', isFilled);
    expect(filled.filledAvgPrice).toBeCloseTo(trades.get('ARQX')!.price, 1);
    // After the close, the latest trade is the closing print.
    sim.control.updateClock({ set: '2025-03-04T23:00:00Z' });
    const evening = (await broker.getLatestTrades(['ARQX'])).get('ARQX')!;
    expect(evening.timestamp.getTime()).toBeLessThan(Date.parse('2025-03-04T21:00:00Z'));
  });
});
