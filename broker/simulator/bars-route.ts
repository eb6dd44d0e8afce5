/**
 * GET /v2/stocks/bars and /v2/stocks/{symbol}/bars, cut from the 30-minute slots of session-slots.ts as Alpaca
 * serves them: intraday bars start at UTC multiples of their length (so `1Hour` bars run 13:00Z, 14:00Z, ... and
 * cover pre- and post-market), exist only for intervals with trades (none while halted or after a delisting), and are
 * labelled by their start; `1Day` bars are labelled 00:00 New York and span the regular session. `adjustment`
 * raw (default) | split | dividend | all: split-adjusted prices are divided by the splits up to the simulated now
 * (there are no dividends, so `dividend` = raw and `all` = split). Paginated as Alpaca does: symbols sorted, then
 * time; `limit` (default 1000, max 10000) caps the bars of a page across all symbols; `next_page_token` is opaque
 * and null on the last page. Only completed bars (end <= simulated now) are served.
 */
import { SimHttpError } from './exchange';
import { parseIntParam, parseTimestamp, type Reply } from './http-util';
import type { SymbolModel } from './market';
import { newYorkDay, newYorkMidnight } from './market-events';
import type { PriceBook } from './price-book';
import { DAY_SPAN_BEFORE_OPEN_MS, SLOT_MS, sessionSlots, type Slot } from './session-slots';
import { DAY_MS, MINUTE_MS } from '../../strategy/time-units';
/** Module-level aliases: global lookups are slow inside Jest's vm sandbox, and these run per bar. */
const { max, min, round } = Math;

type Adjustment = 'raw' | 'split' | 'dividend' | 'all';
const ADJUSTMENTS = new Set<string>(['raw', 'split', 'dividend', 'all']);

/** How bars are cut: from minutes (lengths dividing 30 minutes), from slots (30 minutes and whole hours), or by day. */
interface Timeframe {
  unit: 'minute' | 'slot' | 'day';
  bucketMs: number;
}

interface BarQuery {
  symbols: string[];
  startMs: number;
  endMs: number;
  limit: number;
  descending: boolean;
  timeframe: Timeframe;
  adjustment: Adjustment;
  token: { symbol: string; t: number } | null;
}

interface OutBar {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  notional: number;
}

function encodeToken(symbol: string, t: number): string {
  return Buffer.from(`${symbol}|${t}`).toString('base64');
}

function decodeToken(token: string, symbols: string[]): { symbol: string; t: number } {
  const text = Buffer.from(token, 'base64').toString('utf8');
  const [symbol, t] = text.split('|');
  if (!symbol || !/^\d+$/.test(t ?? '') || !symbols.includes(symbol)) throw new SimHttpError(400, 40010001, 'invalid page_token');
  return { symbol, t: Number(t) };
}

export function parseTimeframe(raw: string): Timeframe {
  const m = /^(\d+)(Min|T|Hour|H|Day|D|Week|W|Month|M)$/.exec(raw);
  if (!m) throw new SimHttpError(400, 40010001, `invalid timeframe: ${raw}`);
  const n = Number(m[1]);
  const unit = m[2];
  if ((unit === 'Min' || unit === 'T') && n >= 1 && n <= 59 && 30 % n === 0) {
    return n === 30 ? { unit: 'slot', bucketMs: SLOT_MS } : { unit: 'minute', bucketMs: n * MINUTE_MS };
  }
  if ((unit === 'Min' || unit === 'T') && n === 60) return { unit: 'slot', bucketMs: 60 * MINUTE_MS };
  if ((unit === 'Hour' || unit === 'H') && n >= 1 && n <= 23) return { unit: 'slot', bucketMs: n * 60 * MINUTE_MS };
  if ((unit === 'Day' || unit === 'D') && n === 1) return { unit: 'day', bucketMs: DAY_MS };
  if (/^(Min|T)$/.test(unit) ? n >= 1 && n <= 59 : /^(Hour|H)$/.test(unit) ? n >= 1 && n <= 23 : n >= 1) {
    throw new SimHttpError(422, 40010001, `timeframe ${raw} is not served by the simulator (NMin with N dividing 30, NHour, 1Day)`);
  }
  throw new SimHttpError(400, 40010001, `invalid timeframe: ${raw}`);
}

