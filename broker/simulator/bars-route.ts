/**
 * GET /v2/stocks/bars and /v2/stocks/{symbol}/bars for the 1Hour timeframe, paginated as Alpaca does:
 * symbols sorted, then time; `limit` (default 1000, max 10000) caps the bars of a page across all symbols;
 * `next_page_token` is opaque (base64 of "symbol|bar") and null on the last page. Only completed bars
 * (end <= simulated now) are served. Unknown symbols simply have no bars.
 */
import { SimHttpError } from './exchange';
import { parseIntParam, parseTimestamp, type Reply } from './http-util';
import type { Market } from './market';
/** Module-level aliases: global lookups are slow inside Jest's vm sandbox, and these run per bar. */
const { max, min } = Math;

const HOURLY = new Set(['1Hour', '1H', '60Min', '60T']);

interface BarQuery {
  symbols: string[];
  startMs: number;
  endMs: number;
  limit: number;
  descending: boolean;
  token: { symbol: string; bar: number } | null;
}

function encodeToken(symbol: string, bar: number): string {
  return Buffer.from(`${symbol}|${bar}`).toString('base64');
}

function decodeToken(token: string, symbols: string[]): { symbol: string; bar: number } {
  const text = Buffer.from(token, 'base64').toString('utf8');
  const [symbol, bar] = text.split('|');
  if (!symbol || !/^\d+$/.test(bar ?? '') || !symbols.includes(symbol)) throw new SimHttpError(400, 40010001, 'invalid page_token');
  return { symbol, bar: Number(bar) };
}

function parseQuery(query: URLSearchParams, symbols: string[], now: number): BarQuery {
  const timeframe = query.get('timeframe');
  if (!timeframe) throw new SimHttpError(400, 40010001, 'timeframe is required');
  if (!HOURLY.has(timeframe)) {
    if (/^\d+(Min|T|Hour|H|Day|D|Week|W|Month|M)$/.test(timeframe)) {
      throw new SimHttpError(422, 40010001, `timeframe ${timeframe} is not served by the simulator (only 1Hour)`);
    }
    throw new SimHttpError(400, 40010001, `invalid timeframe: ${timeframe}`);
  }
  const today = new Date(now);
  const start = query.get('start');
  const end = query.get('end');
  const startMs = start ? parseTimestamp(start, 'start') : Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const endMs = end ? parseTimestamp(end, 'end') : now;
  if (endMs < startMs) throw new SimHttpError(400, 40010001, 'end should not be before start');
  const sort = query.get('sort') ?? 'asc';
  if (sort !== 'asc' && sort !== 'desc') throw new SimHttpError(400, 40010001, `invalid sort: ${sort}`);
  const limit = parseIntParam(query.get('limit'), 'limit', 1, 10_000, 1000);
  const pageToken = query.get('page_token');
  return { symbols, startMs, endMs, limit, descending: sort === 'desc', token: pageToken ? decodeToken(pageToken, symbols) : null };
}

/** RFC3339 bar times by global bar number; formatting dominated bar serving before this cache. */
const barTimes: string[] = [];
function barTime(market: Market, g: number): string {
  let text = barTimes[g];
  if (text === undefined) {
    text = new Date(market.calendar.barStart(g)).toISOString().replace('.000Z', 'Z');
    barTimes[g] = text;
  }
  return text;
}

function collect(market: Market, q: BarQuery, now: number): { bars: Map<string, unknown[]>; next: string | null } {
  const calendar = market.calendar;
  const lo = max(market.firstBar, calendar.firstBarAtOrAfter(q.startMs));
  const hi = min(calendar.lastBarStartingAtOrBefore(q.endMs), calendar.lastCompletedBar(now));
  const bars = new Map<string, unknown[]>();
  let remaining = q.limit;
  const startIndex = q.token ? q.symbols.indexOf(q.token.symbol) : 0;
  for (let s = startIndex; s < q.symbols.length; s++) {
    const symbol = q.symbols[s];
    const model = market.get(symbol);
    if (!model || hi < lo) continue;
    const resume = q.token && s === startIndex ? q.token.bar : null;
    const list: unknown[] = [];
    const step = q.descending ? -1 : 1;
    let g = q.descending ? min(hi, resume ?? hi) : max(lo, resume ?? lo);
    for (; g >= lo && g <= hi; g += step) {
      if (remaining === 0) {
        if (list.length > 0) bars.set(symbol, list);
        return { bars, next: encodeToken(symbol, g) };
      }
      list.push(market.barWithTime(model, g, barTime(market, g)));
      remaining--;
    }
    if (list.length > 0) bars.set(symbol, list);
  }
  return { bars, next: null };
}

function symbolList(raw: string | null): string[] {
  if (!raw) throw new SimHttpError(400, 40010001, 'symbols is required');
  const list = [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim().toUpperCase())
        .filter((s) => s.length > 0),
    ),
  ];
  if (list.length === 0) throw new SimHttpError(400, 40010001, 'symbols is required');
  for (const symbol of list) {
    if (!/^[A-Z][A-Z0-9.]{0,10}$/.test(symbol)) throw new SimHttpError(400, 40010001, `invalid symbol: ${symbol}`);
  }
  return list.sort();
}

export function multiBars(market: Market, query: URLSearchParams, now: number): Reply {
  const q = parseQuery(query, symbolList(query.get('symbols')), now);
  const { bars, next } = collect(market, q, now);
  return { status: 200, body: { bars: Object.fromEntries(bars), next_page_token: next } };
}

export function singleBars(market: Market, symbol: string, query: URLSearchParams, now: number): Reply {
  const [one] = symbolList(symbol);
  const q = parseQuery(query, [one], now);
  const { bars, next } = collect(market, q, now);
  return { status: 200, body: { bars: bars.get(one) ?? [], symbol: one, next_page_token: next } };
}
