import type { ActivityOptions } from '@temporalio/workflow';

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
