/** Alpaca trading API paths (account, clock, calendar, assets, orders, positions) over the Exchange. */
import { Exchange, SimHttpError, isOpenStatus, newClientOrderId, type SimOrder } from './exchange';
import { parseDateParam, parseIntParam, parseJsonObject, type Reply } from './http-util';
import type { Market, SymbolModel } from './market';
import type { MarketEvents } from './market-events';
import { formatNewYork } from './nyse-calendar';

export interface TradingContext {
  market: Market;
  events: MarketEvents;
  exchange: Exchange;
  now: number;
  accountId: string;
  createdAt: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const money = (x: number): string => (Math.round(x * 100) / 100).toString();

function assetJson(model: SymbolModel, events: MarketEvents, now: number): Record<string, unknown> {
  const active = !events.isInactive(model.symbol, now);
  return {
    id: model.assetId,
    class: 'us_equity',
    exchange: 'NYSE',
    symbol: model.symbol,
    name: `${model.symbol} Simulated Inc`,
    status: active ? 'active' : 'inactive',
    tradable: active,
    marginable: true,
    shortable: model.shortable,
    easy_to_borrow: model.easyToBorrow,
    fractionable: false,
    maintenance_margin_requirement: 30,
    attributes: [],
  };
}

function findAsset(market: Market, symbolOrId: string): SymbolModel | undefined {
  return market.get(symbolOrId.toUpperCase()) ?? market.symbols.find((m) => m.assetId === symbolOrId);
}

export function account(ctx: TradingContext): Reply {
  const a = ctx.exchange.account(ctx.now);
  return {
    status: 200,
    body: {
      id: ctx.accountId,
      account_number: 'PA3SIMULATOR',
      status: 'ACTIVE',
      crypto_status: 'INACTIVE',
      currency: 'USD',
      cash: money(a.cash),
      buying_power: money(a.buyingPower),
      regt_buying_power: money(a.regt),
      daytrading_buying_power: money(a.buyingPower),
      effective_buying_power: money(a.buyingPower),
      non_marginable_buying_power: money(Math.max(0, a.cash)),
      equity: money(a.equity),
      last_equity: money(a.equity),
      portfolio_value: money(a.equity),
      long_market_value: money(a.longValue),
      short_market_value: money(a.shortValue),
      position_market_value: money(a.longValue - a.shortValue),
      initial_margin: money(a.gross * 0.5),
      maintenance_margin: money(a.gross * 0.3),
      last_maintenance_margin: money(a.gross * 0.3),
      sma: money(a.equity),
      multiplier: '2',
      daytrade_count: 0,
      pattern_day_trader: false,
      shorting_enabled: true,
      trading_blocked: false,
      account_blocked: false,
      transfers_blocked: false,
      trade_suspended_by_user: false,
      created_at: new Date(ctx.createdAt).toISOString(),
      accrued_fees: '0',
      pending_transfer_in: '0',
    },
  };
}

export function clock(ctx: TradingContext): Reply {
  const c = ctx.market.calendar.clock(ctx.now);
  return {
    status: 200,
    body: { timestamp: formatNewYork(ctx.now), is_open: c.isOpen, next_open: formatNewYork(c.nextOpen), next_close: formatNewYork(c.nextClose) },
  };
}

export function calendar(ctx: TradingContext, query: URLSearchParams): Reply {
  const cal = ctx.market.calendar;
  const start = query.get('start');
  const end = query.get('end');
  const fromDay = start ? parseDateParam(start, 'start') : parseDateParam('1990-01-01', 'start');
  const toDay = end ? parseDateParam(end, 'end') : parseDateParam('2029-12-31', 'end');
  const days = cal.sessionsBetween(fromDay, toDay).map((s) => ({
    date: s.date,
    open: '09:30',
    close: s.earlyClose ? '13:00' : '16:00',
    session_open: '0400',
    session_close: s.earlyClose ? '1700' : '2000',
    settlement_date: cal.settlementDate(cal.indexOfSession(s)),
  }));
  return { status: 200, body: days };
}

export function assets(ctx: TradingContext): Reply {
  return { status: 200, body: ctx.market.symbols.map((m) => assetJson(m, ctx.events, ctx.now)) };
}

export function asset(ctx: TradingContext, symbolOrId: string): Reply {
  const model = findAsset(ctx.market, symbolOrId);
  if (!model) throw new SimHttpError(404, 40410000, 'asset not found');
  return { status: 200, body: assetJson(model, ctx.events, ctx.now) };
}

function requireString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (value === undefined || value === null || value === '') throw new SimHttpError(422, 40010001, `${key} is required`);
  if (typeof value !== 'string') throw new SimHttpError(422, 40010001, `${key} must be a string`);
  return value;
}

