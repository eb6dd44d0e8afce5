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
  /** Alpaca's asset status: `inactive` once the symbol is delisted (it no longer trades or gets bars). */
  status: 'active' | 'inactive';
}

/** The last trade of a symbol (Alpaca GET /v2/stocks/trades/latest): during a halt, the last trade before it. */
export interface LatestTrade {
  symbol: string;
  price: number;
  timestamp: Date;
}

/** A split or reverse split: on exDate a position's qty is multiplied by newRate/oldRate and prices divided by it (Alpaca). */
export interface CorporateAction {
  symbol: string;
  kind: 'split' | 'reverse_split';
  /** YYYY-MM-DD, New York. */
  exDate: string;
  oldRate: number;
  newRate: number;
}

/**
 * Hourly bars of one symbol, oldest first; `ts` holds epoch milliseconds of each bar's start. From getHourlyBars:
 * regular session only, split-adjusted, aligned to the open (09:30, 10:30, ... 15:30 New York; the last bar of a
 * day covers 15:30-16:00, or the half hour before an early close).
 */
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
  /**
   * Regular-session, split-adjusted hourly bars aligned to the session open (see BarSeries), for many symbols in
   * batched, paginated calls. Every symbol asked for is in the map (empty when it has no bars).
   */
  getHourlyBars(symbols: string[], start: Date, end: Date): Promise<Map<string, BarSeries>>;
  /** Latest trade per symbol (Alpaca GET /v2/stocks/trades/latest); symbols without a trade are absent. */
  getLatestTrades(symbols: string[]): Promise<Map<string, LatestTrade>>;
  /** Splits and reverse splits of these symbols with an ex-date in [start, end] (New York dates), oldest first. */
  getCorporateActions(symbols: string[], start: Date, end: Date): Promise<CorporateAction[]>;
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
