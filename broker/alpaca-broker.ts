/**
 * The engine's Broker over `@alpacahq/alpaca-trade-api` 4.x: real Alpaca paper trading, or our simulator
 * reached by rewriting the SDK's hard-coded hosts in its `fetchApi` hook.
 */
import { Alpaca } from '@alpacahq/alpaca-trade-api';
import type { trading } from '@alpacahq/alpaca-trade-api';
import {
  BrokerError,
  type Account,
  type AssetFlags,
  type BarSeries,
  type Broker,
  type BrokerOrder,
  type CalendarDay,
  type CorporateAction,
  type LatestTrade,
  type MarketClock,
  type MarketOrderRequest,
  type OrderSide,
  type OrderStatus,
  type Position,
} from './types';
import { toBarSeries, type RawBar } from './bar-series';
import { sessionHourlyBars, sessionMinutesByDate, type SessionMinutes } from './session-bars';
import { isAmbiguous, isDuplicateClientOrderId, toBrokerError } from './to-broker-error';

export interface AlpacaBrokerOptions {
  keyId: string;
  secret: string;
  /** e.g. http://127.0.0.1:8787: send every trading and market-data request there instead of Alpaca. */
  simulatorUrl?: string;
  /** Per-attempt HTTP timeout (default 10 s against Alpaca, 5 s against the simulator). */
  timeoutMs?: number;
  /** Market-data feed for real Alpaca (default `iex`, which free accounts may query up to now). */
  feed?: 'iex' | 'sip';
  /**
   * Attempts of one order submission across retryable failures (default 1: the engine's only retry layer is
   * Temporal's retry policy, which looks the order up by client_order_id before any resubmission).
   */
  maxSubmitAttempts?: number;
  /** SDK-level automatic retries of GET requests (default 2). */
  readRetries?: number;
  /** Bars per page requested (default 10000, Alpaca's maximum). */
  barsPageLimit?: number;
}

const ALPACA_HOSTS = /^https:\/\/(paper-api|api|data|data\.sandbox)\.alpaca\.markets/;
const SYMBOLS_PER_BARS_REQUEST = 100;
const MAX_BACKOFF_MS = 5_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const num = (value: string | number | undefined | null): number => (value === undefined || value === null ? NaN : Number(value));

function toBrokerOrder(order: trading.Order): BrokerOrder {
  return {
    id: order.id ?? '',
    clientOrderId: order.clientOrderId ?? '',
    symbol: order.symbol ?? '',
    side: order.side as OrderSide,
    qty: num(order.qty),
    filledQty: order.filledQty === undefined ? 0 : num(order.filledQty),
    filledAvgPrice: order.filledAvgPrice === undefined ? null : num(order.filledAvgPrice),
    status: order.status as OrderStatus,
    submittedAt: order.submittedAt ?? null,
    filledAt: order.filledAt ?? null,
  };
}

function toAction(split: { symbol: string; exDate: Date; oldRate: number; newRate: number }, kind: CorporateAction['kind']): CorporateAction {
  // The SDK parses the YYYY-MM-DD ex_date as UTC midnight, so its UTC date is the New York date Alpaca sent.
  return { symbol: split.symbol, kind, exDate: split.exDate.toISOString().slice(0, 10), oldRate: num(split.oldRate), newRate: num(split.newRate) };
}

function sameOrder(existing: BrokerOrder, request: MarketOrderRequest): boolean {
  return existing.symbol === request.symbol && existing.side === request.side && existing.qty === request.qty;
}

function backoffMs(attempt: number, err: BrokerError): number {
  if (err.retryAfterSeconds !== undefined) return Math.min(MAX_BACKOFF_MS, Math.max(0, err.retryAfterSeconds * 1000));
  return Math.min(MAX_BACKOFF_MS, 200 * 2 ** (attempt - 1));
}

export class AlpacaBroker implements Broker {
  private readonly alpaca: Alpaca;
  private readonly feed: 'iex' | 'sip' | undefined;
  private readonly maxSubmitAttempts: number;
  private readonly barsPageLimit: number;
  /** Trading days already fetched (the calendar never changes), and the date range they cover. */
  private sessions = new Map<string, SessionMinutes>();
  private sessionsCover: [string, string] | null = null;