function parseQuery(query: URLSearchParams, symbols: string[], now: number): BarQuery {
  const timeframe = query.get('timeframe');
  if (!timeframe) throw new SimHttpError(400, 40010001, 'timeframe is required');
  const tf = parseTimeframe(timeframe);
  const today = new Date(now);
  const start = query.get('start');
  const end = query.get('end');
  const startMs = start ? parseTimestamp(start, 'start') : Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const endMs = end ? parseTimestamp(end, 'end') : now;
  if (endMs < startMs) throw new SimHttpError(400, 40010001, 'end should not be before start');
  const sort = query.get('sort') ?? 'asc';
  if (sort !== 'asc' && sort !== 'desc') throw new SimHttpError(400, 40010001, `invalid sort: ${sort}`);
  const adjustment = query.get('adjustment') ?? 'raw';
  if (!ADJUSTMENTS.has(adjustment)) throw new SimHttpError(400, 40010001, `invalid adjustment: ${adjustment}`);
  const limit = parseIntParam(query.get('limit'), 'limit', 1, 10_000, 1000);
  const pageToken = query.get('page_token');
  return {
    symbols,
    startMs,
    endMs,
    limit,
    descending: sort === 'desc',
    timeframe: tf,
    adjustment: adjustment as Adjustment,
    token: pageToken ? decodeToken(pageToken, symbols) : null,
  };
}

/** The slot cut into minute bars: linear from its open to its close, as the trade price is. */
function minutesOf(slot: Slot, out: OutBar[], book: PriceBook, symbol: string): void {
  const count = (slot.end - slot.t) / MINUTE_MS;
  const stops = book.events.hasStops(symbol);
  for (let m = 0; m < count; m++) {
    const t = slot.t + m * MINUTE_MS;
    if (stops && book.events.overlapsStop(symbol, t, t + MINUTE_MS)) continue;
    const o = slot.o + ((slot.c - slot.o) * m) / count;
    const c = slot.o + ((slot.c - slot.o) * (m + 1)) / count;
    const v = round(slot.v / count);
    out.push({ t, o, c, h: max(o, c) * 1.0002, l: min(o, c) * 0.9998, v, notional: (v * (o + c)) / 2 });
  }
}

/**
 * Completed bars of one symbol with a start in [startMs, endMs], oldest first. Model prices are divided, and model
 * volumes multiplied, by the split factor of the bar's day (raw) or of the simulated today (split-adjusted).
 */
function symbolBars(book: PriceBook, model: SymbolModel, q: BarQuery, now: number): OutBar[] {
  const { market, events } = book;
  const calendar = market.calendar;
  const hi = min(q.endMs, now);
  const out: OutBar[] = [];
  if (hi < q.startMs) return out;
  const adjusted = q.adjustment === 'split' || q.adjustment === 'all';
  const todayFactor = events.splitFactor(model.symbol, newYorkDay(now));
  const stops = events.hasStops(model.symbol);
  const { unit, bucketMs } = q.timeframe;
  let current: OutBar | null = null;
  const flush = (): void => {
    if (current && current.t >= q.startMs && current.t <= q.endMs && (unit === 'day' || current.t + bucketMs <= now)) out.push(current);
    current = null;
  };
  const add = (key: number, b: OutBar, factor: number): void => {
    if (current && current.t !== key) flush();
    current ??= { t: key, o: b.o / factor, h: b.h / factor, l: b.l / factor, c: b.c / factor, v: 0, notional: 0 };
    current.h = max(current.h, b.h / factor);
    current.l = min(current.l, b.l / factor);
    current.c = b.c / factor;
    current.v += b.v * factor;
    current.notional += b.notional;
  };
  const minutes: OutBar[] = [];
  for (let si = max(0, calendar.sessionIndexAt(q.startMs - DAY_MS)); si < calendar.sessions.length; si++) {
    const session = calendar.sessions[si];
    if (session.openMs - DAY_SPAN_BEFORE_OPEN_MS > hi) break;
    if (unit === 'day' && session.closeMs > now) break;
    const factor = adjusted ? todayFactor : events.splitFactor(model.symbol, session.dayNumber);
    const dayKey = newYorkMidnight(session.dayNumber);
    for (const slot of sessionSlots(market, model, si)) {
      if (stops && unit !== 'minute' && events.overlapsStop(model.symbol, slot.t, slot.end)) continue;
      if (unit === 'minute') {
        minutes.length = 0;
        minutesOf(slot, minutes, book, model.symbol);
        for (const m of minutes) add(Math.floor(m.t / bucketMs) * bucketMs, m, factor);
        continue;
      }
      const bar: OutBar = {
        t: slot.t,
        o: slot.o,
        h: slot.h,
        l: slot.l,
        c: slot.c,
        v: slot.v,
        notional: (slot.v * (slot.o + slot.h + slot.l + slot.c)) / 4,
      };
      if (unit === 'slot') add(Math.floor(slot.t / bucketMs) * bucketMs, bar, factor);
      else if (slot.regular) add(dayKey, bar, factor);
    }
  }
  flush();
  return out;
}

