/**
 * NYSE trading calendar and the simulator's hourly bar grid.
 *
 * Sessions run 09:30-16:00 New York time (13:00 on early-close days: July 3 and December 24 when they fall
 * Monday-Thursday, and the day after Thanksgiving). Holidays follow NYSE rules with weekend observance
 * (a Saturday New Year's Day is not observed). Hourly bars start at 09:30, 10:30, ... 15:30 ET, so a full
 * day has 7 bars and the last one covers only 15:30-16:00; an early-close day has 4 (09:30..12:30).
 * Each bar is labelled by its start and becomes visible once its end has passed on the simulated clock.
 */
import * as timeUnits from '../../strategy/time-units';

/** Module-level aliases: global and imported-binding lookups are slow inside Jest's vm sandbox, and these run per bar. */
const { abs, ceil, floor, max, min, round } = Math;
const { DAY_MS, HOUR_MS, MINUTE_MS } = timeUnits;

const FIRST_YEAR = 2000;
const LAST_YEAR = 2060;

export interface Session {
  /** Days since 1970-01-01 of the New York calendar date. */
  dayNumber: number;
  date: string;
  openMs: number;
  closeMs: number;
  earlyClose: boolean;
}

function ymd(dayNumber: number): { y: number; m: number; d: number; weekday: number } {
  const date = new Date(dayNumber * DAY_MS);
  return { y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate(), weekday: date.getUTCDay() };
}

export function dayNumberOf(y: number, m: number, d: number): number {
  return round(Date.UTC(y, m - 1, d) / DAY_MS);
}