  constructor(options: AlpacaBrokerOptions) {
    const simulatorUrl = options.simulatorUrl?.replace(/\/+$/, '');
    this.alpaca = new Alpaca({
      keyId: options.keyId,
      secret: options.secret,
      paper: true,
      timeoutMs: options.timeoutMs ?? (simulatorUrl ? 5_000 : 10_000),
      retry: { maxRetries: options.readRetries ?? 2, maxDelayMs: 2_000 },
      // The simulator is local and has no request quota to protect; Alpaca's is 200 requests/minute.
      rateLimit: simulatorUrl ? false : { maxRequests: 190, intervalMs: 60_000 },
      ...(simulatorUrl ? { fetchApi: (url: string, init: RequestInit) => fetch(url.replace(ALPACA_HOSTS, simulatorUrl), init) } : {}),
    });
    this.feed = simulatorUrl ? undefined : (options.feed ?? 'iex');
    this.maxSubmitAttempts = Math.max(1, options.maxSubmitAttempts ?? 1);
    this.barsPageLimit = options.barsPageLimit ?? 10_000;
  }

  /** The underlying SDK client, for callers that need an endpoint the Broker interface does not cover. */
  get sdk(): Alpaca {
    return this.alpaca;
  }

  private async call<T>(context: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toBrokerError(err, context);
    }
  }

  async getAccount(): Promise<Account> {
    const a = await this.call('get account', () => this.alpaca.trading.account.getAccount());
    return {
      equity: num(a.equity),
      cash: num(a.cash),
      buyingPower: num(a.buyingPower),
      status: String(a.status),
      shortingEnabled: a.shortingEnabled ?? false,
    };
  }

  async getClock(): Promise<MarketClock> {
    const c = await this.call('get clock', () => this.alpaca.trading.clock.legacyClock());
    return { isOpen: c.isOpen, timestamp: c.timestamp, nextOpen: c.nextOpen, nextClose: c.nextClose };
  }

  async getCalendar(start: Date, end: Date): Promise<CalendarDay[]> {
    const days = await this.call('get calendar', () => this.alpaca.trading.calendar.legacyCalendar({ start, end }));
    return days.map((d) => ({ date: d.date.toISOString().slice(0, 10), open: d.open, close: d.close }));
  }

  async getAsset(symbol: string): Promise<AssetFlags> {
    const a = await this.call(`get asset ${symbol}`, () => this.alpaca.trading.assets.getV2AssetsSymbolOrAssetId({ symbolOrAssetId: symbol }));
    return {
      symbol: a.symbol,
      tradable: a.tradable,
      shortable: a.shortable ?? false,
      easyToBorrow: a.easyToBorrow ?? false,
      status: a.status === 'active' ? 'active' : 'inactive',
    };
  }

  async getLatestTrades(symbols: string[]): Promise<Map<string, LatestTrade>> {
    const unique = [...new Set(symbols)];
    const result = new Map<string, LatestTrade>();
    for (let i = 0; i < unique.length; i += SYMBOLS_PER_BARS_REQUEST) {
      const chunk = unique.slice(i, i + SYMBOLS_PER_BARS_REQUEST).join(',');
      const reply = await this.call('get latest trades', () => this.alpaca.marketData.stocks.stockLatestTrades({ symbols: chunk, feed: this.feed }));
      for (const [symbol, trade] of Object.entries(reply.trades ?? {})) {
        result.set(symbol, { symbol, price: num(trade.p), timestamp: trade.t });
      }
    }
    return result;
  }

  async getCorporateActions(symbols: string[], start: Date, end: Date): Promise<CorporateAction[]> {
    const unique = [...new Set(symbols)];
    const actions: CorporateAction[] = [];
    for (let i = 0; i < unique.length; i += SYMBOLS_PER_BARS_REQUEST) {
      const chunk = unique.slice(i, i + SYMBOLS_PER_BARS_REQUEST).join(',');
      const seenTokens = new Set<string>();
      let pageToken: string | undefined;
      do {
        const page = await this.call('get corporate actions', () =>
          this.alpaca.marketData.corporateActions.corporateActions({
            symbols: chunk,
            types: 'forward_split,reverse_split',
            start,
            end,
            limit: 1000,
            pageToken,
          }),
        );
        const found = page.corporateActions;
        for (const s of found.forwardSplits ?? []) actions.push(toAction(s, 'split'));
        for (const s of found.reverseSplits ?? []) actions.push(toAction(s, 'reverse_split'));
        pageToken = page.nextPageToken ?? undefined;
        if (pageToken !== undefined && seenTokens.has(pageToken)) throw new BrokerError('get corporate actions: broker repeated a page token', true);
        if (pageToken !== undefined) seenTokens.add(pageToken);
      } while (pageToken !== undefined);
    }
    return actions.sort((a, b) => a.exDate.localeCompare(b.exDate) || a.symbol.localeCompare(b.symbol));
  }

  /**
   * Regular-session, split-adjusted hourly bars aligned to the open, built from Alpaca `30Min` bars requested with
   * `adjustment=split` (see session-bars.ts): Alpaca's own `1Hour` bars start on UTC hours and include extended hours.
   */
  async getHourlyBars(symbols: string[], start: Date, end: Date): Promise<Map<string, BarSeries>> {
    const unique = [...new Set(symbols)];
    const raw = new Map<string, RawBar[]>(unique.map((s) => [s, []]));
    const sessions = await this.sessionsBetween(start, end);
    for (let i = 0; i < unique.length; i += SYMBOLS_PER_BARS_REQUEST) {
      const chunk = unique.slice(i, i + SYMBOLS_PER_BARS_REQUEST).join(',');
      const seenTokens = new Set<string>();
      let pageToken: string | undefined;
      do {
        // The raw call keeps the SDK transport (auth, timeout, retries) but parses with JSON.parse: the SDK's
        // lossless JSON parser costs several times more on large bar pages, and bar fields are plain floats.
        const page = await this.call('get hourly bars', async () => {
          const response = await this.alpaca.marketData.stocks.stockBarsRaw({
            symbols: chunk,
            timeframe: '30Min',
            start,
            end,
            adjustment: 'split',
            limit: this.barsPageLimit,
            pageToken,
            feed: this.feed,
          });
          return JSON.parse(await response.raw.text()) as { bars?: Record<string, RawBar[]> | null; next_page_token?: string | null };
        });
        const bars = page.bars ?? {};
        for (const symbol of Object.keys(bars)) {
          const list = raw.get(symbol);
          if (list) for (const bar of bars[symbol]) list.push(bar);
        }
        pageToken = page.next_page_token ?? undefined;
        if (pageToken !== undefined && seenTokens.has(pageToken)) throw new BrokerError('get hourly bars: broker repeated a page token', true);
        if (pageToken !== undefined) seenTokens.add(pageToken);
      } while (pageToken !== undefined);
    }
    // An hour still in progress (on the broker's clock) would be a partial bar: its halves are dropped.
    const endMs = Math.min(end.getTime(), (await this.getClock()).timestamp.getTime());
    return new Map(unique.map((s) => [s, toBarSeries(s, sessionHourlyBars(raw.get(s)!, sessions, endMs))]));
  }

  /** The trading calendar over [start, end] (padded by a day each side for time zones), fetched once per range. */
  private async sessionsBetween(start: Date, end: Date): Promise<Map<string, SessionMinutes>> {
    const from = new Date(start.getTime() - 86_400_000).toISOString().slice(0, 10);
    const to = new Date(end.getTime() + 86_400_000).toISOString().slice(0, 10);
    const cover = this.sessionsCover;
    if (cover && cover[0] <= from && to <= cover[1]) return this.sessions;
    const lo = cover && cover[0] < from ? cover[0] : from;
    const hi = cover && cover[1] > to ? cover[1] : to;
    const days = await this.getCalendar(new Date(`${lo}T00:00:00Z`), new Date(`${hi}T00:00:00Z`));
    this.sessions = sessionMinutesByDate(days);
    this.sessionsCover = [lo, hi];
    return this.sessions;
  }

  /**
   * Idempotent by client order id: after an ambiguous failure (network, timeout, 5xx) the order is looked up
   * before any re-submission, and Alpaca's "client_order_id must be unique" resolves to the existing order when
   * it is the same order.
   */
  async submitMarketOrder(request: MarketOrderRequest): Promise<BrokerOrder> {
    const context = `submit ${request.side} ${request.qty} ${request.symbol} (${request.clientOrderId})`;
    let lastError: BrokerError | undefined;
    for (let attempt = 1; attempt <= this.maxSubmitAttempts; attempt++) {
      try {
        const order = await this.alpaca.trading.orders.market({
          symbol: request.symbol,
          side: request.side,
          qty: request.qty,
          clientOrderId: request.clientOrderId,
          timeInForce: 'day',
        });
        return toBrokerOrder(order);
      } catch (raw) {
        const err = toBrokerError(raw, context);
        if (isDuplicateClientOrderId(err)) return this.adoptExisting(request, err);
        if (!err.retryable) throw err;
        lastError = err;
        if (isAmbiguous(err)) {
          const existing = await this.getOrderByClientId(request.clientOrderId).catch(() => null);
          if (existing) return this.checkSame(existing, request);
        }
        if (attempt < this.maxSubmitAttempts) await sleep(backoffMs(attempt, err));
      }
    }
    throw lastError!;
  }

  private async adoptExisting(request: MarketOrderRequest, duplicate: BrokerError): Promise<BrokerOrder> {
    const existing = await this.getOrderByClientId(request.clientOrderId);
    if (!existing) throw duplicate;
    return this.checkSame(existing, request);
  }

  private checkSame(existing: BrokerOrder, request: MarketOrderRequest): BrokerOrder {
    if (sameOrder(existing, request)) return existing;
    throw new BrokerError(
      `client_order_id ${request.clientOrderId} already names a different order (${existing.side} ${existing.qty} ${existing.symbol})`,
      false,
      422,
      40010001,
    );
  }

  async getOrderByClientId(clientOrderId: string): Promise<BrokerOrder | null> {
    try {
      return toBrokerOrder(await this.alpaca.trading.orders.getOrderByClientOrderId({ clientOrderId }));
    } catch (raw) {
      const err = toBrokerError(raw, `get order ${clientOrderId}`);
      if (err.status === 404) return null;
      throw err;
    }
  }

  async listOrders(filter: { status: 'open' | 'closed' | 'all'; symbols?: string[]; limit?: number }): Promise<BrokerOrder[]> {
    const orders = await this.call('list orders', () =>
      this.alpaca.trading.orders.getAllOrders({
        status: filter.status,
        limit: filter.limit,
        symbols: filter.symbols?.length ? filter.symbols : undefined,
        direction: 'desc',
      }),
    );
    return orders.map(toBrokerOrder);
  }

  async getPositions(): Promise<Position[]> {
    const positions = await this.call('get positions', () => this.alpaca.trading.positions.getAllOpenPositions());
    return positions.map((p) => ({
      symbol: p.symbol,
      qty: num(p.qty),
      avgEntryPrice: num(p.avgEntryPrice),
      currentPrice: num(p.currentPrice),
      marketValue: num(p.marketValue),
      unrealizedPl: num(p.unrealizedPl),
    }));
  }

  async closePosition(symbol: string): Promise<BrokerOrder> {
    const order = await this.call(`close position ${symbol}`, () => this.alpaca.trading.positions.deleteOpenPosition({ symbolOrAssetId: symbol }));
    return toBrokerOrder(order);
  }

  async cancelOrder(orderId: string): Promise<void> {
    await this.call(`cancel order ${orderId}`, () => this.alpaca.trading.orders.deleteOrderByOrderID({ orderId }));
  }
}

export function createAlpacaBroker(options: AlpacaBrokerOptions): AlpacaBroker {
  return new AlpacaBroker(options);
}
