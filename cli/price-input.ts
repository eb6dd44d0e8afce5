/** Helpers shared by the analyze and discover commands: reading a price CSV and option parsing. */
import { readFileSync } from 'node:fs';
import { parsePriceCsv, PriceDataError, type PriceMatrix } from '../strategy/price-matrix';
import { UsageError } from './errors';

/** Runs `body`, turning input errors (bad data, out-of-range values) into UsageError (exit 2). */
export function asUsageError<T>(body: () => T): T {
  try {
    return body();
  } catch (err) {
    if (err instanceof PriceDataError || err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
}

export function loadPriceCsv(file: string): PriceMatrix {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new UsageError(`cannot read price CSV ${file}: ${reason}`);
  }
  return asUsageError(() => {
    try {
      return parsePriceCsv(text);
    } catch (err) {
      if (err instanceof PriceDataError) throw new PriceDataError(err.code, `${file}: ${err.message}`);
      throw err;
    }
  });
}

export function parseIntegerOption(name: string, raw: string, min: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new UsageError(`${name} must be an integer >= ${min}, got '${raw}'`);
  const value = Number(raw);
  if (value < min) throw new UsageError(`${name} must be an integer >= ${min}, got '${raw}'`);
  return value;
}

export function parseNumberOption(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`${name} must be a number between ${min} and ${max}, got '${raw}'`);
  }
  return value;
}

/** Fixed decimals for ordinary magnitudes, exponent notation for tiny ones, '-' for null. */
export function formatNumber(v: number | null | undefined, digits: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  if (v !== 0 && Math.abs(v) < Math.pow(10, -digits + 1)) return v.toExponential(2);
  return v.toFixed(digits);
}
