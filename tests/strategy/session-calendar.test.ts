import { hourlyBarsPerYear, nyDateOf, nyTimeToMs, sessionHoursBetween, sessionsFromCalendar, weekdaySessions } from '../../strategy/session-calendar';

describe('session calendar', () => {
  it('converts New York wall-clock times across daylight saving', () => {
    expect(new Date(nyTimeToMs('2026-01-05', '09:30')).toISOString()).toBe('2026-01-05T14:30:00.000Z');
    expect(new Date(nyTimeToMs('2026-07-06', '09:30')).toISOString()).toBe('2026-07-06T13:30:00.000Z');
    expect(nyDateOf(Date.parse('2026-01-06T03:00:00Z'))).toBe('2026-01-05');
  });

  it('counts a Friday-afternoon to Monday-morning hold as the session hours in it, not 66 wall-clock hours', () => {
    const fri1430 = nyTimeToMs('2026-03-27', '14:30');
    const mon1030 = nyTimeToMs('2026-03-30', '10:30');
    const sessions = weekdaySessions(fri1430, mon1030);
    expect(sessions).toHaveLength(2);
    expect(sessionHoursBetween(fri1430, mon1030, sessions)).toBeCloseTo(1.5 + 1, 9);
  });

  it('honours holidays and early closes when the broker calendar gives them', () => {
    // 2026-11-26 Thanksgiving (closed), 2026-11-27 closes at 13:00.
    const sessions = sessionsFromCalendar([
      { date: '2026-11-25', open: '09:30', close: '16:00' },
      { date: '2026-11-27', open: '09:30', close: '13:00' },
      { date: '2026-11-30', open: '09:30', close: '16:00' },
    ]);
    const from = nyTimeToMs('2026-11-25', '15:00');
    const to = nyTimeToMs('2026-11-30', '10:00');
    expect(sessionHoursBetween(from, to, sessions)).toBeCloseTo(1 + 3.5 + 0.5, 9);
  });

  it('gives ~7 x 252 hourly session bars a year from a weekday calendar', () => {
    const sessions = weekdaySessions(Date.parse('2025-01-01T00:00:00Z'), Date.parse('2025-12-31T23:00:00Z'));
    const bpy = hourlyBarsPerYear(sessions);
    expect(bpy).toBeGreaterThan(7 * 250);
    expect(bpy).toBeLessThan(7 * 262);
  });
});
