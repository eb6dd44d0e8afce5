import { dayNumberOf, formatNewYork, isoDate, nyseHolidays, tradingCalendar } from '../../broker/simulator/nyse-calendar';

const holidays = (y: number): string[] => [...nyseHolidays(y)].sort((a, b) => a - b).map(isoDate);

test('NYSE holidays with weekend observance', () => {
  expect(holidays(2025)).toEqual([
    '2025-01-01',
    '2025-01-20',
    '2025-02-17',
    '2025-04-18',
    '2025-05-26',
    '2025-06-19',
    '2025-07-04',
    '2025-09-01',
    '2025-11-27',
    '2025-12-25',
  ]);
  // July 4 2026 is a Saturday: observed Friday July 3.
  expect(holidays(2026)).toEqual([
    '2026-01-01',
    '2026-01-19',
    '2026-02-16',
    '2026-04-03',
    '2026-05-25',
    '2026-06-19',
    '2026-07-03',
    '2026-09-07',
    '2026-11-26',
    '2026-12-25',
  ]);
  // Jan 1 2023 was a Sunday (observed Monday Jan 2); Jan 1 2022 a Saturday (not observed); no Juneteenth before 2022.
  expect(holidays(2023)).toContain('2023-01-02');
  expect(holidays(2022)).not.toContain('2021-12-31');
  expect(holidays(2021).some((d) => d.endsWith('-06-18') || d.endsWith('-06-19'))).toBe(false);
  expect(holidays(2027)).toContain('2027-06-18'); // Juneteenth on a Saturday → Friday
});

test('sessions: DST-aware opens, early closes, 7 hourly bars a day (4 on early closes)', () => {
  const cal = tradingCalendar();
  const winter = cal.currentOrNextSession(Date.UTC(2025, 0, 6, 12));
  expect([new Date(winter.openMs).toISOString(), new Date(winter.closeMs).toISOString()]).toEqual([
    '2025-01-06T14:30:00.000Z',
    '2025-01-06T21:00:00.000Z',
  ]);
  const summer = cal.currentOrNextSession(Date.UTC(2025, 6, 7, 12));
  expect(new Date(summer.openMs).toISOString()).toBe('2025-07-07T13:30:00.000Z');
  const blackFriday = cal.currentOrNextSession(Date.UTC(2025, 10, 28, 12));
  expect(blackFriday).toMatchObject({ date: '2025-11-28', earlyClose: true });
  expect(new Date(blackFriday.closeMs).toISOString()).toBe('2025-11-28T18:00:00.000Z');

  const first = cal.firstBarAtOrAfter(winter.openMs);
  const starts = Array.from({ length: 8 }, (_, k) => new Date(cal.barStart(first + k)).toISOString().slice(11, 16));
  expect(starts).toEqual(['14:30', '15:30', '16:30', '17:30', '18:30', '19:30', '20:30', '14:30']);
  expect(cal.barEnd(first + 6)).toBe(winter.closeMs); // the 15:30 ET bar ends at the 16:00 close
  const early = cal.firstBarAtOrAfter(blackFriday.openMs);
  expect(cal.barEnd(early + 3)).toBe(blackFriday.closeMs);
  expect(new Date(cal.barStart(early + 4)).toISOString()).toBe('2025-12-01T14:30:00.000Z');
  expect(cal.lastCompletedBar(winter.openMs + 3_600_000)).toBe(first);
  expect(cal.lastCompletedBar(winter.openMs + 3_599_999)).toBe(first - 1);
});

test('clock across a weekend and the New York offset formatting', () => {
  const cal = tradingCalendar();
  const friday = Date.UTC(2025, 2, 7, 22); // after Friday's close
  const clock = cal.clock(friday);
  expect(clock.isOpen).toBe(false);
  expect(new Date(clock.nextOpen).toISOString()).toBe('2025-03-10T13:30:00.000Z');
  expect(formatNewYork(Date.UTC(2024, 4, 1, 14, 15, 0, 123))).toBe('2024-05-01T10:15:00.123-04:00');
  expect(formatNewYork(Date.UTC(2024, 0, 2, 15))).toBe('2024-01-02T10:00:00.000-05:00');
  expect(dayNumberOf(1970, 1, 1)).toBe(0);
});
