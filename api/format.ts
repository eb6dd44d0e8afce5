/** Response formatting shared by the routes. */

/** ISO 8601 with `+00:00` like the spec (and Python's isoformat); milliseconds only when non-zero. */
export function isoUtc(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  const iso = date.toISOString();
  return (date.getUTCMilliseconds() === 0 ? iso.replace('.000Z', 'Z') : iso).replace(/Z$/, '+00:00');
}

/** Dollars to cents; keeps -0 out of responses. */
export function money(value: number): number {
  const rounded = Math.round(value * 100) / 100;
  return rounded === 0 ? 0 : rounded;
}

export const pairName = (pair: { symbol1: string; symbol2: string }): string => `${pair.symbol1}/${pair.symbol2}`;
