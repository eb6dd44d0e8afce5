/**
 * The engine's Broker over `@alpacahq/alpaca-trade-api` 4.x: real Alpaca paper trading, or our simulator
 * reached by rewriting the SDK's hard-coded hosts in its `fetchApi` hook.
 */
import { Alpaca, ApiError, FetchError } from '@alpacahq/alpaca-trade-api';
import type { trading } from '@alpacahq/alpaca-trade-api';
import {
  BrokerError,
  type Account, type AssetFlags, type BarSeries, type Broker, type BrokerOrder, type CalendarDay, type MarketClock,
  type MarketOrderRequest, type OrderSide, type OrderStatus, type Position,
} from './types';

export interface AlpacaBrokerOptions {
  keyId: string;
  secret: string;
  /** e.g. http://127.0.0.1:8787: send every trading and market-data request there instead of Alpaca. */
  simulatorUrl?: string;
  /** Per-attempt HTTP timeout (default 10 s against Alpaca, 5 s against the simulator). */
  timeoutMs?: number;
  /** Market-data feed for real Alpaca (default `iex`, which free accounts may query up to now). */
  feed?: 'iex' | 'sip';
  /** Attempts of one order submission across retryable failures (default 3). */
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

/** Classifies any SDK failure: network, timeout, 5xx and 429 are retryable; other 4xx and local errors are not. */
export function toBrokerError(err: unknown, context = 'broker request'): BrokerError {
  if (err instanceof BrokerError) return err;
  if (err instanceof ApiError) {
    const code = typeof err.code === 'number' ? err.code : err.code !== undefined && /^\d+$/.test(String(err.code)) ? Number(err.code) : undefined;
    const retryable = err.status >= 500 || err.status === 429 || err.status === 408;
    const retryAfterSeconds = err.retryAfterMs !== undefined ? err.retryAfterMs / 1000 : undefined;
    return new BrokerError(`${context}: HTTP ${err.status}${code ? ` (${code})` : ''}: ${err.message}`, retryable, err.status, code, retryAfterSeconds);
  }
  if (err instanceof FetchError || (err instanceof Error && err.name === 'FetchError')) {
    const cause = (err as FetchError).cause;
    return new BrokerError(`${context}: ${cause?.name === 'TimeoutError' ? 'timed out' : `network error: ${cause?.message ?? err.message}`}`, true);
  }
  if (isRawFetchFailure(err)) {
    // The SDK wraps fetch failures in FetchError only when they pass its `instanceof Error`, which errors from
    // another realm (e.g. undici's under Jest's vm sandbox) do not.
    return new BrokerError(`${context}: network error: ${String((err as { cause?: { message?: string } }).cause?.message ?? 'fetch failed')}`, true);
  }
  if (err instanceof SyntaxError) return new BrokerError(`${context}: unreadable response: ${err.message}`, true);
  return new BrokerError(`${context}: ${err instanceof Error ? err.message : String(err)}`, false);
}

function isRawFetchFailure(err: unknown): boolean {
  const candidate = err as { name?: unknown; message?: unknown } | null;
  return typeof candidate === 'object' && candidate !== null && candidate.name === 'TypeError' && candidate.message === 'fetch failed';
}

/** Retryable failures after which the request may or may not have taken effect on the broker. */
function isAmbiguous(err: BrokerError): boolean {
  return err.retryable && err.status !== 429;
}

function isDuplicateClientOrderId(err: BrokerError): boolean {
  return err.status === 422 && err.code === 40010001 && /client_order_id/i.test(err.message);
}

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

function sameOrder(existing: BrokerOrder, request: MarketOrderRequest): boolean {
  return existing.symbol === request.symbol && existing.side === request.side && existing.qty === request.qty;
}

function backoffMs(attempt: number, err: BrokerError): number {
  if (err.retryAfterSeconds !== undefined) return Math.min(MAX_BACKOFF_MS, Math.max(0, err.retryAfterSeconds * 1000));
  return Math.min(MAX_BACKOFF_MS, 200 * 2 ** (attempt - 1));
}

function emptySeries(symbol: string, n: number): BarSeries {
  return {
    symbol, ts: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n),
    close: new Float64Array(n), volume: new Float64Array(n),
  };
}

interface RawBar { t: string; o: number; h: number; l: number; c: number; v: number }

function toSeries(symbol: string, raw: RawBar[]): BarSeries {
  const times = raw.map((b) => Date.parse(b.t));
  let order = raw.map((_, i) => i);
  if (times.some((t, i) => i > 0 && t <= times[i - 1])) {
    order = order.sort((a, b) => times[a] - times[b]).filter((k, i, all) => i === 0 || times[k] !== times[all[i - 1]]);
  }
  const series = emptySeries(symbol, order.length);
  for (let i = 0; i < order.length; i++) {
    const b = raw[order[i]];
    series.ts[i] = times[order[i]];
    series.open[i] = b.o;
    series.high[i] = b.h;
    series.low[i] = b.l;
    series.close[i] = b.c;
    series.volume[i] = b.v;
  }
  return series;
}

/**
 * Closes of `symbols` on the timestamps every one of them has (a missing bar in one leg drops that hour for
 * all), oldest first.
 */
