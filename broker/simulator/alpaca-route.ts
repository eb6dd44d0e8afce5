/** Dispatches an authorized Alpaca request (trading and market-data paths) to its handler. */
import type { IncomingMessage } from 'node:http';
import { multiBars, singleBars } from './bars-route';
import { errorReply, readBody, type Reply } from './http-util';
import * as marketData from './market-data-routes';
import { newYorkDay } from './market-events';
import { isoDate } from './nyse-calendar';
import type { SimulatorState } from './simulator-state';
import * as trading from './trading-routes';

export async function alpacaRoute(state: SimulatorState, method: string, path: string, query: URLSearchParams, req: IncomingMessage): Promise<Reply> {
  state.settle();
  const ctx = state.tradingContext();
  const { book } = state;
  const mutate = (action: () => Reply | Promise<Reply>): Promise<Reply> => state.mutate(action);
  const parts = path.split('/').slice(1).map(decodeURIComponent);
  const is = (m: string): boolean => method === m;
  if (parts[0] === 'v2' && parts[1] === 'stocks') {
    if (parts.length === 3 && parts[2] === 'bars' && is('GET')) return multiBars(book, query, ctx.now);
    if (parts.length === 4 && parts[3] === 'bars' && is('GET')) return singleBars(book, parts[2], query, ctx.now);
    if (parts.length === 4 && parts[3] === 'latest' && is('GET')) {
      if (parts[2] === 'trades') return marketData.latestTrades(book, query, ctx.now);
      if (parts[2] === 'quotes') return marketData.latestQuotes(book, query, ctx.now);
    }
    if (parts.length === 5 && parts[4] === 'latest' && is('GET')) {
      if (parts[3] === 'trades') return marketData.latestTradeSingle(book, parts[2], ctx.now);
      if (parts[3] === 'quotes') return marketData.latestQuoteSingle(book, parts[2], ctx.now);
    }
  }
  if (path === '/v1/corporate-actions' && is('GET')) return marketData.corporateActions(book, query, isoDate(newYorkDay(ctx.now)));
  if (path === '/v2/account' && is('GET')) return trading.account(ctx);
  if (path === '/v2/clock' && is('GET')) return trading.clock(ctx);
  if (path === '/v2/calendar' && is('GET')) return trading.calendar(ctx, query);
  if (path === '/v2/assets' && is('GET')) return trading.assets(ctx);
  if (parts[1] === 'assets' && parts.length === 3 && is('GET')) return trading.asset(ctx, parts[2]);
  if (path === '/v2/orders:by_client_order_id' && is('GET')) return trading.orderByClientId(ctx, query);
  if (path === '/v2/orders') {
    if (is('GET')) return trading.listOrders(ctx, query);
    if (is('POST')) return mutate(() => readBody(req).then((text) => trading.postOrder(ctx, text)));
    if (is('DELETE')) return mutate(() => trading.cancelAllOrders(ctx));
  }
  if (parts[1] === 'orders' && parts.length === 3) {
    if (is('GET')) return trading.orderById(ctx, parts[2]);
    if (is('DELETE')) return mutate(() => trading.cancelOrder(ctx, parts[2]));
  }
  if (path === '/v2/positions') {
    if (is('GET')) return trading.positions(ctx);
    if (is('DELETE')) return mutate(() => trading.closeAllPositions(ctx, query));
  }
  if (parts[1] === 'positions' && parts.length === 3) {
    if (is('GET')) return trading.position(ctx, parts[2]);
    if (is('DELETE')) return mutate(() => trading.closePosition(ctx, parts[2], query));
  }
  return errorReply(404, 40410000, 'endpoint not found');
}
