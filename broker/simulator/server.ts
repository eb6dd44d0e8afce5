/**
 * The Alpaca-compatible simulator: one node:http server answering both the trading and the market-data paths
 * (they never overlap), plus control endpoints under /__sim/* that faults never touch.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { SimClock } from './clock';
import { Exchange, SimHttpError } from './exchange';
import { FaultInjector, NO_FAULTS, mergeFaults, type FaultConfig } from './faults';
import { errorReply, parseJsonObject, readBody, sendReply, type Reply } from './http-util';
import { marketFor, type Market } from './market';
import { multiBars, singleBars } from './bars-route';
import * as trading from './trading-routes';
import { formatNewYork } from './nyse-calendar';
import { loadSnapshot, SnapshotWriter, type SimulatorSnapshot } from './snapshot';
import { HOUR_MS, MINUTE_MS } from '../../strategy/time-units';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  seed?: number;
  /** Simulated seconds per real second (default 1). */
  speed?: number;
  /** Snapshot file: loaded at start when it exists, rewritten after each change. */
  stateFile?: string;
  faults?: Partial<FaultConfig>;
  slippageBps?: number;
  /** Simulated start time (default: real now). Ignored when a state file restores the clock. */
  startTime?: Date | string | number;
  initialCash?: number;
  /** Symbols in the universe (default 40; extra ones are independent random walks named X???). */
  universeSize?: number;
  /** Real milliseconds between acceptance and fill (default 5). */
  fillLatencyMs?: number;
  rejectWashTrades?: boolean;
  /** Start with the clock paused. */
  paused?: boolean;
  /** When set, only these credentials are accepted; otherwise any non-empty key pair is. */
  keyId?: string;
  secret?: string;
}

export interface ClockInfo {
  now: string;
  nowMs: number;
  newYork: string;
  isOpen: boolean;
  nextOpen: string;
  nextClose: string;
  speed: number;
  paused: boolean;
}

export interface SimulatorControl {
  market: Market;
  clock(): ClockInfo;
  /** Moves the clock: set speed, pause/resume, advance by hours or milliseconds, or jump to a time. */
  updateClock(change: { speed?: number; paused?: boolean; advanceHours?: number; advanceMs?: number; set?: string | number }): ClockInfo;
  faults(): FaultConfig;
  setFaults(update: Partial<FaultConfig>): FaultConfig;
  /** Every order ever recorded (rejected included), oldest first, in Alpaca's JSON shape. */
  orders(): Array<Record<string, unknown>>;
  /** Applies due fills and cancellations now. */
  settle(): void;
  reset(options?: { cash?: number; startTime?: string | number }): void;
  /** Writes the snapshot file now. */
  flush(): void;
}

export interface SimulatorHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
  control: SimulatorControl;
}