const round2 = (x: number): number => round(x * 100) / 100;
/** RFC3339 bar times by epoch ms; formatting dominated bar serving without this cache (bar starts are few and repeat). */
const barTimes = new Map<number, string>();
function rfc3339(ms: number): string {
  let text = barTimes.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString().replace('.000Z', 'Z');
    if (barTimes.size >= 500_000) barTimes.clear(); // minute bars over years would otherwise grow it without bound
    barTimes.set(ms, text);
  }
  return text;
}

function barJson(b: OutBar): Record<string, unknown> {
  const v = round(b.v);
  return {
    t: rfc3339(b.t),
    o: round2(b.o),
    h: round2(b.h),
    l: round2(b.l),
    c: round2(b.c),
    v,
    n: max(1, round(v / 120)),
    vw: v > 0 ? round((b.notional / b.v) * 10_000) / 10_000 : round2(b.c),
  };
}

function collect(book: PriceBook, q: BarQuery, now: number): { bars: Map<string, unknown[]>; next: string | null } {
  const bars = new Map<string, unknown[]>();
  let remaining = q.limit;
  const startIndex = q.token ? q.symbols.indexOf(q.token.symbol) : 0;
  for (let s = startIndex; s < q.symbols.length; s++) {
    const symbol = q.symbols[s];
    const model = book.market.get(symbol);
    if (!model) continue;
    const resume = q.token && s === startIndex ? q.token.t : null;
    // Resuming an ascending page: bars before the token's bar need not be cut again.
    let all = symbolBars(book, model, resume !== null && !q.descending ? { ...q, startMs: Math.max(q.startMs, resume) } : q, now);
    if (q.descending) all = all.reverse();
    if (resume !== null) all = all.filter((b) => (q.descending ? b.t <= resume : b.t >= resume));
    const list: unknown[] = [];
    for (const b of all) {
      if (remaining === 0) {
        if (list.length > 0) bars.set(symbol, list);
        return { bars, next: encodeToken(symbol, b.t) };
      }
      list.push(barJson(b));
      remaining--;
    }
    if (list.length > 0) bars.set(symbol, list);
  }
  return { bars, next: null };
}

export function symbolList(raw: string | null): string[] {
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

export function multiBars(book: PriceBook, query: URLSearchParams, now: number): Reply {
  const q = parseQuery(query, symbolList(query.get('symbols')), now);
  const { bars, next } = collect(book, q, now);
  return { status: 200, body: { bars: Object.fromEntries(bars), next_page_token: next } };
}

export function singleBars(book: PriceBook, symbol: string, query: URLSearchParams, now: number): Reply {
  const [one] = symbolList(symbol);
  const q = parseQuery(query, [one], now);
  const { bars, next } = collect(book, q, now);
  return { status: 200, body: { bars: bars.get(one) ?? [], symbol: one, next_page_token: next } };
}
