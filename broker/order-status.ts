import type { OrderStatus } from './types';

/**
 * Alpaca's order lifecycle ("Orders at Alpaca", order lifecycle): after one of these an order never changes
 * again. `done_for_day`, `stopped`, `suspended` and the pending states can still fill, so they are not final.
 */
export const TERMINAL_ORDER_STATUSES: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['filled', 'canceled', 'expired', 'replaced', 'rejected']);

/** True for a terminal broker status, and for 'missing' (the broker has no such order, so nothing can fill). */
export function isFinalOrderStatus(status: OrderStatus | 'missing'): boolean {
  return status === 'missing' || TERMINAL_ORDER_STATUSES.has(status);
}
