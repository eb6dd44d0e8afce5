/**
 * An in-memory broker and trade recorder implementing the pair-trade workflow's activities, for workflow
 * unit tests without PostgreSQL, simulator or broker. Orders are kept by client order id; each new order
 * gets the outcome of the first scripted rule its id matches (default: filled at once). Every activity call
 * is logged, so tests assert on what the workflow did: orders placed, fills awaited, records written.
 */
import { cancelled, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { missingOrder, type OrderSnapshot } from '../../broker/order-snapshot';
import { isFinalOrderStatus } from '../../broker/order-status';
import type {
  EntryPlan,
  LegOrderRequest,
  OrderPhase,
  PairTradeActivities,
  TradeState,
  TradeStatus,
  TradeTiming,
} from '../../workflows/contracts/pair-trade';

/** Every wait of a trade shortened to milliseconds. */
export const FAST_TIMING: TradeTiming = {
  fillWaitMs: 1,
  maxFillWaits: 2,
  flattenRetryPauseMs: 1,
  patientPauseMinMs: 1,
  patientPauseMaxMs: 4,
};

/** What happens to a newly submitted order. */
export type OrderOutcome =
  /** Filled completely at submission. */
  | { kind: 'fill'; price?: number }
  /** Refused by the broker: submitLegOrder throws a non-retryable 'BrokerRejected' failure; no order exists. */
  | { kind: 'reject'; message: string }
  /**
   * Accepted but working ('new', or 'partially_filled' with `filledQty`), until the `fillAfterPolls`-th
   * awaitOrderFinal fills it completely; never when `fillAfterPolls` is absent.
   */
  | {
      kind: 'working';
      filledQty?: number;
      fillAfterPolls?: number;
      price?: number;
      /** A cancel answers 'pending_cancel'; the next poll shows this much filled in all, and the order final. */
      filledWhileCancelling?: number;
    };

export const fill = (price?: number): OrderOutcome => ({ kind: 'fill', price });
export const reject = (message = 'insufficient qty available for order'): OrderOutcome => ({ kind: 'reject', message });
export const stayNew = (): OrderOutcome => ({ kind: 'working' });
export const partialFill = (filledQty: number): OrderOutcome => ({ kind: 'working', filledQty });
export const fillAfterPolls = (polls: number, price?: number): OrderOutcome => ({ kind: 'working', fillAfterPolls: polls, price });
export const fillsWhileCancelling = (filledQty: number, finalQty: number): OrderOutcome => ({
  kind: 'working',
  filledQty,
  filledWhileCancelling: finalQty,
});

/** An order's client id ends with `-<phase>-leg<leg>`, plus `-r<round>` for later rounds. */
export function orderId(phase: OrderPhase, leg: 1 | 2, rounds: 'first' | 'every' = 'first'): RegExp {
  return new RegExp(`-${phase}-leg${leg}${rounds === 'every' ? '(-r\\d+)?' : ''}$`);
}

interface FakeOrder {
  request: LegOrderRequest;
  outcome: OrderOutcome;
  status: OrderSnapshot['status'];
  filledQty: number;
  avgPrice: number | null;
  filledAt: string | null;
  polls: number;
}

type ActivityName = keyof PairTradeActivities;
type InputOf<N extends ActivityName> = Parameters<PairTradeActivities[N]>[0];

/** Holds awaitOrderFinal of matching orders until released; `reached` resolves when the first one waits. */
export interface Gate {
  reached: Promise<void>;
  release(): void;
}

export interface FakeTradeOptions {
  /** planEntry's answer (default: 10 × symbol1 at 100, 20 × symbol2 at 50). */
  plan?: EntryPlan;
  /** Fill price by symbol when the outcome names none. */
  prices?: Record<string, number>;
  /** recordTradeClosed's P&L. */
  pnl?: number;
}

export const DEFAULT_PLAN: EntryPlan = { ok: true, qty1: 10, qty2: 20, price1: 100, price2: 50, reason: 'fixed test sizing' };

export class FakeTradeActivities {
  readonly calls: Array<{ name: ActivityName; input: unknown }> = [];
  private readonly rules: Array<{ match: RegExp; outcome: OrderOutcome }> = [];
  private readonly orders = new Map<string, FakeOrder>();
  private readonly statuses = new Map<number, TradeStatus>();
  private readonly gates: Array<{ match: RegExp; opened: Promise<void>; onReach: () => void }> = [];
  private fillSeq = 0;

  constructor(private readonly options: FakeTradeOptions = {}) {}

  /** New orders whose client id matches get `outcome` (first matching rule wins; default: filled at once). */
  script(match: RegExp, outcome: OrderOutcome): this {
    this.rules.push({ match, outcome });
    return this;
  }

  /** Forgets the rules for client ids matching `match` (a fault lifted): later new orders fill as by default. */
  unscript(match: RegExp): this {
    for (let i = this.rules.length - 1; i >= 0; i--) if (this.rules[i].match.source === match.source) this.rules.splice(i, 1);
    return this;
  }

  /** Holds every awaitOrderFinal of matching orders (e.g. to keep a trade PENDING) until the gate is released. */
  hold(match: RegExp): Gate {
    let onReach!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((r) => {
      onReach = r;
    });
    const opened = new Promise<void>((r) => {
      release = r;
    });
    this.gates.push({ match, opened, onReach });
    return { reached, release };
  }

  /** Inputs of every call of one activity, in call order. */
  callsOf<N extends ActivityName>(name: N): Array<InputOf<N>> {
    return this.calls.filter((c) => c.name === name).map((c) => c.input as InputOf<N>);
  }

  /** Orders the broker accepted (one per client id), sorted by client id, optionally of one phase. */
  placed(phase?: OrderPhase): LegOrderRequest[] {
    return [...this.orders.values()]
      .map((o) => o.request)
      .filter((r) => phase === undefined || r.clientOrderId.includes(`-${phase}-leg`))
      .sort((a, b) => (a.clientOrderId < b.clientOrderId ? -1 : a.clientOrderId > b.clientOrderId ? 1 : 0));
  }

  /** Client ids of every submission attempt, rejected ones included, sorted. */
  submittedIds(phase?: OrderPhase): string[] {
    return this.callsOf('submitLegOrder')
      .map((r) => r.clientOrderId)
      .filter((id) => phase === undefined || id.includes(`-${phase}-leg`))
      .sort();
  }

  /** The trade's status as the records written so far say (undefined before any). */
  tradeStatus(tradeId: number): TradeStatus | undefined {
    return this.statuses.get(tradeId);
  }

  /** The activity implementations to give the Worker. */
  activities(): PairTradeActivities {
    return {
      planEntry: async (input) => {
        this.log('planEntry', input);
        return this.options.plan ?? DEFAULT_PLAN;
      },
      submitLegOrder: async (request) => {
        this.log('submitLegOrder', request);
        const existing = this.orders.get(request.clientOrderId);
        if (existing) return this.snapshot(existing);
        const outcome = this.rules.find((r) => r.match.test(request.clientOrderId))?.outcome ?? fill();
        if (outcome.kind === 'reject') {
          throw ApplicationFailure.create({ message: outcome.message, type: 'BrokerRejected', nonRetryable: true });
        }
        const order: FakeOrder = { request, outcome, status: 'new', filledQty: 0, avgPrice: null, filledAt: null, polls: 0 };
        this.orders.set(request.clientOrderId, order);
        if (outcome.kind === 'fill') this.fillOrder(order, request.qty);
        else if (outcome.filledQty) this.fillOrder(order, outcome.filledQty);
        return this.snapshot(order);
      },
      awaitOrderFinal: async (input) => {
        this.log('awaitOrderFinal', input);
        for (const g of this.gates) {
          if (g.match.test(input.clientOrderId)) {
            g.onReach();
            // A worker shutting down (after a failed test) cancels the held poll instead of waiting forever.
            // Heartbeats keep a long hold within the activity's heartbeat timeout on a slow machine.
            const beat = setInterval(() => heartbeat('held'), 1000);
            try {
              await Promise.race([g.opened, cancelled()]);
            } finally {
              clearInterval(beat);
            }
          }
        }
        const order = this.orders.get(input.clientOrderId);
        if (!order) return missingOrder(input.clientOrderId);
        order.polls++;
        if (order.status === 'pending_cancel' && order.outcome.kind === 'working' && order.outcome.filledWhileCancelling !== undefined) {
          this.fillOrder(order, order.outcome.filledWhileCancelling);
          if ((order.status as OrderSnapshot['status']) !== 'filled') order.status = 'canceled';
          return this.snapshot(order);
        }
        if (
          order.outcome.kind === 'working' &&
          order.outcome.fillAfterPolls !== undefined &&
          order.polls >= order.outcome.fillAfterPolls &&
          !isFinalOrderStatus(order.status)
        ) {
          this.fillOrder(order, order.request.qty);
        }
        return this.snapshot(order);
      },
      cancelLegOrder: async (input) => {
        this.log('cancelLegOrder', input);
        const order = this.orders.get(input.clientOrderId);
        if (!order) return missingOrder(input.clientOrderId);
        if (isFinalOrderStatus(order.status)) return this.snapshot(order);
        order.status = order.outcome.kind === 'working' && order.outcome.filledWhileCancelling !== undefined ? 'pending_cancel' : 'canceled';
        return this.snapshot(order);
      },
      recordTradeOpen: async (input) => {
        this.log('recordTradeOpen', input);
        this.statuses.set(input.tradeId, 'OPEN');
      },
      recordTradeClosing: async (input) => {
        this.log('recordTradeClosing', input);
        this.statuses.set(input.tradeId, 'CLOSING');
      },
      recordTradeClosed: async (input) => {
        this.log('recordTradeClosed', input);
        this.statuses.set(input.tradeId, 'CLOSED');
        return { pnl: this.options.pnl ?? 12.5, holdHours: 1 };
      },
      recordTradeFailed: async (input) => {
        this.log('recordTradeFailed', input);
        this.statuses.set(input.tradeId, 'FAILED');
      },
      recordTradeAttention: async (input) => {
        this.log('recordTradeAttention', input);
        this.statuses.set(input.tradeId, 'NEEDS_ATTENTION');
      },
    };
  }

  private log(name: ActivityName, input: unknown): void {
    this.calls.push({ name, input });
  }

  private fillOrder(order: FakeOrder, filledQty: number): void {
    const scripted = order.outcome.kind === 'reject' ? undefined : order.outcome.price;
    order.filledQty = filledQty;
    order.avgPrice = scripted ?? this.options.prices?.[order.request.symbol] ?? 100;
    order.status = filledQty >= order.request.qty ? 'filled' : 'partially_filled';
    // A fixed, increasing clock: fill times are plain data in the workflow's history.
    order.filledAt = new Date(Date.UTC(2026, 0, 5, 15, 0, ++this.fillSeq)).toISOString();
  }

  private snapshot(order: FakeOrder): OrderSnapshot {
    const r = order.request;
    return {
      clientOrderId: r.clientOrderId,
      symbol: r.symbol,
      side: r.side,
      qty: r.qty,
      filledQty: order.filledQty,
      avgPrice: order.avgPrice,
      status: order.status,
      filledAt: order.filledAt,
    };
  }
}

/** The state of an OPEN trade as a continued run receives it (both legs filled). */
export function openTradeState(tradeId: number, pairId: number, workflowId: string): TradeState {
  return {
    tradeId,
    pairId,
    pairName: 'AAA/BBB',
    side: 'LONG_SPREAD',
    status: 'OPEN',
    entryZ: -2.2,
    entryLegs: [
      { leg: 1, symbol: 'AAA', side: 'buy', qty: 10, filledQty: 10, avgPrice: 100, clientOrderId: `${workflowId}-entry-leg1`, status: 'filled' },
      { leg: 2, symbol: 'BBB', side: 'sell', qty: 20, filledQty: 20, avgPrice: 50, clientOrderId: `${workflowId}-entry-leg2`, status: 'filled' },
    ],
    exitLegs: [],
    openedAt: '2026-01-05T15:00:02.000Z',
    closedAt: null,
    exitReason: null,
    pnl: null,
    failureReason: null,
  };
}
