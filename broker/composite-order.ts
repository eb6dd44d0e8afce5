import { isFinalOrderStatus } from './order-status';
import type { OrderSnapshot } from './order-snapshot';
import type { OrderSide } from './types';

/**
 * Alpaca keeps one net position per symbol and refuses an order that would take it from long to short (or
 * short to long) in one go ("insufficient qty available"). An engine order that must cross flat is sent as
 * two broker orders: the closing part under the leg's own client order id, then the opening rest under
 * `crossClientOrderId(id)` once the first has filled. Together they are one "composite" order.
 */
export function crossClientOrderId(clientOrderId: string): string {
  return `${clientOrderId}-x`;
}

/** Shares of `qty` the first order may carry given the signed net position: all of it unless it would cross flat. */
export function closingPartQty(position: number, side: OrderSide, qty: number): number {
  if (side === 'sell' && position > 0 && qty > position) return position;
  if (side === 'buy' && position < 0 && qty > -position) return -position;
  return qty;
}

export interface CompositeView {
  snapshot: OrderSnapshot;
  /** Nothing more will fill (both parts final, or the first ended without filling completely). */
  final: boolean;
  /** The closing part filled completely and the opening rest has not been sent yet. */
  crossDue: boolean;
  /** Shares the opening rest must carry when crossDue. */
  crossQty: number;
}

/**
 * Combines the two parts of a composite order (the second may not exist) into one snapshot of `wantQty`
 * shares. Without a known wantQty, or when the first part already carries it all, the first part is the order.
 */
export function compositeView(first: OrderSnapshot, second: OrderSnapshot | null, wantQty: number | null): CompositeView {
  if (first.status === 'missing' || wantQty === null || first.qty >= wantQty) {
    return { snapshot: first, final: isFinalOrderStatus(first.status), crossDue: false, crossQty: 0 };
  }
  if (second === null || second.status === 'missing') {
    const crossDue = first.status === 'filled' && first.filledQty === first.qty;
    const firstFinal = isFinalOrderStatus(first.status);
    return {
      snapshot: { ...first, qty: wantQty, status: crossDue ? 'partially_filled' : first.status },
      final: firstFinal && !crossDue,
      crossDue,
      crossQty: crossDue ? wantQty - first.filledQty : 0,
    };
  }
  const filled = first.filledQty + second.filledQty;
  const notional = (first.avgPrice ?? 0) * first.filledQty + (second.avgPrice ?? 0) * second.filledQty;
  return {
    snapshot: {
      clientOrderId: first.clientOrderId,
      symbol: first.symbol,
      side: first.side,
      qty: wantQty,
      filledQty: filled,
      avgPrice: filled > 0 ? notional / filled : null,
      status: second.status === 'filled' && filled === wantQty ? 'filled' : second.status,
      filledAt: second.filledAt ?? first.filledAt,
    },
    final: isFinalOrderStatus(second.status),
    crossDue: false,
    crossQty: 0,
  };
}
