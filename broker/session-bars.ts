/**
 * Regular-session hourly bars from Alpaca 30-minute bars. Alpaca's `1Hour` bars start on UTC hours and include pre-
 * and post-market trades (04:00-20:00 New York), so the adapter asks for `30Min` bars (split-adjusted) and rebuilds
 * hours aligned to the session open from the trading calendar: 09:30, 10:30, ... 15:30 New York, the last one
 * covering 15:30-16:00 (or the half hour before an early close). Every 30-minute bar outside [open, close) of its
 * day is dropped, and so is an hour that has not ended by `endMs` (it would be a partial bar).
 */
import type { RawBar } from './bar-series';
import type { CalendarDay } from './types';
import { newYorkOffsetMs } from '../strategy/new-york-offset';
import { DAY_MS, MINUTE_MS } from '../strategy/time-units';

const HOUR_MINUTES = 60;

/** Session bounds of one New York date in minutes after midnight. */
export interface SessionMinutes {
  open: number;
  close: number;
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function sessionMinutesByDate(days: CalendarDay[]): Map<string, SessionMinutes> {
  return new Map(days.map((d) => [d.date, { open: minutesOf(d.open), close: minutesOf(d.close) }]));
}

/** Number of session-aligned hourly bars of a trading day: 7 on a 09:30-16:00 day, 4 on a 13:00 early close. */
export function sessionBarsOfDay(day: Pick<CalendarDay, 'open' | 'close'>): number {
  return Math.ceil((minutesOf(day.close) - minutesOf(day.open)) / HOUR_MINUTES);
}

const isoDays = new Map<number, string>();
function isoDay(dayNumber: number): string {
  let text = isoDays.get(dayNumber);
  if (text === undefined) {
    text = new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
    isoDays.set(dayNumber, text);
  }
  return text;
}

/** One symbol's 30-minute bars (any order) turned into session-aligned hourly bars, oldest first. */
export function sessionHourlyBars(bars30: RawBar[], sessions: Map<string, SessionMinutes>, endMs: number): RawBar[] {
  const sorted = bars30.map((b) => ({ b, t: Date.parse(b.t) })).sort((x, y) => x.t - y.t);
  const out: RawBar[] = [];
  let current: (RawBar & { start: number }) | null = null;
  let previous = Number.NaN;
  for (const { b, t } of sorted) {
    if (t === previous) continue;
    previous = t;
    const local = t + newYorkOffsetMs(t);
    const date = isoDay(Math.floor(local / DAY_MS));
    const session = sessions.get(date);
    if (!session) continue;
    const minute = Math.floor((local % DAY_MS) / MINUTE_MS);
    if (minute < session.open || minute >= session.close) continue;
    const hour = Math.floor((minute - session.open) / HOUR_MINUTES);
    const start = t - (minute - session.open - hour * HOUR_MINUTES) * MINUTE_MS;
    const end = start + Math.min(HOUR_MINUTES, session.close - session.open - hour * HOUR_MINUTES) * MINUTE_MS;
    if (end > endMs) continue;
    if (current && current.start === start) {
      current.h = Math.max(current.h, b.h);
      current.l = Math.min(current.l, b.l);
      current.c = b.c;
      current.v += b.v;
      continue;
    }
    current = { start, t: new Date(start).toISOString(), o: b.o, h: b.h, l: b.l, c: b.c, v: b.v };
    out.push(current);
  }
  return out.map(({ t, o, h, l, c, v }) => ({ t, o, h, l, c, v }));
}
