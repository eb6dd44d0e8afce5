/**
 * A pair trade's lifecycle: PENDING → OPEN → CLOSING → CLOSED, or PENDING → FAILED. An exit (or a compensation)
 * that cannot complete yet moves the trade to NEEDS_ATTENTION: still live, still retrying with backoff until flat,
 * then CLOSED (or FAILED for a compensation).
 */
export type TradeStatus = 'PENDING' | 'OPEN' | 'CLOSING' | 'NEEDS_ATTENTION' | 'CLOSED' | 'FAILED';

/** Statuses in which a trade may hold (or be acquiring, or shedding) positions; one per pair at a time. */
export const LIVE_TRADE_STATUSES: readonly TradeStatus[] = ['PENDING', 'OPEN', 'CLOSING', 'NEEDS_ATTENTION'];
