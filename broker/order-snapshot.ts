import type { BrokerOrder, OrderSide, OrderStatus } from './types';

/** A broker order as it travels through workflow history: plain JSON, no Dates. */
export interface OrderSnapshot {
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  filledQty: number;
  avgPrice: number | null;
  /** A broker status, or 'missing' when the broker has no order with this client id. */
  status: OrderStatus | 'missing';
  filledAt: string | null;
}

export function snapshotOf(order: BrokerOrder): OrderSnapshot {
  return {
    clientOrderId: order.clientOrderId,
    symbol: order.symbol,
    side: order.side,
    qty: order.qty,
    filledQty: order.filledQty,
    avgPrice: order.filledAvgPrice,
    status: order.status,
    filledAt: order.filledAt ? order.filledAt.toISOString() : null,
  };
}

/** What an order lookup answers when the broker has no order with this client id. */
export function missingOrder(clientOrderId: string): OrderSnapshot {
  return { clientOrderId, symbol: '', side: 'buy', qty: 0, filledQty: 0, avgPrice: null, status: 'missing', filledAt: null };
}
