import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Names and presets shared by the workflows, the worker, the schedule and the API client helpers.
 * Bundle-safe: types only, no Node modules, no @temporalio/client.
 */
export const TASK_QUEUE = 'pairs';

export const PAIRS_CYCLE_WORKFLOW = 'pairsCycleWorkflow';
export const PAIR_TRADE_WORKFLOW = 'pairTradeWorkflow';
export const EMERGENCY_STOP_WORKFLOW = 'emergencyStopWorkflow';

/** Schedule-started cycles get the firing time appended by Temporal: `pairs-cycle-2026-03-28T14:00:00Z`. */
export const CYCLE_WORKFLOW_ID_PREFIX = 'pairs-cycle';

export function pairTradeWorkflowId(pairId: number, tradeId: number): string {
  return `pair-trade-${pairId}-${tradeId}`;
}

/** Inverse of pairTradeWorkflowId; null for any other id. */
export function parsePairTradeWorkflowId(workflowId: string): { pairId: number; tradeId: number } | null {
  const m = /^pair-trade-(\d+)-(\d+)$/.exec(workflowId);
  return m ? { pairId: Number(m[1]), tradeId: Number(m[2]) } : null;
}

export type OrderPhase = 'entry' | 'comp' | 'exit';
export type LegSide = 'buy' | 'sell';

/** LONG_SPREAD buys symbol1 and sells symbol2 short; SHORT_SPREAD the reverse. */
export function entrySides(side: 'LONG_SPREAD' | 'SHORT_SPREAD'): { leg1: LegSide; leg2: LegSide } {
  return side === 'LONG_SPREAD' ? { leg1: 'buy', leg2: 'sell' } : { leg1: 'sell', leg2: 'buy' };
}

export function oppositeSide(side: LegSide): LegSide {
  return side === 'buy' ? 'sell' : 'buy';
}

/**
 * Broker client order id of one leg order. Derived from the workflow identity only, so a retried
 * submission finds the first one instead of placing a second order. `round` > 0 is a further order for
 * what an earlier order of the same phase left unfilled.
 */
export function legClientOrderId(workflowId: string, phase: OrderPhase, leg: 1 | 2, round = 0): string {
  return `${workflowId}-${phase}-leg${leg}${round > 0 ? `-r${round}` : ''}`;
}

/** Order statuses after which an order fills no further ('missing': the broker has no such order). */
const FINAL_ORDER_STATUSES = ['filled', 'canceled', 'expired', 'rejected', 'done_for_day', 'stopped', 'suspended', 'replaced', 'missing'];

export function isFinalOrderStatus(status: string): boolean {
  return FINAL_ORDER_STATUSES.includes(status);
}

export function manualCycleWorkflowId(nowMs: number): string {
  return `${CYCLE_WORKFLOW_ID_PREFIX}-manual-${new Date(nowMs).toISOString()}`;
}

/** Error types our activities throw that must never be retried by Temporal. */
export const NON_RETRYABLE_TYPES = ['BrokerRejected', 'ConfigError', 'TradeNotFound', 'InvalidInput'];

const retry = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  nonRetryableErrorTypes: NON_RETRYABLE_TYPES,
} as const;

/** Single database statements or small transactions; lost connections retry with backoff. */
export const DB_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { ...retry, maximumAttempts: 20 },
};

/** The cycle's batched steps (all pairs at once): more work per call, still retried as a whole. */
export const CYCLE_STEP_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { ...retry, maximumAttempts: 10 },
};

/** One broker request (5xx, timeouts and 429 retry; rejections do not). */
export const BROKER_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { ...retry, maximumAttempts: 10 },
};

/**
 * A trade's own records once orders exist: retried until the database answers (permanent errors are
 * non-retryable failures anyway), because failing the workflow here would leave positions untracked.
 */
export const TRADE_RECORD_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { ...retry, maximumInterval: '1 minute', maximumAttempts: Number.POSITIVE_INFINITY },
};

/**
 * Polls (or cancels) an order until it is final or the wait ends; heartbeats so a dead worker is noticed
 * quickly. Retried through broker outages without limit: the order exists and its outcome must be learnt.
 */
export const FILL_WAIT_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '15 seconds',
  retry: { ...retry, maximumInterval: '1 minute', maximumAttempts: Number.POSITIVE_INFINITY },
};

/** How long one fill wait polls inside the activity before it reports the order as still working. */
export const FILL_WAIT_MS = 20_000;
/** Fill waits per order before the workflow gives up on it (entry: compensate; exit: re-order the rest). */
export const MAX_FILL_WAITS = 3;
/** Rounds of re-ordering an unfilled exit or compensation remainder before the trade needs a human. */
export const MAX_FLATTEN_ROUNDS = 5;
