/** The adapter's rebuild of session-aligned hourly bars from Alpaca 30-minute bars (pure, no broker). */
import type { RawBar } from '../../broker/bar-series';
import { sessionBarsOfDay, sessionHourlyBars, sessionMinutesByDate } from '../../broker/session-bars';
import { newYorkOffsetMs } from '../../strategy/new-york-offset';

const HALF = 30 * 60_000;

/** Every 30-minute bar of a New York day from 04:00 to 20:00, close = its index, volume 1. */
function day(date: string, utcOffsetHours: number): RawBar[] {
  const start = Date.parse(`${date}T04:00:00Z`) + utcOffsetHours * 3_600_000;
  return Array.from({ length: 32 }, (_, k) => ({ t: new Date(start + k * HALF).toISOString(), o: k, h: k + 0.5, l: k - 0.5, c: k + 1, v: 1 }));
}

const sessions = sessionMinutesByDate([
  { date: '2025-03-07', open: '09:30', close: '16:00' },
  { date: '2025-03-10', open: '09:30', close: '16:00' },
  { date: '2025-07-03', open: '09:30', close: '13:00' },
]);

test('New York offsets follow daylight saving', () => {
  expect(newYorkOffsetMs(Date.parse('2025-03-07T15:00:00Z'))).toBe(-5 * 3_600_000);
  expect(newYorkOffsetMs(Date.parse('2025-03-10T15:00:00Z'))).toBe(-4 * 3_600_000);
});

test('regular-session hours at 09:30..15:30 New York on both sides of the DST change; extended hours dropped', () => {
  const bars = sessionHourlyBars([...day('2025-03-10', 4), ...day('2025-03-07', 5)], sessions, Date.parse('2025-03-11T00:00:00Z'));
  expect(bars.map((b) => b.t)).toEqual([
    ...['14:30', '15:30', '16:30', '17:30', '18:30', '19:30', '20:30'].map((h) => `2025-03-07T${h}:00.000Z`),
    ...['13:30', '14:30', '15:30', '16:30', '17:30', '18:30', '19:30'].map((h) => `2025-03-10T${h}:00.000Z`),
  ]);
  // 09:30 is the 12th half hour of the day (index 11): open of it, close of the 10:00 half, volume of both.
  expect(bars[0]).toEqual({ t: '2025-03-07T14:30:00.000Z', o: 11, h: 12.5, l: 10.5, c: 13, v: 2 });
  // 15:30-16:00 is one half hour.
  expect(bars[6]).toMatchObject({ o: 23, c: 24, v: 1 });
});

test('an early close ends the session: 4 bars, the last one 12:30-13:00; post-market of that day dropped', () => {
  const bars = sessionHourlyBars(day('2025-07-03', 4), sessions, Date.parse('2025-07-04T00:00:00Z'));
  expect(bars.map((b) => b.t.slice(11, 16))).toEqual(['13:30', '14:30', '15:30', '16:30']);
  expect(bars[3]).toMatchObject({ o: 17, c: 18, v: 1 });
  expect(sessionBarsOfDay({ open: '09:30', close: '13:00' })).toBe(4);
  expect(sessionBarsOfDay({ open: '09:30', close: '16:00' })).toBe(7);
});

test('an hour not ended by endMs is left out; repeated bars count once; days missing from the calendar are dropped', () => {
  const bars = day('2025-03-07', 5);
  const at1015 = Date.parse('2025-03-07T15:15:00Z');
  expect(sessionHourlyBars(bars, sessions, at1015)).toEqual([]);
  const at1030 = Date.parse('2025-03-07T15:30:00Z');
  expect(sessionHourlyBars([...bars, ...bars], sessions, at1030)).toEqual([{ t: '2025-03-07T14:30:00.000Z', o: 11, h: 12.5, l: 10.5, c: 13, v: 2 }]);
  expect(sessionHourlyBars(day('2025-03-08', 5), sessions, Date.parse('2025-03-09T00:00:00Z'))).toEqual([]);
});