export function alignCloses(seriesMap: Map<string, BarSeries>, symbols: string[]): { ts: Float64Array; closes: Record<string, Float64Array> } {
  const closes: Record<string, Float64Array> = {};
  const all = symbols.map((s) => seriesMap.get(s));
  if (symbols.length === 0 || all.some((s) => s === undefined)) {
    for (const s of symbols) closes[s] = new Float64Array(0);
    return { ts: new Float64Array(0), closes };
  }
  const series = all as BarSeries[];
  const indexes = series.map((s) => {
    const index = new Map<number, number>();
    s.ts.forEach((t, i) => index.set(t, i));
    return index;
  });
  const common = Array.from(series[0].ts).filter((t) => indexes.every((index) => index.has(t)));
  const ts = Float64Array.from(common);
  symbols.forEach((symbol, k) => {
    const out = new Float64Array(common.length);
    for (let i = 0; i < common.length; i++) out[i] = series[k].close[indexes[k].get(common[i])!];
    closes[symbol] = out;
  });
  return { ts, closes };
}

export class AlpacaBroker implements Broker {
  private readonly alpaca: Alpaca;
  private readonly feed: 'iex' | 'sip' | undefined;
  private readonly maxSubmitAttempts: number;
  private readonly barsPageLimit: number;

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
    this.feed = simulatorUrl ? undefined : options.feed ?? 'iex';
    this.maxSubmitAttempts = Math.max(1, options.maxSubmitAttempts ?? 3);
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
      equity: num(a.equity), cash: num(a.cash), buyingPower: num(a.buyingPower), status: String(a.status),
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
    return { symbol: a.symbol, tradable: a.tradable, shortable: a.shortable ?? false, easyToBorrow: a.easyToBorrow ?? false };
  }

  async getHourlyBars(symbols: string[], start: Date, end: Date): Promise<Map<string, BarSeries>> {
    const unique = [...new Set(symbols)];
    const raw = new Map<string, RawBar[]>(unique.map((s) => [s, []]));
    for (let i = 0; i < unique.length; i += SYMBOLS_PER_BARS_REQUEST) {
      const chunk = unique.slice(i, i + SYMBOLS_PER_BARS_REQUEST).join(',');
      const seenTokens = new Set<string>();
      let pageToken: string | undefined;
      do {
        // The raw call keeps the SDK transport (auth, timeout, retries) but parses with JSON.parse: the SDK's
        // lossless JSON parser costs several times more on large bar pages, and bar fields are plain floats.
        const page = await this.call('get hourly bars', async () => {
          const response = await this.alpaca.marketData.stocks.stockBarsRaw({
            symbols: chunk, timeframe: '1Hour', start, end, limit: this.barsPageLimit, pageToken, feed: this.feed,
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
    return new Map(unique.map((s) => [s, toSeries(s, raw.get(s)!)]));
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
          symbol: request.symbol, side: request.side, qty: request.qty, clientOrderId: request.clientOrderId, timeInForce: 'day',
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
      false, 422, 40010001,
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
    const orders = await this.call('list orders', () => this.alpaca.trading.orders.getAllOrders({
      status: filter.status, limit: filter.limit, symbols: filter.symbols?.length ? filter.symbols : undefined, direction: 'desc',
    }));
    return orders.map(toBrokerOrder);
  }

  async getPositions(): Promise<Position[]> {
    const positions = await this.call('get positions', () => this.alpaca.trading.positions.getAllOpenPositions());
    return positions.map((p) => ({
      symbol: p.symbol, qty: num(p.qty), avgEntryPrice: num(p.avgEntryPrice), currentPrice: num(p.currentPrice),
      marketValue: num(p.marketValue), unrealizedPl: num(p.unrealizedPl),
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

export const DEFAULT_SIMULATOR_URL = 'http://127.0.0.1:8787';

/**
 * Picks the broker from the environment: `ALPACA_SIM_URL` set → the simulator there; else `ALPACA_KEY_ID` and
 * `ALPACA_SECRET_KEY` set → real Alpaca paper; else the simulator at DEFAULT_SIMULATOR_URL.
 * Optional: `ALPACA_TIMEOUT_MS`, `ALPACA_DATA_FEED` (iex|sip).
 */
export function createBrokerFromEnv(env: NodeJS.ProcessEnv = process.env): AlpacaBroker {
  const timeoutMs = env.ALPACA_TIMEOUT_MS ? Number(env.ALPACA_TIMEOUT_MS) : undefined;
  const keyId = env.ALPACA_KEY_ID;
  const secret = env.ALPACA_SECRET_KEY;
  if (!env.ALPACA_SIM_URL && keyId && secret) {
    const feed = env.ALPACA_DATA_FEED === 'sip' ? 'sip' : 'iex';
    return createAlpacaBroker({ keyId, secret, timeoutMs, feed });
  }
  return createAlpacaBroker({
    keyId: keyId || 'SIMKEY', secret: secret || 'SIMSECRET', simulatorUrl: env.ALPACA_SIM_URL || DEFAULT_SIMULATOR_URL, timeoutMs,
  });
}

/** Which broker createBrokerFromEnv would pick, for logs (never includes secrets). */
export function describeBrokerEnv(env: NodeJS.ProcessEnv = process.env): string {
  if (!env.ALPACA_SIM_URL && env.ALPACA_KEY_ID && env.ALPACA_SECRET_KEY) return 'alpaca-paper';
  return `simulator ${env.ALPACA_SIM_URL || DEFAULT_SIMULATOR_URL}`;
}
