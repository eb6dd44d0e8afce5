/**
 * The simulated brokerage account: orders, fills, positions, cash, equity and buying power.
 *
 * Fill model: a market order becomes fillable `fillLatencyMs` of real time after it was accepted, and fills at
 * the simulated-time trade price (PriceBook.priceAt: frozen while halted, split-adjusted from the ex-date) moved against the taker by `slippageBps`. Orders placed while
 * the market is closed wait for the next session open (day orders); unfilled day orders, and the remainder of
 * partially filled ones, are canceled at the session close. Buying power is Reg-T (2x): 2 * equity minus the
 * gross position value minus what open opening orders reserve (qty * price * 1.03).
 */
import { randomUUID } from 'node:crypto';
import type { Market, SymbolModel } from './market';
import type { FaultInjector } from './faults';
import type { PriceBook } from './price-book';
import { SimHttpError } from './sim-http-error';
/** Module-level aliases: global lookups are slow inside Jest's vm sandbox, and these run per bar. */
const { abs, floor, max, min, round, sign } = Math;

export type SimOrderStatus = 'accepted' | 'pending_new' | 'new' | 'partially_filled' | 'filled' | 'canceled' | 'rejected';

export interface SimOrder {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  filledQty: number;
  filledNotional: number;
  status: SimOrderStatus;
  createdAt: number;
  updatedAt: number;
  filledAt: number | null;
  canceledAt: number | null;
  failedAt: number | null;
  /** Close of the session the order may fill in. */
  expiresAt: number;
  /** Open of that session. */
  eligibleFrom: number;
  /** Shares this order will fill before stalling (partial-fill fault), null = all. */
  partialTarget: number | null;
  rejectPending: boolean;
  positionIntent: string;
}

export interface SimPosition {
  symbol: string;
  qty: number;
  avgEntryPrice: number;
}

export interface ExchangeSnapshot {
  cash: number;
  orders: SimOrder[];
  positions: SimPosition[];
}

export { SimHttpError };

export interface ExchangeOptions {
  slippageBps: number;
  fillLatencyMs: number;
  rejectWashTrades: boolean;
}

const OPEN_STATUSES = new Set<SimOrderStatus>(['accepted', 'pending_new', 'new', 'partially_filled']);
const money = (x: number): string => (round(x * 100) / 100).toString();
const price4 = (x: number): string => (round(x * 10_000) / 10_000).toString();
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function isOpenStatus(status: SimOrderStatus): boolean {
  return OPEN_STATUSES.has(status);
}

export class Exchange {
  cash: number;
  private readonly orders = new Map<string, SimOrder>();
  private readonly byClientId = new Map<string, SimOrder>();
  /** Every order ever recorded, in creation order. */
  readonly log: SimOrder[] = [];
  private readonly positions = new Map<string, SimPosition>();
  private readonly fillableAtReal = new Map<string, number>();
  /** Orders not yet in a terminal state, in creation order. */
  private readonly open = new Set<SimOrder>();

  private readonly market: Market;

  constructor(
    private readonly book: PriceBook,
    private readonly faults: FaultInjector,
    private readonly options: ExchangeOptions,
    snapshot: ExchangeSnapshot,
  ) {
    this.market = book.market;
    this.cash = snapshot.cash;
    for (const order of snapshot.orders) this.record(order);
    for (const position of snapshot.positions) this.positions.set(position.symbol, { ...position });
  }

  snapshot(): ExchangeSnapshot {
    return { cash: this.cash, orders: this.log.map((o) => ({ ...o })), positions: [...this.positions.values()].map((p) => ({ ...p })) };
  }

  private record(order: SimOrder): void {
    this.orders.set(order.id, order);
    this.byClientId.set(order.clientOrderId, order);
    this.log.push(order);
    if (isOpenStatus(order.status)) this.open.add(order);
  }

  private finish(order: SimOrder, status: 'filled' | 'canceled' | 'rejected'): void {
    order.status = status;
    this.open.delete(order);
    this.fillableAtReal.delete(order.id);
  }