export function isoDate(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/** The n-th (1-based) given weekday of a month; n = -1 for the last. */
function nthWeekday(y: number, m: number, weekday: number, n: number): number {
  if (n > 0) {
    const first = dayNumberOf(y, m, 1);
    const offset = (weekday - ymd(first).weekday + 7) % 7;
    return first + offset + (n - 1) * 7;
  }
  const last = dayNumberOf(y, m + 1, 1) - 1;
  return last - ((ymd(last).weekday - weekday + 7) % 7);
}

/** Gregorian Easter Sunday (anonymous algorithm). */
function easter(y: number): number {
  const a = y % 19,
    b = floor(y / 100),
    c = y % 100,
    d = floor(b / 4),
    e = b % 4;
  const f = floor((b + 8) / 25),
    g = floor((b - f + 1) / 3),
    h = (19 * a + b - d - g + 15) % 30;
  const i = floor(c / 4),
    k = c % 4,
    l = (32 + 2 * e + 2 * i - h - k) % 7,
    m = floor((a + 11 * h + 22 * l) / 451);
  const month = floor((h + l - 7 * m + 114) / 31),
    day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayNumberOf(y, month, day);
}

/** Saturday holidays move to Friday, Sunday ones to Monday. */
function observed(dayNumber: number): number {
  const { weekday } = ymd(dayNumber);
  return weekday === 6 ? dayNumber - 1 : weekday === 0 ? dayNumber + 1 : dayNumber;
}

export function nyseHolidays(y: number): Set<number> {
  const days = new Set<number>();
  const newYear = dayNumberOf(y, 1, 1);
  if (ymd(newYear).weekday !== 6) days.add(observed(newYear));
  if (y >= 1998) days.add(nthWeekday(y, 1, 1, 3));
  days.add(nthWeekday(y, 2, 1, 3));
  days.add(easter(y) - 2);
  days.add(nthWeekday(y, 5, 1, -1));
  if (y >= 2022) days.add(observed(dayNumberOf(y, 6, 19)));
  days.add(observed(dayNumberOf(y, 7, 4)));
  days.add(nthWeekday(y, 9, 1, 1));
  days.add(nthWeekday(y, 11, 4, 4));
  days.add(observed(dayNumberOf(y, 12, 25)));
  return days;
}

function earlyCloses(y: number): Set<number> {
  const days = new Set<number>();
  const july3 = dayNumberOf(y, 7, 3);
  if (ymd(july3).weekday >= 1 && ymd(july3).weekday <= 4) days.add(july3);
  days.add(nthWeekday(y, 11, 4, 4) + 1);
  const christmasEve = dayNumberOf(y, 12, 24);
  if (ymd(christmasEve).weekday >= 1 && ymd(christmasEve).weekday <= 4) days.add(christmasEve);
  return days;
}

/** US daylight saving (since 2007): from 02:00 local on the 2nd Sunday of March to 02:00 on the 1st Sunday of November. */
const dstBounds = new Map<number, [number, number]>();
export function newYorkOffsetMinutes(ms: number): number {
  const y = new Date(ms).getUTCFullYear();
  let bounds = dstBounds.get(y);
  if (!bounds) {
    bounds = [nthWeekday(y, 3, 0, 2) * DAY_MS + 7 * HOUR_MS, nthWeekday(y, 11, 0, 1) * DAY_MS + 6 * HOUR_MS];
    dstBounds.set(y, bounds);
  }
  return ms >= bounds[0] && ms < bounds[1] ? -240 : -300;
}

/** RFC3339 in New York offset, e.g. 2024-05-01T10:15:00.123-04:00 (as Alpaca's clock). */
export function formatNewYork(ms: number): string {
  const offset = newYorkOffsetMinutes(ms);
  const local = new Date(ms + offset * MINUTE_MS).toISOString().slice(0, 23);
  const minutes = abs(offset);
  return `${local}${offset < 0 ? '-' : '+'}${String(floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** All sessions 2000..2060 plus the bar grid; built once per process (~15k sessions). */
export class TradingCalendar {
  readonly sessions: Session[] = [];
  private readonly openMs: Float64Array;
  /** Global bar number of each session's first bar (counted from 2000). */
  private readonly firstBar: Float64Array;
  readonly totalBars: number;

  constructor() {
    let bars = 0;
    const firstBars: number[] = [];
    const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));
    for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) {
      const holidays = nyseHolidays(y);
      const early = earlyCloses(y);
      newYorkOffsetMinutes(Date.UTC(y, 5, 1));
      const [dstStart, dstEnd] = dstBounds.get(y)!;
      let day = dayNumberOf(y, 1, 1);
      for (let m = 1; m <= 12; m++) {
        const daysInMonth = dayNumberOf(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1) - dayNumberOf(y, m, 1);
        for (let d = 1; d <= daysInMonth; d++, day++) {
          const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday
          if (weekday === 0 || weekday === 6 || holidays.has(day)) continue;
          const noonUtc = day * DAY_MS + 12 * HOUR_MS;
          const offsetMs = (noonUtc >= dstStart && noonUtc < dstEnd ? -240 : -300) * MINUTE_MS;
          const openMs = day * DAY_MS + 9.5 * HOUR_MS - offsetMs;
          const isEarly = early.has(day);
          const closeMs = day * DAY_MS + (isEarly ? 13 : 16) * HOUR_MS - offsetMs;
          this.sessions.push({ dayNumber: day, date: `${y}-${pad(m)}-${pad(d)}`, openMs, closeMs, earlyClose: isEarly });
          firstBars.push(bars);
          bars += isEarly ? 4 : 7;
        }
      }
    }
    this.openMs = Float64Array.from(this.sessions, (s) => s.openMs);
    this.firstBar = Float64Array.from(firstBars);
    this.totalBars = bars;
  }

  /** Index of the last session whose open is <= ms, or -1. */
  sessionIndexAt(ms: number): number {
    let lo = 0,
      hi = this.openMs.length - 1,
      found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.openMs[mid] <= ms) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  isOpen(ms: number): boolean {
    const i = this.sessionIndexAt(ms);
    return i >= 0 && ms < this.sessions[i].closeMs;
  }

  /** The session in progress at ms, else the next one to open. */
  currentOrNextSession(ms: number): Session {
    const i = this.sessionIndexAt(ms);
    if (i >= 0 && ms < this.sessions[i].closeMs) return this.sessions[i];
    return this.sessions[i + 1];
  }

  clock(ms: number): { isOpen: boolean; nextOpen: number; nextClose: number } {
    const i = this.sessionIndexAt(ms);
    const open = i >= 0 && ms < this.sessions[i].closeMs;
    const next = this.sessions[i + 1];
    return { isOpen: open, nextOpen: next.openMs, nextClose: open ? this.sessions[i].closeMs : next.closeMs };
  }

  /** Sessions whose date lies in [fromDay, toDay] (day numbers). */
  sessionsBetween(fromDay: number, toDay: number): Session[] {
    const out: Session[] = [];
    let i = max(0, this.sessionIndexAt(fromDay * DAY_MS));
    for (; i < this.sessions.length && this.sessions[i].dayNumber <= toDay; i++) {
      if (this.sessions[i].dayNumber >= fromDay) out.push(this.sessions[i]);
    }
    return out;
  }

  settlementDate(sessionIndex: number): string {
    const session = this.sessions[sessionIndex];
    const lag = session.date >= '2024-05-28' ? 1 : 2;
    return this.sessions[min(sessionIndex + lag, this.sessions.length - 1)].date;
  }

  indexOfSession(session: Session): number {
    return this.sessionIndexAt(session.openMs);
  }

  /** Global bar number of the first bar of session i. */
  firstBarOfSession(i: number): number {
    return this.firstBar[i];
  }

  /** Start time of global bar g. */
  barStart(g: number): number {
    let lo = 0,
      hi = this.firstBar.length - 1,
      found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.firstBar[mid] <= g) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return this.openMs[found] + (g - this.firstBar[found]) * HOUR_MS;
  }

  barEnd(g: number): number {
    const start = this.barStart(g);
    const session = this.sessions[this.sessionIndexAt(start)];
    return min(start + HOUR_MS, session.closeMs);
  }

  /** First global bar whose start is >= ms. */
  firstBarAtOrAfter(ms: number): number {
    const i = this.sessionIndexAt(ms);
    if (i < 0) return 0;
    const session = this.sessions[i];
    if (ms >= session.closeMs) return this.firstBar[i + 1];
    return this.firstBar[i] + ceil((ms - session.openMs) / HOUR_MS);
  }

  /** Last global bar whose start is <= ms (-1 if none). */
  lastBarStartingAtOrBefore(ms: number): number {
    const i = this.sessionIndexAt(ms);
    if (i < 0) return -1;
    const session = this.sessions[i];
    const count = ceil((session.closeMs - session.openMs) / HOUR_MS);
    return this.firstBar[i] + min(count - 1, floor((ms - session.openMs) / HOUR_MS));
  }

  /** Last global bar completely finished at ms (its end <= ms), -1 if none. */
  lastCompletedBar(ms: number): number {
    const g = this.lastBarStartingAtOrBefore(ms);
    if (g < 0) return -1;
    return this.barEnd(g) <= ms ? g : g - 1;
  }
}

let shared: TradingCalendar | undefined;
export function tradingCalendar(): TradingCalendar {
  shared ??= new TradingCalendar();
  return shared;
}
