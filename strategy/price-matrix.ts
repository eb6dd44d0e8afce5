/**
 * Price matrix: CSV text with a `timestamp` column (ISO 8601) followed by one price column per
 * symbol, parsed and validated into typed arrays. Pure: takes text, never reads files.
 */

export interface PriceMatrix {
  /** Bar times, epoch milliseconds, strictly increasing. */
  timestamps: Float64Array;
  /** Symbols in CSV column order. */
  symbols: string[];
  /** prices[k] = the price series of symbols[k], one value per bar. */
  prices: Float64Array[];
}

/** Fewest bars accepted: below this the lag search and the rolling statistics are meaningless. */
export const MIN_BARS = 50;

export type PriceDataErrorCode =
  | 'empty'
  | 'missing_column'
  | 'duplicate_column'
  | 'ragged_row'
  | 'non_numeric'
  | 'non_positive'
  | 'bad_timestamp'
  | 'too_few_bars'
  | 'constant_series'
  | 'unknown_symbol';

/** Input that cannot be analysed; `message` is one line fit for a user. */
export class PriceDataError extends Error {
  override name = 'PriceDataError';
  constructor(
    readonly code: PriceDataErrorCode,
    message: string,
  ) {
    super(message);
  }
}

// Date, then optional time with optional seconds/fraction and zone (Z or +hh:mm); date-only allowed.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function cleanCell(raw: string): string {
  const t = raw.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}

export function parseTimestamp(text: string): number {
  if (!ISO_8601.test(text)) return NaN;
  // A zone-less date-time is taken as UTC (Date.parse would read it as local time).
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/.test(text) && text.length > 10;
  const iso = text.length > 10 && !hasZone ? `${text.replace(' ', 'T')}Z` : text.replace(' ', 'T');
  return Date.parse(iso);
}

export interface ParseOptions {
  minBars?: number;
}

export function parsePriceCsv(text: string, options: ParseOptions = {}): PriceMatrix {
  const minBars = options.minBars ?? MIN_BARS;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0 || lines[0].trim() === '') throw new PriceDataError('empty', 'price CSV is empty');

  const header = lines[0].split(',').map(cleanCell);
  if (header[0] !== 'timestamp') {
    throw new PriceDataError('missing_column', `price CSV must start with a 'timestamp' column, found '${header[0]}'`);
  }
  const symbols = header.slice(1);
  if (symbols.length === 0) throw new PriceDataError('missing_column', 'price CSV has no price columns');
  const seen = new Set<string>();
  for (let k = 0; k < symbols.length; k++) {
    const s = symbols[k];
    if (s === '') throw new PriceDataError('missing_column', `price CSV column ${k + 2} has an empty name`);
    if (s === 'timestamp' || seen.has(s)) throw new PriceDataError('duplicate_column', `price CSV column '${s}' appears more than once`);
    seen.add(s);
  }

  const bars = lines.length - 1;
  if (bars === 0) throw new PriceDataError('empty', 'price CSV has a header but no rows');
  const timestamps = new Float64Array(bars);
  const prices = symbols.map(() => new Float64Array(bars));
  for (let r = 0; r < bars; r++) {
    const lineNo = r + 2;
    const cells = lines[r + 1].split(',');
    if (cells.length !== header.length) {
      throw new PriceDataError('ragged_row', `line ${lineNo}: expected ${header.length} fields, found ${cells.length}`);
    }
    const stampText = cleanCell(cells[0]);
    const stamp = parseTimestamp(stampText);
    if (!Number.isFinite(stamp)) throw new PriceDataError('bad_timestamp', `line ${lineNo}: bad timestamp '${stampText}' (expected ISO 8601)`);
    if (r > 0 && !(stamp > timestamps[r - 1])) {
      throw new PriceDataError('bad_timestamp', `line ${lineNo}: timestamp '${stampText}' is not after the previous row's`);
    }
    timestamps[r] = stamp;
    for (let k = 0; k < symbols.length; k++) {
      const cell = cleanCell(cells[k + 1]);
      if (!DECIMAL.test(cell)) {
        throw new PriceDataError('non_numeric', `line ${lineNo}, column ${symbols[k]}: price '${cell}' is not a number`);
      }
      const value = Number(cell);
      if (!Number.isFinite(value)) throw new PriceDataError('non_numeric', `line ${lineNo}, column ${symbols[k]}: price '${cell}' is not finite`);
      if (!(value > 0)) throw new PriceDataError('non_positive', `line ${lineNo}, column ${symbols[k]}: price ${cell} is not positive`);
      prices[k][r] = value;
    }
  }
  if (bars < minBars) throw new PriceDataError('too_few_bars', `price CSV has ${bars} bars; at least ${minBars} are needed`);
  for (let k = 0; k < symbols.length; k++) {
    const series = prices[k];
    let constant = true;
    for (let r = 1; r < bars && constant; r++) if (series[r] !== series[0]) constant = false;
    if (constant) throw new PriceDataError('constant_series', `price series ${symbols[k]} is constant (${series[0]}); it cannot be analysed`);
  }
  return { timestamps, symbols, prices };
}

/** Column index of each requested symbol; PriceDataError 'unknown_symbol' names the missing one. */
export function symbolIndex(matrix: PriceMatrix, symbol: string): number {
  const k = matrix.symbols.indexOf(symbol);
  if (k < 0) {
    const known = matrix.symbols.length <= 10 ? matrix.symbols.join(', ') : `${matrix.symbols.slice(0, 10).join(', ')}, ...`;
    throw new PriceDataError('unknown_symbol', `unknown symbol '${symbol}' (CSV has: ${known})`);
  }
  return k;
}
