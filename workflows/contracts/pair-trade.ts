import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { OrderSnapshot } from '../../broker/order-snapshot';
import type { OrderSide } from '../../broker/types';
import type { ExitReason } from '../../strategy/exit-reason';
import type { ExitSignalType, TradeSide } from '../../strategy/signals';
import type { TradeStatus } from '../../strategy/trade-status';
import { BROKER_ACTIVITY, FILL_WAIT_ACTIVITY, TRADE_RECORD_ACTIVITY } from './activity-options';

/**
 * The pair-trade workflow's contract: its type name and ids, its input and state, its messages, the
 * activities it calls and their options. Imported by the workflow, the activities that implement it, the
 * cycle's routing, the API and the CLI. Bundle-safe: @temporalio/workflow definitions and types only.
 */
export { TASK_QUEUE } from './task-queue';
export { PAIR_ID, PAIR_NAME, TRADE_SIDE, TRADE_STATUS } from './search-attributes';
export type { ExitReason, OrderSnapshot, TradeSide, TradeStatus };

export const PAIR_TRADE_WORKFLOW = 'pairTradeWorkflow';

export function pairTradeWorkflowId(pairId: number, tradeId: number): string {
  return `pair-trade-${pairId}-${tradeId}`;
}

/** Inverse of pairTradeWorkflowId; null for any other id. */
export function parsePairTradeWorkflowId(workflowId: string): { pairId: number; tradeId: number } | null {
  const m = /^pair-trade-(\d+)-(\d+)$/.exec(workflowId);
  return m ? { pairId: Number(m[1]), tradeId: Number(m[2]) } : null;
}

export type OrderPhase = 'entry' | 'comp' | 'exit';

/**
 * Broker client order id of one leg order. Derived from the workflow identity only, so a retried
 * submission finds the first one instead of placing a second order. `round` > 0 is a further order for
 * what an earlier order of the same phase left unfilled.
 */
export function legClientOrderId(workflowId: string, phase: OrderPhase, leg: 1 | 2, round = 0): string {
  return `${workflowId}-${phase}-leg${leg}${round > 0 ? `-r${round}` : ''}`;
}

/** LONG_SPREAD buys symbol1 and sells symbol2 short; SHORT_SPREAD the reverse. */
export function entrySides(side: TradeSide): { leg1: OrderSide; leg2: OrderSide } {
  return side === 'LONG_SPREAD' ? { leg1: 'buy', leg2: 'sell' } : { leg1: 'sell', leg2: 'buy' };
}

export function oppositeSide(side: OrderSide): OrderSide {
  return side === 'buy' ? 'sell' : 'buy';
}

/** Durations of the trade's waits. Tests shorten them; production uses DEFAULT_TRADE_TIMING. */
export interface TradeTiming {
  /** How long one fill wait polls inside the activity before it reports the order as still working. */
  fillWaitMs: number;
  /** Fill waits per order before the workflow gives up on it (entry: compensate; flatten: poll patiently). */
  maxFillWaits: number;
  /** Pause between re-orders of an unfilled exit or compensation remainder. */
  flattenRetryPauseMs: number;
  /** Pauses between polls of a patient (flatten) order that is still working: doubling from min to max. */
  patientPauseMinMs: number;
  patientPauseMaxMs: number;
}

export const DEFAULT_TRADE_TIMING: TradeTiming = {
  fillWaitMs: 20_000,
  maxFillWaits: 3,
  flattenRetryPauseMs: 30_000,
  patientPauseMinMs: 10_000,
  patientPauseMaxMs: 600_000,
};

/** Rounds of re-ordering an unfilled exit or compensation remainder before the trade is marked NEEDS_ATTENTION. */
export const MAX_FLATTEN_ROUNDS = 5;
/** continueAsNew well before Temporal's 51,200-event cap even if the server never suggests it. */
export const MAX_HISTORY_EVENTS = 10_000;

export interface LegState {
  leg: 1 | 2;
  symbol: string;
  side: OrderSide;
  qty: number;
  filledQty: number;
  avgPrice: number | null;
  clientOrderId: string;
  status: string;
}

export interface TradeState {
  tradeId: number;
  pairId: number;
  pairName: string;
  side: TradeSide;
  status: TradeStatus;
  entryZ: number | null;
  entryLegs: LegState[];
  exitLegs: LegState[];
  openedAt: string | null;
  closedAt: string | null;
  exitReason: ExitReason | null;
  pnl: number | null;
  failureReason: string | null;
}

/** A close requested but not yet acted on (carried across continueAsNew). */
export interface PendingExit {
  reason: ExitReason;
  z: number | null;
  /** The cycle's stored signal that asked for the close, when a signal did. */
  signalId?: number | null;
}