  getOrder(id: string): SimOrder | undefined {
    return this.orders.get(id);
  }
  getByClientId(clientOrderId: string): SimOrder | undefined {
    return this.byClientId.get(clientOrderId);
  }
  openOrders(): SimOrder[] {
    return [...this.open];
  }
  hasOpenOrders(): boolean {
    return this.open.size > 0;
  }

  private model(symbol: string): SymbolModel {
    const model = this.market.get(symbol);
    if (!model) throw new SimHttpError(404, 40410000, 'asset not found');
    return model;
  }

  price(symbol: string, now: number): number {
    return this.book.priceAt(this.model(symbol), now);
  }

  /** Qty this open order still intends to trade. */
  private remaining(order: SimOrder): number {
    return order.qty - order.filledQty;
  }

  private signedPosition(symbol: string): number {
    return this.positions.get(symbol)?.qty ?? 0;
  }

  /** Opening orders reserve buying power until they fill or die. */
  private reserved(now: number): number {
    let total = 0;
    for (const order of this.open) {
      if (!order.positionIntent.endsWith('_to_open')) continue;
      total += this.remaining(order) * this.price(order.symbol, now) * 1.03;
    }
    return total;
  }

  account(now: number): Record<string, number> {
    let longValue = 0,
      shortValue = 0;
    for (const p of this.positions.values()) {
      const value = p.qty * this.price(p.symbol, now);
      if (value >= 0) longValue += value;
      else shortValue += value;
    }
    const equity = this.cash + longValue + shortValue;
    const gross = longValue - shortValue;
    const regt = max(0, 2 * equity - gross);
    return {
      equity,
      cash: this.cash,
      longValue,
      shortValue,
      gross,
      regt,
      buyingPower: max(0, regt - this.reserved(now)),
    };
  }

  submit(input: { symbol: string; side: 'buy' | 'sell'; qty: number; clientOrderId: string }, now: number): SimOrder {
    const model = this.market.get(input.symbol);
    if (!model) throw new SimHttpError(422, 42210000, `asset "${input.symbol}" not found`);
    if (this.book.events.isInactive(input.symbol, now)) throw new SimHttpError(422, 42210000, `asset "${input.symbol}" is not active`);
    if (this.byClientId.has(input.clientOrderId)) throw new SimHttpError(422, 40010001, 'client_order_id must be unique');
    const position = this.signedPosition(input.symbol);
    const open = [...this.open].filter((o) => o.symbol === input.symbol);
    if (this.options.rejectWashTrades && open.some((o) => o.side !== input.side)) {
      throw new SimHttpError(403, 40310000, 'potential wash trade detected. use complex orders', {
        reject_reason: 'opposite side market/stop order exists',
      });
    }
    const sameSideHeld = open.filter((o) => o.side === input.side).reduce((sum, o) => sum + this.remaining(o), 0);
    const closing = input.side === 'sell' ? position > 0 : position < 0;
    let positionIntent: string;
    if (closing) {
      const available = abs(position) - sameSideHeld;
      if (input.qty > available) {
        throw new SimHttpError(403, 40310000, `insufficient qty available for order (requested: ${input.qty}, available: ${max(0, available)})`, {
          available: String(max(0, available)),
          existing_qty: String(abs(position)),
          held_for_orders: String(sameSideHeld),
          symbol: input.symbol,
        });
      }
      positionIntent = input.side === 'sell' ? 'sell_to_close' : 'buy_to_close';
    } else {
      if (input.side === 'sell' && !(model.shortable && model.easyToBorrow)) {
        throw new SimHttpError(422, 42210000, `asset "${input.symbol}" cannot be sold short`);
      }
      const cost = input.qty * this.price(input.symbol, now) * 1.03;
      const buyingPower = this.account(now).buyingPower;
      if (cost > buyingPower) {
        throw new SimHttpError(403, 40310000, 'insufficient buying power', { buying_power: money(buyingPower), cost_basis: money(cost) });
      }
      positionIntent = input.side === 'buy' ? 'buy_to_open' : 'sell_to_open';
    }
    const session = this.market.calendar.currentOrNextSession(now);
    const rejected = this.faults.shouldReject(input.symbol, input.clientOrderId);
    const fraction = rejected ? null : this.faults.partialFraction();
    const order: SimOrder = {
      id: randomUUID(),
      clientOrderId: input.clientOrderId,
      symbol: input.symbol,
      side: input.side,
      qty: input.qty,
      filledQty: 0,
      filledNotional: 0,
      status: this.market.calendar.isOpen(now) ? 'pending_new' : 'accepted',
      createdAt: now,
      updatedAt: now,
      filledAt: null,
      canceledAt: null,
      failedAt: null,
      expiresAt: session.closeMs,
      eligibleFrom: session.openMs,
      partialTarget: fraction === null || input.qty < 2 ? null : min(input.qty - 1, max(1, floor(input.qty * fraction))),
      rejectPending: rejected,
      positionIntent,
    };
    if (rejected && this.faults.config.rejectMode === 'sync') {
      order.status = 'rejected';
      order.failedAt = now;
      this.record(order);
      throw new SimHttpError(403, 40310000, 'order rejected by simulator fault rule', { order_id: order.id });
    }
    this.record(order);
    this.fillableAtReal.set(order.id, Date.now() + this.options.fillLatencyMs);
    return order;
  }