function parseQty(raw: unknown): number {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : null;
  if (text === null || text === '' || !/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) throw new SimHttpError(422, 40010001, 'invalid qty');
  const qty = Number(text);
  if (!Number.isFinite(qty)) throw new SimHttpError(422, 40010001, 'invalid qty');
  if (qty <= 0) throw new SimHttpError(422, 40010001, 'qty must be > 0');
  if (!Number.isInteger(qty)) throw new SimHttpError(422, 40010001, 'qty must be a whole number (fractional orders are not simulated)');
  if (qty > 10_000_000) throw new SimHttpError(422, 40010001, 'qty is too large');
  return qty;
}

export function postOrder(ctx: TradingContext, text: string): Reply {
  const body = parseJsonObject(text);
  const symbol = requireString(body, 'symbol').toUpperCase();
  const hasQty = body.qty !== undefined && body.qty !== null;
  const hasNotional = body.notional !== undefined && body.notional !== null;
  if (hasQty && hasNotional) throw new SimHttpError(422, 40010001, 'only one of qty or notional is accepted');
  if (!hasQty && !hasNotional) throw new SimHttpError(422, 40010001, 'qty or notional is required');
  if (hasNotional) throw new SimHttpError(422, 40010001, 'notional orders are not simulated; send qty');
  const qty = parseQty(body.qty);
  const side = requireString(body, 'side');
  if (side !== 'buy' && side !== 'sell') throw new SimHttpError(422, 40010001, `invalid side: ${side}`);
  const type = requireString(body, 'type');
  if (type !== 'market') throw new SimHttpError(422, 40010001, `order type ${type} is not simulated (market only)`);
  const timeInForce = requireString(body, 'time_in_force');
  if (timeInForce !== 'day') throw new SimHttpError(422, 40010001, `time_in_force ${timeInForce} is not simulated (day only)`);
  if (body.extended_hours === true) throw new SimHttpError(422, 42210000, 'extended hours order must be DAY limit orders');
  let clientOrderId = newClientOrderId();
  if (body.client_order_id !== undefined && body.client_order_id !== null) {
    if (typeof body.client_order_id !== 'string' || body.client_order_id.length === 0)
      throw new SimHttpError(422, 40010001, 'invalid client_order_id');
    if (body.client_order_id.length > 128) throw new SimHttpError(422, 40010001, 'client_order_id must be no more than 128 characters');
    clientOrderId = body.client_order_id;
  }
  const order = ctx.exchange.submit({ symbol, side, qty, clientOrderId }, ctx.now);
  return { status: 200, body: ctx.exchange.orderJson(order) };
}

export function listOrders(ctx: TradingContext, query: URLSearchParams): Reply {
  const status = query.get('status') ?? 'open';
  if (!['open', 'closed', 'all'].includes(status)) throw new SimHttpError(422, 40010001, `invalid status: ${status}`);
  const limit = parseIntParam(query.get('limit'), 'limit', 1, 500, 50);
  const direction = query.get('direction') ?? 'desc';
  if (direction !== 'asc' && direction !== 'desc') throw new SimHttpError(422, 40010001, `invalid direction: ${direction}`);
  const symbols = query
    .get('symbols')
    ?.split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  const side = query.get('side');
  const after = query.get('after') ? Date.parse(query.get('after')!) : null;
  const until = query.get('until') ? Date.parse(query.get('until')!) : null;
  if ((after !== null && Number.isNaN(after)) || (until !== null && Number.isNaN(until)))
    throw new SimHttpError(422, 40010001, 'invalid after/until');
  const matches = (o: SimOrder): boolean =>
    (status === 'all' || (status === 'open') === isOpenStatus(o.status)) &&
    (!symbols || symbols.length === 0 || symbols.includes(o.symbol)) &&
    (!side || o.side === side) &&
    (after === null || o.createdAt > after) &&
    (until === null || o.createdAt < until);
  const source = status === 'open' ? ctx.exchange.openOrders() : ctx.exchange.log;
  const selected: SimOrder[] = [];
  const n = source.length;
  for (let k = 0; k < n && selected.length < limit; k++) {
    const o = source[direction === 'desc' ? n - 1 - k : k];
    if (matches(o)) selected.push(o);
  }
  return { status: 200, body: selected.map((o) => ctx.exchange.orderJson(o)) };
}

