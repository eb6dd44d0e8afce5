/** A pair trade's lifecycle: PENDING → OPEN → CLOSING → CLOSED, or PENDING → FAILED. */
export type TradeStatus = 'PENDING' | 'OPEN' | 'CLOSING' | 'CLOSED' | 'FAILED';

/** Statuses in which a trade may hold (or be acquiring, or shedding) positions; one per pair at a time. */
export const LIVE_TRADE_STATUSES: readonly TradeStatus[] = ['PENDING', 'OPEN', 'CLOSING'];

export function isLiveTradeStatus(status: TradeStatus): boolean {
  return LIVE_TRADE_STATUSES.includes(status);
}
