import { HOUR_MS } from './time-units';

const nyParts = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});
const offsetByUtcHour = new Map<number, number>();

/** New York's UTC offset (ms, negative) at an instant; cached per UTC hour (offsets change only on the hour). */
export function newYorkOffsetMs(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  let offset = offsetByUtcHour.get(hour);
  if (offset === undefined) {
    const p = Object.fromEntries(nyParts.formatToParts(new Date(hour * HOUR_MS)).map((x) => [x.type, x.value]));
    offset = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)) - hour * HOUR_MS;
    offsetByUtcHour.set(hour, offset);
  }
  return offset;
}
