/**
 * Alpaca market-data paths besides bars: latest trades and quotes (GET /v2/stocks/trades/latest,
 * /v2/stocks/quotes/latest and their single-symbol forms) and corporate actions (GET /v1/corporate-actions,
 * forward and reverse splits). Unknown symbols are simply absent, as on Alpaca.
 */
import { symbolList } from './bars-route';
import { SimHttpError } from './sim-http-error';
import { parseDateParam, parseIntParam, type Reply } from './http-util';
import { dayNumberOfIso, type SimCorporateAction } from './market-events';
import type { PriceBook } from './price-book';

const round2 = (x: number): number => Math.round(x * 100) / 100;
const rfc3339 = (ms: number): string => new Date(ms).toISOString();

function latestTrade(book: PriceBook, symbol: string, now: number): Record<string, unknown> | null {
  const model = book.market.get(symbol);
  if (!model || now < book.market.calendar.barStart(book.market.firstBar)) return null;
  const t = book.lastTradeTime(model, now);
  return { t: rfc3339(t), x: 'V', p: round2(book.priceAt(model, now)), s: 100, c: ['@'], i: Math.floor(t / 1000) % 1_000_000_007, z: 'A' };
}

function latestQuote(book: PriceBook, symbol: string, now: number): Record<string, unknown> | null {
  const trade = latestTrade(book, symbol, now);
  if (!trade) return null;
  const p = trade.p as number;
  const halfSpread = Math.max(0.01, round2(p * 0.0005));
  return { t: trade.t, ax: 'V', ap: round2(p + halfSpread), as: 2, bx: 'V', bp: round2(p - halfSpread), bs: 3, c: ['R'], z: 'A' };
}

export function latestTrades(book: PriceBook, query: URLSearchParams, now: number): Reply {
  const trades: Record<string, unknown> = {};
  for (const symbol of symbolList(query.get('symbols'))) {
    const trade = latestTrade(book, symbol, now);
    if (trade) trades[symbol] = trade;
  }
  return { status: 200, body: { trades } };
}

export function latestTradeSingle(book: PriceBook, symbol: string, now: number): Reply {
  const [one] = symbolList(symbol);
  const trade = latestTrade(book, one, now);
  if (!trade) throw new SimHttpError(404, 40410000, `no trade found for ${one}`);
  return { status: 200, body: { symbol: one, trade } };
}

export function latestQuotes(book: PriceBook, query: URLSearchParams, now: number): Reply {
  const quotes: Record<string, unknown> = {};
  for (const symbol of symbolList(query.get('symbols'))) {
    const quote = latestQuote(book, symbol, now);
    if (quote) quotes[symbol] = quote;
  }
  return { status: 200, body: { quotes } };
}

export function latestQuoteSingle(book: PriceBook, symbol: string, now: number): Reply {
  const [one] = symbolList(symbol);
  const quote = latestQuote(book, one, now);
  if (!quote) throw new SimHttpError(404, 40410000, `no quote found for ${one}`);
  return { status: 200, body: { symbol: one, quote } };
}

function cusipOf(symbol: string, suffix: string): string {
  return `${symbol.padEnd(6, '0').slice(0, 6)}${suffix}`;
}

function splitJson(a: SimCorporateAction): Record<string, unknown> {
  const common = {
    id: a.id,
    symbol: a.symbol,
    new_rate: a.newRate,
    old_rate: a.oldRate,
    process_date: a.exDate,
    ex_date: a.exDate,
    record_date: a.exDate,
    payable_date: a.exDate,
  };
  return a.kind === 'split'
    ? { ...common, cusip: cusipOf(a.symbol, '101') }
    : { ...common, old_cusip: cusipOf(a.symbol, '101'), new_cusip: cusipOf(a.symbol, '202') };
}

/** GET /v1/corporate-actions: `symbols`, `types` (forward_split, reverse_split; others are answered empty), `start`/`end` on the ex-date (default today), `limit`, `sort`. */
export function corporateActions(book: PriceBook, query: URLSearchParams, today: string): Reply {
  const symbols = query.get('symbols') ? new Set(symbolList(query.get('symbols'))) : null;
  const types = new Set((query.get('types') ?? 'forward_split,reverse_split').split(',').map((t) => t.trim()));
  const startDay = parseDateParam(query.get('start') ?? today, 'start');
  const endDay = parseDateParam(query.get('end') ?? today, 'end');
  if (endDay < startDay) throw new SimHttpError(400, 40010001, 'end should not be before start');
  const limit = parseIntParam(query.get('limit'), 'limit', 1, 1000, 100);
  const sort = query.get('sort') ?? 'asc';
  let found = book.events.corporateActions().filter((a) => {
    const day = dayNumberOfIso(a.exDate);
    return (symbols === null || symbols.has(a.symbol)) && day >= startDay && day <= endDay;
  });
  if (sort === 'desc') found = found.reverse();
  found = found.slice(0, limit);
  const forward = types.has('forward_split') ? found.filter((a) => a.kind === 'split').map(splitJson) : [];
  const reverse = types.has('reverse_split') ? found.filter((a) => a.kind === 'reverse_split').map(splitJson) : [];
  return {
    status: 200,
    body: {
      corporate_actions: { ...(forward.length ? { forward_splits: forward } : {}), ...(reverse.length ? { reverse_splits: reverse } : {}) },
      next_page_token: null,
    },
  };
}
