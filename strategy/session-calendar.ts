/**
 * The regular trading session (NYSE, New York time) as epoch-ms intervals, and time measured in session hours.
 * Hold time for EXPIRE is counted in regular-session hours, the unit of the half-life (which is fitted in
 * hourly session bars), so nights, weekends and holidays do not age a trade.
 */
import { newYorkOffsetMs } from './new-york-offset';
import { DAY_MS, HOUR_MS } from './time-units';

export interface Session {
  openMs: number;
  closeMs: number;
}

/** A trading day as the broker's calendar gives it: YYYY-MM-DD and HH:MM New York time. */
export interface SessionDay {
  date: string;
  open: string;
  close: string;
}

export const REGULAR_OPEN = '09:30';
export const REGULAR_CLOSE = '16:00';
/** Full-session hours (09:30..16:00). */
export const SESSION_HOURS = 6.5;

/** Epoch ms of a New York wall-clock time (`date` YYYY-MM-DD, `time` HH:MM). */
export function nyTimeToMs(date: string, time: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  // The offset at the guessed instant is right except within an hour of a DST switch; a second pass settles it.
  const first = wall - newYorkOffsetMs(wall);
  return wall - newYorkOffsetMs(first);
}

/** The New York calendar date (YYYY-MM-DD) of an instant. */
export function nyDateOf(ms: number): string {
  return new Date(ms + newYorkOffsetMs(ms)).toISOString().slice(0, 10);
}

export function sessionsFromCalendar(days: SessionDay[]): Session[] {
  return days.map((d) => ({ openMs: nyTimeToMs(d.date, d.open), closeMs: nyTimeToMs(d.date, d.close) })).sort((a, b) => a.openMs - b.openMs);
}

/**
 * Weekday sessions 09:30..16:00 New York overlapping [startMs, endMs]: the calendar without holidays or early
 * closes, for data that comes without one (backtests on CSVs).
 */
export function weekdaySessions(startMs: number, endMs: number): Session[] {
  const out: Session[] = [];
  if (!(endMs >= startMs)) return out;
  for (let day = Date.parse(`${nyDateOf(startMs)}T00:00:00Z`); day <= endMs + DAY_MS; day += DAY_MS) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const date = new Date(day).toISOString().slice(0, 10);
    const s = { openMs: nyTimeToMs(date, REGULAR_OPEN), closeMs: nyTimeToMs(date, REGULAR_CLOSE) };
    if (s.closeMs > startMs && s.openMs < endMs) out.push(s);
  }
  return out;
}

/** Regular-session hours within [startMs, endMs]: the overlap of the interval with the sessions. */
export function sessionHoursBetween(startMs: number, endMs: number, sessions: Session[]): number {
  if (!(endMs > startMs)) return 0;
  let ms = 0;
  for (const s of sessions) {
    const from = Math.max(startMs, s.openMs);
    const to = Math.min(endMs, s.closeMs);
    if (to > from) ms += to - from;
  }
  return ms / HOUR_MS;
}

/**
 * Hourly session bars a session holds: bars start at the open and on every full hour after it (09:30, 10:30,
 * ..., 15:30 on a full day: 7 bars, the last one half an hour).
 */
export function hourlyBarsInSession(s: Session): number {
  return Math.max(0, Math.ceil((s.closeMs - s.openMs) / HOUR_MS - 1e-9));
}

/** Hourly session bars per year from a calendar: bars in the sessions / years they span. NaN without sessions. */
export function hourlyBarsPerYear(sessions: Session[]): number {
  if (sessions.length === 0) return NaN;
  let bars = 0;
  for (const s of sessions) bars += hourlyBarsInSession(s);
  const first = Date.parse(`${nyDateOf(sessions[0].openMs)}T00:00:00Z`);
  const last = Date.parse(`${nyDateOf(sessions[sessions.length - 1].openMs)}T00:00:00Z`) + DAY_MS;
  return bars / ((last - first) / (365.25 * DAY_MS));
}
