/**
 * The underlying path every timeframe is cut from: 30-minute slots of one trading day, in model price units.
 *
 * - Pre-market 04:00 to the 09:30 open (11 slots) and post-market from the close for 4 hours (8 slots): thin,
 *   noisy prints around the previous / this session's close; about one slot in five has no trade and no bar.
 * - Regular session: each hour of the session grid (Market's hourly path, 09:30, 10:30, ... 15:30) is split into
 *   two halves, linear from the previous close to the hour's close, as the trade price (Market.priceAt) is; the
 *   15:30-16:00 hour (and the last half hour before an early close) is one slot.
 * So session-aligned hourly bars rebuilt from 30-minute slots have exactly the Market's hourly opens and closes.
 */
import { hashString, normalAt, uniformAt } from './rng';
import type { Market, SymbolModel } from './market';
import { HOUR_MS, MINUTE_MS } from '../../strategy/time-units';
/** Module-level aliases: global lookups are slow inside Jest's vm sandbox, and these run per bar. */
const { abs, exp, max, min, round } = Math;

export const SLOT_MS = 30 * MINUTE_MS;
/** Pre-market starts 5.5 hours before the 09:30 open (04:00 New York). */
const PRE_MARKET_MS = 5.5 * HOUR_MS;
/** Post-market lasts 4 hours after the close (20:00, or 17:00 after a 13:00 early close). */
const POST_MARKET_MS = 4 * HOUR_MS;
const SLOTS_PER_DAY = 40;
const EXTENDED_NO_TRADE = 0.2;
const EXTENDED_SIGMA = 0.004;

export interface Slot {
  t: number;
  end: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  regular: boolean;
}

/** The slots of session si with trades, oldest first; none for sessions before the start of history. */
export function sessionSlots(market: Market, model: SymbolModel, si: number): Slot[] {
  const calendar = market.calendar;
  const session = calendar.sessions[si];
  const first = calendar.firstBarOfSession(si) - market.firstBar;
  if (first < 0 || !session) return [];
  const seed = market.seed;
  const barStream = hashString(model.symbol) ^ 0x5bd1e995;
  const halfStream = hashString(model.symbol) ^ 0x2c1b3c6d;
  const extStream = hashString(model.symbol) ^ 0x7f4a7c15;
  const slots: Slot[] = [];

  const extended = (anchor: number, from: number, count: number, k0: number): void => {
    for (let k = 0; k < count; k++) {
      const idx = si * SLOTS_PER_DAY + k0 + k;
      if (uniformAt(seed, extStream, idx) < EXTENDED_NO_TRADE) continue;
      const o = k === 0 ? anchor : anchor * exp(EXTENDED_SIGMA * normalAt(seed, extStream + 1, idx - 1));
      const c = anchor * exp(EXTENDED_SIGMA * normalAt(seed, extStream + 1, idx));
      const t = from + k * SLOT_MS;
      slots.push({
        t,
        end: t + SLOT_MS,
        o,
        c,
        h: max(o, c) * (1 + 0.001 * abs(normalAt(seed, extStream + 2, idx))),
        l: min(o, c) * (1 - 0.001 * abs(normalAt(seed, extStream + 3, idx))),
        v: round(2_000 * exp(0.7 * normalAt(seed, extStream + 4, idx))),
        regular: false,
      });
    }
  };

  extended(market.close(model, max(0, first - 1)), session.openMs - PRE_MARKET_MS, 11, 0);
  const hours = Math.ceil((session.closeMs - session.openMs) / HOUR_MS);
  for (let h = 0; h < hours; h++) {
    const i = first + h;
    const c = market.close(model, i);
    const o = i === 0 ? c : market.close(model, i - 1);
    const v = round(50_000 * exp(0.5 * normalAt(seed, barStream + 2, i)));
    const start = session.openMs + h * HOUR_MS;
    const end = min(start + HOUR_MS, session.closeMs);
    const halves = end - start > SLOT_MS ? 2 : 1;
    const mid = halves === 2 ? (o + c) / 2 : c;
    for (let half = 0; half < halves; half++) {
      const so = half === 0 ? o : mid;
      const sc = half === 0 ? mid : c;
      const t = start + half * SLOT_MS;
      slots.push({
        t,
        end: t + SLOT_MS,
        o: so,
        c: sc,
        h: max(so, sc) * (1 + 0.0011 * abs(normalAt(seed, halfStream, 2 * i + half))),
        l: min(so, sc) * (1 - 0.0011 * abs(normalAt(seed, halfStream + 1, 2 * i + half))),
        v: halves === 1 ? v : half === 0 ? round(v / 2) : v - round(v / 2),
        regular: true,
      });
    }
  }
  extended(market.close(model, first + hours - 1), session.closeMs, POST_MARKET_MS / SLOT_MS, 11 + 2 * hours);
  return slots;
}

/** Earliest extended-hours start of a session relative to its open, for range searches. */
export const DAY_SPAN_BEFORE_OPEN_MS = PRE_MARKET_MS;