function toMs(value: Date | string | number): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new Error(`invalid time: ${String(value)}`);
  return ms;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const restored = options.stateFile ? loadSnapshot(options.stateFile) : null;
  const seed = restored?.seed ?? options.seed ?? 42;
  const universeSize = restored?.universeSize ?? options.universeSize ?? 40;
  const initialCash = options.initialCash ?? 100_000;
  const market = marketFor(seed, universeSize);
  const clock = new SimClock(restored?.clock ?? {
    simMs: options.startTime !== undefined ? toMs(options.startTime) : Date.now(),
    speed: options.speed ?? 1,
    paused: options.paused ?? false,
  });
  if (restored && options.speed !== undefined) clock.setSpeed(options.speed);
  const initialFaults = mergeFaults(NO_FAULTS, options.faults ?? {});
  const faults = new FaultInjector({ ...initialFaults }, seed);
  const exchangeOptions = { slippageBps: options.slippageBps ?? 0, fillLatencyMs: options.fillLatencyMs ?? 5, rejectWashTrades: options.rejectWashTrades ?? false };
  let exchange = new Exchange(market, faults, exchangeOptions, restored?.exchange ?? { cash: initialCash, orders: [], positions: [] });
  const accountId = restored?.accountId ?? randomUUID();
  const createdAt = restored?.createdAt ?? clock.now();

  const snapshot = (): SimulatorSnapshot => ({
    version: 1, seed, universeSize, accountId, createdAt, clock: clock.snapshot(), exchange: exchange.snapshot(),
  });
  const writer = options.stateFile ? new SnapshotWriter(options.stateFile, snapshot) : null;
  const changed = (): void => writer?.schedule();

  const settle = (): void => {
    if (exchange.hasOpenOrders() && exchange.settle(clock.now())) changed();
  };
  const ticker = setInterval(settle, Math.max(1, Math.min(exchangeOptions.fillLatencyMs, 10)));
  ticker.unref();
  // The clock moves without requests; re-save it now and then so a crash does not rewind it far.
  const clockSaver = setInterval(changed, 1_000);
  clockSaver.unref();

  const rateWindows = new Map<string, { start: number; count: number }>();
  const pendingTimers = new Set<NodeJS.Timeout>();

  const clockInfo = (): ClockInfo => {
    const now = clock.now();
    const c = market.calendar.clock(now);
    return {
      now: new Date(now).toISOString(), nowMs: now, newYork: formatNewYork(now), isOpen: c.isOpen,
      nextOpen: new Date(c.nextOpen).toISOString(), nextClose: new Date(c.nextClose).toISOString(), speed: clock.speed, paused: clock.paused,
    };
  };

  const control: SimulatorControl = {
    market,
    clock: clockInfo,
    updateClock(change) {
      if (change.speed !== undefined) {
        if (typeof change.speed !== 'number' || !(change.speed >= 0)) throw new SimHttpError(400, 40010000, 'speed must be a number >= 0');
        clock.setSpeed(change.speed);
      }
      if (change.set !== undefined) clock.set(toMs(change.set));
      const advance = (change.advanceHours ?? 0) * HOUR_MS + (change.advanceMs ?? 0);
      if (!Number.isFinite(advance) || advance < 0) throw new SimHttpError(400, 40010000, 'advance must be >= 0 (time never goes back)');
      if (advance > 0) clock.advance(advance);
      if (change.paused !== undefined) clock.setPaused(Boolean(change.paused));
      exchange.settle(clock.now());
      changed();
      return clockInfo();
    },
    faults: () => faults.config,
    setFaults(update) {
      faults.config = mergeFaults(faults.config, update);
      return faults.config;
    },
    orders: () => exchange.log.map((o) => exchange.orderJson(o)),
    settle,
    reset(resetOptions = {}) {
      exchange = new Exchange(market, faults, exchangeOptions, { cash: resetOptions.cash ?? initialCash, orders: [], positions: [] });
      faults.config = { ...initialFaults };
      if (resetOptions.startTime !== undefined) clock.set(toMs(resetOptions.startTime));
      changed();
    },
    flush: () => writer?.flush(),
  };

  function authorized(req: IncomingMessage): string | null {
    const key = req.headers['apca-api-key-id'];
    const secret = req.headers['apca-api-secret-key'];
    const bearer = req.headers.authorization;
    if (typeof key === 'string' && key && typeof secret === 'string' && secret) {
      if (options.keyId !== undefined && (key !== options.keyId || secret !== options.secret)) return null;
      return key;
    }
    if (typeof bearer === 'string' && /^Bearer \S+$/.test(bearer) && options.keyId === undefined) return bearer;
    return null;
  }

  function rateLimited(key: string): Reply | null {
    const limit = faults.config.rateLimitPerMinute;
    if (!limit) return null;
    const now = Date.now();
    let window = rateWindows.get(key);
    if (!window || now - window.start >= MINUTE_MS) {
      window = { start: now, count: 0 };
      rateWindows.set(key, window);
    }
    window.count++;
    const reset = Math.ceil((window.start + MINUTE_MS) / 1000);
    if (window.count <= limit) return null;
    return errorReply(429, 42910000, 'rate limit exceeded', {}, {
      'Retry-After': String(Math.max(1, reset - Math.floor(now / 1000))),
      'X-RateLimit-Limit': String(limit), 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(reset),
    });
  }

  async function alpacaRoute(method: string, path: string, query: URLSearchParams, req: IncomingMessage): Promise<Reply> {
    settle();
    const ctx: trading.TradingContext = { market, exchange, now: clock.now(), accountId, createdAt };
    const parts = path.split('/').slice(1).map(decodeURIComponent);
    const is = (m: string): boolean => method === m;
    if (parts[0] === 'v2' && parts[1] === 'stocks') {
      if (parts.length === 3 && parts[2] === 'bars' && is('GET')) return multiBars(market, query, ctx.now);
      if (parts.length === 4 && parts[3] === 'bars' && is('GET')) return singleBars(market, parts[2], query, ctx.now);
    }
    if (path === '/v2/account' && is('GET')) return trading.account(ctx);
    if (path === '/v2/clock' && is('GET')) return trading.clock(ctx);
    if (path === '/v2/calendar' && is('GET')) return trading.calendar(ctx, query);
    if (path === '/v2/assets' && is('GET')) return trading.assets(ctx);
    if (parts[1] === 'assets' && parts.length === 3 && is('GET')) return trading.asset(ctx, parts[2]);
    if (path === '/v2/orders:by_client_order_id' && is('GET')) return trading.orderByClientId(ctx, query);
    if (path === '/v2/orders') {
      if (is('GET')) return trading.listOrders(ctx, query);
      if (is('POST')) return mutate(() => readBody(req).then((text) => trading.postOrder(ctx, text)));
      if (is('DELETE')) return mutate(() => trading.cancelAllOrders(ctx));
    }
    if (parts[1] === 'orders' && parts.length === 3) {
      if (is('GET')) return trading.orderById(ctx, parts[2]);
      if (is('DELETE')) return mutate(() => trading.cancelOrder(ctx, parts[2]));
    }
    if (path === '/v2/positions') {
      if (is('GET')) return trading.positions(ctx);
      if (is('DELETE')) return mutate(() => trading.closeAllPositions(ctx, query));
    }
    if (parts[1] === 'positions' && parts.length === 3) {
      if (is('GET')) return trading.position(ctx, parts[2]);
      if (is('DELETE')) return mutate(() => trading.closePosition(ctx, parts[2], query));
    }
    return errorReply(404, 40410000, 'endpoint not found');
  }

  async function mutate(action: () => Reply | Promise<Reply>): Promise<Reply> {
    try {
      return await action();
    } finally {
      changed();
      const due = setTimeout(() => { pendingTimers.delete(due); settle(); }, exchangeOptions.fillLatencyMs + 1);
      pendingTimers.add(due);
    }
  }

  async function controlRoute(method: string, path: string, req: IncomingMessage): Promise<Reply> {
    const body = method === 'POST' ? await readBody(req).then((t) => (t.trim() ? parseJsonObject(t) : {})) : {};
    const guard = <T>(fn: () => T): T => {
      try {
        return fn();
      } catch (err) {
        if (err instanceof SimHttpError) throw err;
        throw new SimHttpError(400, 40010000, err instanceof Error ? err.message : String(err));
      }
    };
    if (path === '/__sim/faults') {
      if (method === 'GET') return { status: 200, body: faults.config };
      if (method === 'POST') return { status: 200, body: guard(() => control.setFaults(body as Partial<FaultConfig>)) };
    }
    if (path === '/__sim/clock') {
      if (method === 'GET') { settle(); return { status: 200, body: clockInfo() }; }
      if (method === 'POST') return { status: 200, body: guard(() => control.updateClock(body)) };
    }
    if (path === '/__sim/orders' && method === 'GET') { settle(); return { status: 200, body: control.orders() }; }
    if (path === '/__sim/reset' && method === 'POST') {
      guard(() => control.reset(body as { cash?: number; startTime?: string }));
      return { status: 200, body: { ok: true, clock: clockInfo() } };
    }
    if (path === '/__sim/universe' && method === 'GET') {
      return {
        status: 200,
        body: market.symbols.map((m) => ({
          symbol: m.symbol, cluster: m.cluster, beta: m.beta, halfLifeBars: m.halfLifeBars, shortable: m.shortable, easyToBorrow: m.easyToBorrow,
        })),
      };
    }
    return errorReply(404, 40410000, 'endpoint not found');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://sim.local');
    } catch {
      sendReply(res, errorReply(400, 40010000, 'malformed request URL'));
      return;
    }
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    if (path.startsWith('/__sim/')) {
      sendReply(res, await controlRoute(method, path, req));
      return;
    }
    const key = authorized(req);
    if (key === null) { sendReply(res, errorReply(401, 40110000, 'request is not authorized')); return; }
    const limited = rateLimited(key);
    if (limited) { sendReply(res, limited); return; }
    const fault = faults.pick(method, path);
    if (fault === '429') {
      const seconds = faults.config.retryAfterSeconds;
      sendReply(res, errorReply(429, 42910000, 'rate limit exceeded', {}, { 'Retry-After': String(seconds) }));
      return;
    }
    if (fault === '5xx') { sendReply(res, errorReply(500, 50010000, 'internal server error (simulated)')); return; }
    const reply = await alpacaRoute(method, path, url.searchParams, req).catch((err: unknown) => {
      if (err instanceof SimHttpError) return errorReply(err.status, err.code, err.message, err.extra);
      if (err instanceof URIError) return errorReply(400, 40010000, 'malformed request path');
      throw err;
    });
    if (fault === 'commit-then-5xx') { sendReply(res, errorReply(500, 50010000, 'internal server error (simulated)')); return; }
    if (fault === 'drop') { res.socket?.destroy(); return; }
    if (fault === 'slow') {
      const timer = setTimeout(() => { pendingTimers.delete(timer); sendReply(res, reply); }, faults.config.slowMs);
      pendingTimers.add(timer);
      return;
    }
    sendReply(res, reply);
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof SimHttpError) { sendReply(res, errorReply(err.status, err.code, err.message, err.extra)); return; }
      process.stderr.write(`simulator: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
      sendReply(res, errorReply(500, 50010000, 'internal server error'));
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  writer?.flush();

  let stopped = false;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    control,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(ticker);
      clearInterval(clockSaver);
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      writer?.flush();
      writer?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