export function orderById(ctx: TradingContext, id: string): Reply {
  if (!UUID.test(id)) throw new SimHttpError(422, 40010001, 'order_id is missing');
  const order = ctx.exchange.getOrder(id);
  if (!order) throw new SimHttpError(404, 40410000, 'order not found');
  return { status: 200, body: ctx.exchange.orderJson(order) };
}

export function orderByClientId(ctx: TradingContext, query: URLSearchParams): Reply {
  const clientOrderId = query.get('client_order_id');
  if (!clientOrderId) throw new SimHttpError(422, 40010001, 'client_order_id is required');
  const order = ctx.exchange.getByClientId(clientOrderId);
  if (!order) throw new SimHttpError(404, 40410000, 'order not found');
  return { status: 200, body: ctx.exchange.orderJson(order) };
}

export function cancelOrder(ctx: TradingContext, id: string): Reply {
  if (!UUID.test(id)) throw new SimHttpError(422, 40010001, 'order_id is missing');
  ctx.exchange.cancel(id, ctx.now);
  return { status: 204 };
}

export function cancelAllOrders(ctx: TradingContext): Reply {
  const results = ctx.exchange.openOrders().map((o) => {
    ctx.exchange.cancel(o.id, ctx.now);
    return { id: o.id, status: 200 };
  });
  return { status: 207, body: results };
}

export function positions(ctx: TradingContext): Reply {
  return { status: 200, body: ctx.exchange.listPositions().map((p) => ctx.exchange.positionJson(p, ctx.now)) };
}

export function position(ctx: TradingContext, symbolOrId: string): Reply {
  const model = findAsset(ctx.market, symbolOrId);
  const held = model && ctx.exchange.getPosition(model.symbol);
  if (!held) throw new SimHttpError(404, 40410000, 'position does not exist');
  return { status: 200, body: ctx.exchange.positionJson(held, ctx.now) };
}

function closeOne(ctx: TradingContext, symbol: string, qtyParam: string | null, percentageParam: string | null): SimOrder {
  const held = ctx.exchange.getPosition(symbol);
  if (!held) throw new SimHttpError(404, 40410000, 'position does not exist');
  if (qtyParam && percentageParam) throw new SimHttpError(422, 40010001, 'only one of qty or percentage is accepted');
  const size = Math.abs(held.qty);
  let qty = size;
  if (qtyParam) qty = parseQty(qtyParam);
  if (percentageParam) {
    const pct = Number(percentageParam);
    if (!Number.isFinite(pct) || pct <= 0 || pct > 100) throw new SimHttpError(422, 40010001, 'percentage must be in (0, 100]');
    qty = Math.floor((size * pct) / 100);
    if (qty === 0) throw new SimHttpError(422, 40010001, 'percentage leaves no whole share to close');
  }
  return ctx.exchange.submit({ symbol, side: held.qty > 0 ? 'sell' : 'buy', qty, clientOrderId: newClientOrderId() }, ctx.now);
}

export function closePosition(ctx: TradingContext, symbolOrId: string, query: URLSearchParams): Reply {
  const model = findAsset(ctx.market, symbolOrId);
  if (!model) throw new SimHttpError(404, 40410000, 'position does not exist');
  const order = closeOne(ctx, model.symbol, query.get('qty'), query.get('percentage'));
  return { status: 200, body: ctx.exchange.orderJson(order) };
}

export function closeAllPositions(ctx: TradingContext, query: URLSearchParams): Reply {
  if (query.get('cancel_orders') === 'true') for (const o of ctx.exchange.openOrders()) ctx.exchange.cancel(o.id, ctx.now);
  const results = ctx.exchange.listPositions().map((p) => {
    try {
      return { symbol: p.symbol, status: 200, body: ctx.exchange.orderJson(closeOne(ctx, p.symbol, null, null)) };
    } catch (err) {
      if (!(err instanceof SimHttpError)) throw err;
      return { symbol: p.symbol, status: err.status, body: { code: err.code, message: err.message, ...err.extra } };
    }
  });
  return { status: 207, body: results };
}
