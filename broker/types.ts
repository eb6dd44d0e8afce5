/**
 * The engine's only view of a broker. Implemented by the Alpaca SDK adapter (real paper trading, or our
 * simulator reached through the SDK's fetchApi option). Quantities are whole shares; prices are dollars.
 */
export type OrderSide = 'buy' | 'sell';

export type OrderStatus =
  | 'new'
  | 'accepted'
  | 'pending_new'
  | 'partially_filled'
  | 'filled'
  | 'done_for_day'
  | 'canceled'
  | 'expired'
  | 'replaced'
  | 'pending_cancel'
  | 'pending_replace'
  | 'rejected'
  | 'suspended'
  | 'stopped'
  | 'calculated'
  | 'accepted_for_bidding'
  | 'held';

export interface Account {
  equity: number;
  cash: number;
  buyingPower: number;
  status: string;
  shortingEnabled: boolean;
}

export interface MarketClock {
  isOpen: boolean;
  timestamp: Date;
  nextOpen: Date;
  nextClose: Date;
}

export interface CalendarDay {
  /** Trading date, YYYY-MM-DD in New York. */
  date: string;
  /** Session open and close, HH:MM New York time. */
  open: string;
  close: string;
}

export interface AssetFlags {
  symbol: string;
  tradable: boolean;
  shortable: boolean;
  easyToBorrow: boolean;
}

/** Hourly bars of one symbol, oldest first; `ts` holds epoch milliseconds of each bar's start. */
export interface BarSeries {
  symbol: string;
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

export interface BrokerOrder {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  filledQty: number;
  filledAvgPrice: number | null;
  status: OrderStatus;
  submittedAt: Date | null;
  filledAt: Date | null;
}

export interface Position {
  symbol: string;
  /** Signed: negative for a short. */
  qty: number;
  avgEntryPrice: number;
  currentPrice: number;
  marketValue: number;
  unrealizedPl: number;
}

export interface MarketOrderRequest {
  symbol: string;
  side: OrderSide;
  qty: number;
  clientOrderId: string;
}

export interface Broker {
  getAccount(): Promise<Account>;
  getClock(): Promise<MarketClock>;
  getCalendar(start: Date, end: Date): Promise<CalendarDay[]>;
  getAsset(symbol: string): Promise<AssetFlags>;
  /** Hourly bars for many symbols in one batched, paginated call. */
  getHourlyBars(symbols: string[], start: Date, end: Date): Promise<Map<string, BarSeries>>;
  submitMarketOrder(order: MarketOrderRequest): Promise<BrokerOrder>;
  /** null when the broker has no order with that client id. */
  getOrderByClientId(clientOrderId: string): Promise<BrokerOrder | null>;
  listOrders(filter: { status: 'open' | 'closed' | 'all'; symbols?: string[]; limit?: number }): Promise<BrokerOrder[]>;
  getPositions(): Promise<Position[]>;
  /** Submits a market order closing the whole position (Alpaca DELETE /v2/positions/{symbol}). */
  closePosition(symbol: string): Promise<BrokerOrder>;
  /**
   * Requests cancellation of an open order (e.g. the remainder of a partial fill, or before reversing a leg,
   * which Alpaca would otherwise reject as a potential wash trade). Optional so existing fakes still compile.
   */
  cancelOrder?(orderId: string): Promise<void>;
}

/**
 * A broker failure classified for retry decisions: retryable (network, timeout, 5xx, 429) or permanent
 * (validation, rejection, not found). The class name is what Temporal retry policies match on.
 */
export class BrokerError extends Error {
  override name = 'BrokerError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly code?: number,
    /** Seconds the broker asked us to wait (HTTP Retry-After), when it said. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