  cancel(id: string, now: number): void {
    const order = this.orders.get(id);
    if (!order) throw new SimHttpError(404, 40410000, 'order not found');
    if (!isOpenStatus(order.status)) throw new SimHttpError(422, 42210000, 'order is not cancelable');
    this.finish(order, 'canceled');
    order.canceledAt = now;
    order.updatedAt = now;
  }

  /** Moves every open order forward to simulated time `now`; returns whether anything changed. */
  settle(now: number): boolean {
    let changed = false;
    const realNow = Date.now();
    for (const order of [...this.open]) {
      if ((this.fillableAtReal.get(order.id) ?? 0) > realNow) continue;
      if (now < order.eligibleFrom) continue;
      let fillTime = now < order.expiresAt ? now : max(order.eligibleFrom, min(order.createdAt, order.expiresAt - 1));
      // Halted (or delisted) when it could first fill: the order waits for the reopen, and fills at it if the
      // clock has passed it; a day order still expires at the close.
      const firstChance = max(order.eligibleFrom, order.createdAt);
      const stop = this.book.events.stoppedAt(order.symbol, firstChance) ?? this.book.events.stoppedAt(order.symbol, fillTime);
      if (stop) {
        const reopen = stop.toMs;
        if (reopen !== null && reopen <= min(now, order.expiresAt - 1)) fillTime = max(reopen, min(fillTime, reopen));
        else {
          if (now >= order.expiresAt) {
            this.finish(order, 'canceled');
            order.canceledAt = order.expiresAt;
            order.updatedAt = order.expiresAt;
            changed = true;
          }
          continue;
        }
      }
      if (order.rejectPending) {
        this.finish(order, 'rejected');
        order.failedAt = fillTime;
        order.updatedAt = fillTime;
        changed = true;
        continue;
      }
      const target = order.partialTarget ?? order.qty;
      if (order.filledQty < target) {
        this.fill(order, target - order.filledQty, fillTime);
        changed = true;
      }
      if (order.filledQty >= order.qty) continue;
      if (now >= order.expiresAt) {
        this.finish(order, 'canceled');
        order.canceledAt = order.expiresAt;
        order.updatedAt = order.expiresAt;
        changed = true;
      }
    }
    return changed;
  }

  private fill(order: SimOrder, qty: number, at: number): void {
    const model = this.model(order.symbol);
    const slip = this.options.slippageBps / 10_000;
    const base = this.book.priceAt(model, at);
    const price = round(base * (order.side === 'buy' ? 1 + slip : 1 - slip) * 10_000) / 10_000;
    const signed = order.side === 'buy' ? qty : -qty;
    this.cash -= signed * price;
    const position = this.positions.get(order.symbol) ?? { symbol: order.symbol, qty: 0, avgEntryPrice: 0 };
    if (position.qty === 0 || sign(position.qty) === sign(signed)) {
      position.avgEntryPrice = (abs(position.qty) * position.avgEntryPrice + qty * price) / (abs(position.qty) + qty);
      position.qty += signed;
    } else if (abs(signed) <= abs(position.qty)) {
      position.qty += signed;
    } else {
      position.qty += signed;
      position.avgEntryPrice = price;
    }
    if (position.qty === 0) this.positions.delete(order.symbol);
    else this.positions.set(order.symbol, position);
    order.filledQty += qty;
    order.filledNotional += qty * price;
    order.updatedAt = at;
    if (order.filledQty >= order.qty) {
      this.finish(order, 'filled');
      order.filledAt = at;
    } else {
      order.status = 'partially_filled';
    }
  }

