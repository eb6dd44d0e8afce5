/**
 * Everything one simulator instance holds: market, clock, faults, the exchange (replaced on reset), the snapshot
 * writer, and the timers that settle fills and re-save the clock.
 */
import { randomUUID } from 'node:crypto';
import { SimClock, toMs } from './clock';
import { clockInfo, type ClockInfo } from './clock-info';
import { Exchange, type ExchangeOptions } from './exchange';
import { FaultInjector, NO_FAULTS, mergeFaults, type FaultConfig } from './faults';
import type { Reply } from './http-util';
import { marketFor, type Market } from './market';
import { MarketEvents, newYorkMidnight, dayNumberOfIso, ratioOf } from './market-events';
import { PriceBook } from './price-book';
import type { SimulatorOptions } from './simulator-options';
import { loadSnapshot, SnapshotWriter, type SimulatorSnapshot } from './snapshot';
import type { TradingContext } from './trading-routes';

export class SimulatorState {
  readonly seed: number;
  readonly universeSize: number;
  readonly initialCash: number;
  readonly market: Market;
  readonly clock: SimClock;
  readonly initialFaults: FaultConfig;
  readonly faults: FaultInjector;
  readonly exchangeOptions: ExchangeOptions;
  exchange: Exchange;
  /** Splits, halts and delistings of this instance (the Market is shared by seed). */
  readonly events: MarketEvents;
  readonly book: PriceBook;
  /** Corporate actions taking effect up to this simulated time have been applied to positions. */
  private actionsAppliedThrough: number;
  readonly accountId: string;
  readonly createdAt: number;
  private readonly writer: SnapshotWriter | null;
  private readonly ticker: NodeJS.Timeout;
  private readonly clockSaver: NodeJS.Timeout;
  private readonly pendingTimers = new Set<NodeJS.Timeout>();

  constructor(options: SimulatorOptions) {
    const restored = options.stateFile ? loadSnapshot(options.stateFile) : null;
    this.seed = restored?.seed ?? options.seed ?? 42;
    this.universeSize = restored?.universeSize ?? options.universeSize ?? 40;
    this.initialCash = options.initialCash ?? 100_000;
    this.market = marketFor(this.seed, this.universeSize);
    this.clock = new SimClock(
      restored?.clock ?? {
        simMs: options.startTime !== undefined ? toMs(options.startTime) : Date.now(),
        speed: options.speed ?? 1,
        paused: options.paused ?? false,
      },
    );
    if (restored && options.speed !== undefined) this.clock.setSpeed(options.speed);
    this.initialFaults = mergeFaults(NO_FAULTS, options.faults ?? {});
    this.faults = new FaultInjector({ ...this.initialFaults }, this.seed);
    this.exchangeOptions = {
      slippageBps: options.slippageBps ?? 0,
      fillLatencyMs: options.fillLatencyMs ?? 5,
      rejectWashTrades: options.rejectWashTrades ?? true,
    };
    this.events = restored?.events ? new MarketEvents(restored.events) : MarketEvents.seeded();
    this.book = new PriceBook(this.market, this.events);
    this.actionsAppliedThrough = restored?.actionsAppliedThrough ?? this.clock.now();
    this.exchange = new Exchange(
      this.book,
      this.faults,
      this.exchangeOptions,
      restored?.exchange ?? { cash: this.initialCash, orders: [], positions: [] },
    );
    this.accountId = restored?.accountId ?? randomUUID();
    this.createdAt = restored?.createdAt ?? this.clock.now();
    this.writer = options.stateFile ? new SnapshotWriter(options.stateFile, () => this.snapshot()) : null;

    this.ticker = setInterval(this.settle, Math.max(1, Math.min(this.exchangeOptions.fillLatencyMs, 10)));
    this.ticker.unref();
    // The clock moves without requests; re-save it now and then so a crash does not rewind it far.
    this.clockSaver = setInterval(this.changed, 1_000);
    this.clockSaver.unref();
  }

  snapshot(): SimulatorSnapshot {
    return {
      version: 1,
      seed: this.seed,
      universeSize: this.universeSize,
      accountId: this.accountId,
      createdAt: this.createdAt,
      clock: this.clock.snapshot(),
      exchange: this.exchange.snapshot(),
      events: this.events.snapshot(),
      actionsAppliedThrough: this.actionsAppliedThrough,
    };
  }

  /** Schedules a snapshot write (no-op without a state file). */
  readonly changed = (): void => this.writer?.schedule();

  /** Applies due fills and cancellations. */
  readonly settle = (): void => {
    const now = this.clock.now();
    if (now > this.actionsAppliedThrough) this.applyCorporateActions(now);
    if (this.exchange.hasOpenOrders() && this.exchange.settle(now)) this.changed();
  };

  /** Rescales positions for the splits whose ex-date began (00:00 New York) since the last look. */
  private applyCorporateActions(now: number): void {
    const due = this.events.effectiveBetween(this.actionsAppliedThrough, now);
    this.actionsAppliedThrough = now;
    for (const action of due) {
      const model = this.market.get(action.symbol);
      if (!model) continue;
      const at = newYorkMidnight(dayNumberOfIso(action.exDate));
      this.exchange.applySplit(action.symbol, ratioOf(action), this.book.priceAt(model, at));
    }
    if (due.length > 0) this.changed();
  }

  /** After a reset or an explicit clock jump: actions before `ms` are history, not to be applied. */
  markActionsAppliedThrough(ms: number): void {
    this.actionsAppliedThrough = ms;
  }

  clockInfo(): ClockInfo {
    return clockInfo(this.clock, this.market);
  }

  tradingContext(): TradingContext {
    return {
      market: this.market,
      events: this.events,
      exchange: this.exchange,
      now: this.clock.now(),
      accountId: this.accountId,
      createdAt: this.createdAt,
    };
  }

  /** Runs a state-changing request, then saves and settles once its fill latency has passed. */
  async mutate(action: () => Reply | Promise<Reply>): Promise<Reply> {
    try {
      return await action();
    } finally {
      this.changed();
      this.later(this.exchangeOptions.fillLatencyMs + 1, this.settle);
    }
  }

  /** A timeout that stop() cancels. */
  later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.pendingTimers.delete(timer);
      fn();
    }, ms);
    this.pendingTimers.add(timer);
  }

  flush(): void {
    this.writer?.flush();
  }

  /** Stops the timers and writes the snapshot a last time. */
  stop(): void {
    clearInterval(this.ticker);
    clearInterval(this.clockSaver);
    for (const timer of this.pendingTimers) clearTimeout(timer);
    this.pendingTimers.clear();
    this.writer?.flush();
    this.writer?.close();
  }
}