export interface PairTradeInput {
  tradeId: number;
  pairId: number;
  symbol1: string;
  symbol2: string;
  side: TradeSide;
  entryZ: number | null;
  /** Overrides of DEFAULT_TRADE_TIMING (histories recorded before `timing` carry fillWaitMs / maxFillWaits). */
  timing?: Partial<TradeTiming>;
  fillWaitMs?: number;
  maxFillWaits?: number;
  /** History length that triggers continueAsNew while OPEN (default MAX_HISTORY_EVENTS). */
  historyCap?: number;
  /** Set by continueAsNew: the open trade's state and any close request already received. */
  resume?: { state: TradeState; pendingExit: PendingExit | null };
}

/** The workflow function's type, for typed client calls without importing the workflow. */
export type PairTradeWorkflow = (input: PairTradeInput) => Promise<TradeState>;

/** From the cycle: the pair's signal says close (EXIT, STOP_LOSS or EXPIRE). */
export interface ExitRequest {
  reason: ExitSignalType;
  z: number | null;
  signalId: number | null;
}
export const exitSignal = defineSignal<[ExitRequest]>('exit');

/**
 * Manual close through the API; answers once both legs are flat (the API waits at most 2 s for that, then answers
 * 202 with the trade's state). Accepted while OPEN, CLOSING or NEEDS_ATTENTION: on a trade that is already
 * closing it cuts the current backoff pause short.
 */
export interface CloseRequest {
  requestedBy: string;
}
export interface CloseResult {
  tradeId: number;
  pairName: string;
  status: TradeStatus;
  pnl: number | null;
}
export const closeUpdate = defineUpdate<CloseResult, [CloseRequest]>('close');

/** Close now at market, whatever the z-score; recorded even while no worker runs. */
export const emergencyStopSignal = defineSignal<[{ reason: string }]>('emergencyStop');

export const stateQuery = defineQuery<TradeState>('state');

// ---- Activities the workflow calls ----

export interface EntryPlanRequest {
  tradeId: number;
  pairId: number;
  side: TradeSide;
  symbol1: string;
  symbol2: string;
}

export type EntryPlan = { ok: true; qty1: number; qty2: number; price1: number; price2: number; reason: string } | { ok: false; reason: string };

export interface LegOrderRequest {
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  qty: number;
}

export interface TradeOpenRecord {
  tradeId: number;
  qty1: number;
  qty2: number;
  price1: number;
  price2: number;
  entryTime: string;
}

export interface TradeClosingRecord {
  tradeId: number;
  reason: string;
  /** The exit signal that asked for the close; it is linked to the trade. */
  signalId?: number | null;
}

/**
 * The open trade's legs as recorded in the database when it starts closing. They differ from the workflow's own
 * fills after a split rebased them (corporate actions, see activities/corporate-actions.ts); the exit closes these.
 */
export interface RecordedLegs {
  qty1: number;
  qty2: number;
  price1: number;
  price2: number;
}

export interface TradeClosedRecord {
  tradeId: number;
  price1: number;
  price2: number;
  exitTime: string;
  exitZ: number | null;
  reason: string;
}

/**
 * Names a leg order for a lookup. `symbol`, `side` and `qty` are what the workflow asked for: an order that had to
 * cross flat is two broker orders (broker/composite-order.ts) and the activity needs the full quantity to see it
 * whole. Histories recorded before issue 10 carry only the client order id.
 */
export interface OrderLookup {
  clientOrderId: string;
  symbol?: string;
  side?: OrderSide;
  qty?: number;
}

export interface TradeAttentionRecord {
  tradeId: number;
  /** What is still not flat and why, e.g. "ARQX 60 still long: rejected". */
  reason: string;
}

export interface PairTradeActivities {
  /** Shortability, tradability and half-Kelly sizing, before any order. */
  planEntry(input: EntryPlanRequest): Promise<EntryPlan>;
  /** Idempotent by client order id. */
  submitLegOrder(request: LegOrderRequest): Promise<OrderSnapshot>;
  /** Polls until the order is final or `waitMs` has passed; 'missing' when the broker has no such order. */
  awaitOrderFinal(input: OrderLookup & { waitMs: number }): Promise<OrderSnapshot>;
  cancelLegOrder(input: OrderLookup): Promise<OrderSnapshot>;
  recordTradeOpen(input: TradeOpenRecord): Promise<void>;
  /** Returns the recorded legs (older histories recorded no result). */
  recordTradeClosing(input: TradeClosingRecord): Promise<RecordedLegs | null | void>;
  recordTradeClosed(input: TradeClosedRecord): Promise<{ pnl: number; holdHours: number }>;
  recordTradeFailed(input: { tradeId: number; reason: string }): Promise<void>;
  /** The exit or compensation could not complete yet: NEEDS_ATTENTION with the reason (the workflow keeps trying). */
  recordTradeAttention(input: TradeAttentionRecord): Promise<void>;
}

export const PAIR_TRADE_ACTIVITY_OPTIONS = {
  orders: BROKER_ACTIVITY,
  fills: FILL_WAIT_ACTIVITY,
  entryChecks: BROKER_ACTIVITY,
  records: TRADE_RECORD_ACTIVITY,
} as const;