  /**
   * A split or reverse split on its ex-date: the position's quantity is multiplied by the ratio and its average
   * entry price divided by it; a fractional share left over is paid out in cash at `price` (cash in lieu).
   */
  applySplit(symbol: string, ratio: number, price: number): void {
    const position = this.positions.get(symbol);
    if (!position) return;
    const exact = abs(position.qty) * ratio;
    const whole = floor(exact + 1e-9);
    this.cash += sign(position.qty) * (exact - whole) * price;
    position.avgEntryPrice = position.avgEntryPrice / ratio;
    position.qty = sign(position.qty) * whole;
    if (position.qty === 0) this.positions.delete(symbol);
  }

  listPositions(): SimPosition[] {
    return [...this.positions.values()].sort((a, b) => a.symbol.localeCompare(b.symbol));
  }

  getPosition(symbol: string): SimPosition | undefined {
    return this.positions.get(symbol);
  }

  orderJson(order: SimOrder): Record<string, unknown> {
    const model = this.market.get(order.symbol);
    return {
      id: order.id,
      client_order_id: order.clientOrderId,
      created_at: iso(order.createdAt),
      updated_at: iso(order.updatedAt),
      submitted_at: iso(order.createdAt),
      filled_at: iso(order.filledAt),
      expired_at: null,
      canceled_at: iso(order.canceledAt),
      failed_at: iso(order.failedAt),
      replaced_at: null,
      replaced_by: null,
      replaces: null,
      asset_id: model?.assetId ?? null,
      symbol: order.symbol,
      asset_class: 'us_equity',
      notional: null,
      qty: String(order.qty),
      filled_qty: String(order.filledQty),
      filled_avg_price: order.filledQty > 0 ? price4(order.filledNotional / order.filledQty) : null,
      order_class: '',
      order_type: 'market',
      type: 'market',
      side: order.side,
      position_intent: order.positionIntent,
      time_in_force: 'day',
      limit_price: null,
      stop_price: null,
      status: order.status,
      extended_hours: false,
      legs: null,
      trail_percent: null,
      trail_price: null,
      hwm: null,
    };
  }

  positionJson(position: SimPosition, now: number): Record<string, unknown> {
    const model = this.model(position.symbol);
    const current = this.book.priceAt(model, now);
    const sessionStart = this.market.calendar.currentOrNextSession(now).openMs;
    const lastday = this.book.priceAt(model, min(now, sessionStart) - 1, now);
    const marketValue = position.qty * current;
    const costBasis = position.qty * position.avgEntryPrice;
    const pl = marketValue - costBasis;
    const intradayPl = position.qty * (current - lastday);
    return {
      asset_id: model.assetId,
      symbol: position.symbol,
      exchange: 'NYSE',
      asset_class: 'us_equity',
      asset_marginable: true,
      avg_entry_price: price4(position.avgEntryPrice),
      qty: String(position.qty),
      qty_available: String(position.qty),
      side: position.qty > 0 ? 'long' : 'short',
      market_value: money(marketValue),
      cost_basis: money(costBasis),
      unrealized_pl: money(pl),
      unrealized_plpc: (costBasis === 0 ? 0 : pl / abs(costBasis)).toFixed(6),
      unrealized_intraday_pl: money(intradayPl),
      unrealized_intraday_plpc: (lastday === 0 ? 0 : (current - lastday) / lastday).toFixed(6),
      current_price: price4(current),
      lastday_price: price4(lastday),
      change_today: ((current - lastday) / lastday).toFixed(6),
    };
  }
}

export function newClientOrderId(): string {
  return randomUUID();
}
