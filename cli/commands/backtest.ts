/**
 * `pairs backtest --csv FILE --symbols A,B [...] [--json]`: backtests one pair from a price CSV.
 *
 * --json prints the POST /backtest response object; run_id and pair_id are null because a CSV
 * backtest is not stored in backtest_run and has no registry pair.
 * Formation window: --formation-bars N bars immediately before the test start. When omitted it is
 * min(500, bars before --start), or min(500, half the bars) when --start is omitted too.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { runCommand, UsageError } from '../errors';
import { parsePriceCsv, parseTimestamp, PriceDataError, symbolIndex } from '../../strategy/price-matrix';
import {
  BacktestInputError,
  DEFAULT_FORMATION_BARS,
  DEFAULT_INITIAL_CAPITAL,
  DEFAULT_THRESHOLDS,
  DEFAULT_WINDOW,
  MIN_FORMATION_BARS,
  defaultFormationBars,
  runBacktest,
  type BacktestResult,
} from '../../strategy/backtest';
import { DAY_MS } from '../../strategy/time-units';

export interface BacktestOptions {
  csv?: string;
  symbols?: string;
  start?: string;
  end?: string;
  entry?: string;
  exit?: string;
  stop?: string;
  maxHold?: string;
  capital?: string;
  formationBars?: string;
  window?: string;
  json?: boolean;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function numberOption(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!NUMBER.test(text.trim()) || !Number.isFinite(value)) throw new UsageError(`${flag} must be a number, got '${text}'`);
  return value;
}

function positiveNumberOption(flag: string, text: string | undefined, fallback: number): number {
  const value = numberOption(flag, text, fallback);
  if (!(value > 0)) throw new UsageError(`${flag} must be greater than 0, got ${text}`);
  return value;
}

function integerOption(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${flag} must be a positive integer, got '${text}'`);
  return Number(text);
}

/** --start/--end: ISO date or date-time (UTC when no zone); a bare --end date includes that whole day. */
function timeOption(flag: string, text: string | undefined, endOfDay: boolean): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseTimestamp(text.trim());
  if (!Number.isFinite(ms)) throw new UsageError(`${flag} must be an ISO date such as 2025-03-01 or 2025-03-01T14:00:00Z, got '${text}'`);
  return endOfDay && text.trim().length === 10 ? ms + DAY_MS - 1 : ms;
}

function readCsv(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(code ?? err);
    throw new UsageError(`cannot read --csv ${file}: ${why}`);
  }
}

function parseSymbols(text: string | undefined): [string, string] {
  if (text === undefined) throw new UsageError('--symbols is required, e.g. --symbols SYM01,SYM02');
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length !== 2 || parts.some((s) => s === ''))
    throw new UsageError(`--symbols needs exactly two symbols separated by a comma, got '${text}'`);
  if (parts[0] === parts[1]) throw new UsageError(`--symbols needs two different symbols, got '${text}'`);
  return [parts[0], parts[1]];
}

/** Runs the backtest for parsed CLI options; every input problem surfaces as a UsageError. */
export function backtestFromOptions(opts: BacktestOptions): BacktestResult {
  try {
    return backtestOrThrow(opts);
  } catch (err) {
    if (err instanceof PriceDataError || err instanceof BacktestInputError) throw new UsageError(err.message);
    throw err;
  }
}

function backtestOrThrow(opts: BacktestOptions): BacktestResult {
  if (opts.csv === undefined) throw new UsageError('--csv FILE is required');
  const [symbol1, symbol2] = parseSymbols(opts.symbols);
  const thresholds = {
    entry: positiveNumberOption('--entry', opts.entry, DEFAULT_THRESHOLDS.entry),
    exit: numberOption('--exit', opts.exit, DEFAULT_THRESHOLDS.exit),
    stopLoss: positiveNumberOption('--stop', opts.stop, DEFAULT_THRESHOLDS.stopLoss),
    maxHoldHours: positiveNumberOption('--max-hold', opts.maxHold, DEFAULT_THRESHOLDS.maxHoldHours),
  };
  if (thresholds.exit < 0) throw new UsageError(`--exit must be >= 0, got ${opts.exit}`);
  if (thresholds.exit >= thresholds.entry) throw new UsageError(`--exit (${thresholds.exit}) must be below --entry (${thresholds.entry})`);
  if (thresholds.stopLoss <= thresholds.entry) throw new UsageError(`--stop (${thresholds.stopLoss}) must be above --entry (${thresholds.entry})`);
  const initialCapital = positiveNumberOption('--capital', opts.capital, DEFAULT_INITIAL_CAPITAL);
  const window = integerOption('--window', opts.window) ?? DEFAULT_WINDOW;
  const startMs = timeOption('--start', opts.start, false);
  const endMs = timeOption('--end', opts.end, true);
  if (startMs !== undefined && endMs !== undefined && endMs < startMs) throw new UsageError(`--end (${opts.end}) is before --start (${opts.start})`);

  const matrix = parsePriceCsv(readCsv(opts.csv));
  const { timestamps } = matrix;
  const price1 = matrix.prices[symbolIndex(matrix, symbol1)];
  const price2 = matrix.prices[symbolIndex(matrix, symbol2)];

  let testStartIndex: number | undefined;
  if (startMs !== undefined) {
    testStartIndex = timestamps.findIndex((t) => t >= startMs);
    if (testStartIndex < 0) throw new UsageError(`--start ${opts.start} is after the last bar in ${opts.csv}`);
  }
  if (endMs !== undefined && endMs < timestamps[0]) throw new UsageError(`--end ${opts.end} is before the first bar in ${opts.csv}`);
  const minFormation = Math.max(MIN_FORMATION_BARS, window);
  let formationBars = integerOption('--formation-bars', opts.formationBars);
  if (formationBars === undefined) {
    formationBars = defaultFormationBars(timestamps.length, testStartIndex);
    if (formationBars < minFormation) {
      throw new UsageError(
        testStartIndex !== undefined
          ? `too few bars: ${testStartIndex} before --start ${opts.start}; the formation window needs at least ${minFormation}`
          : `too few bars: ${opts.csv} has ${timestamps.length}; the formation window (${minFormation}) and the test period need at least ${2 * minFormation}`,
      );
    }
  }

  return runBacktest({
    timestamps,
    price1,
    price2,
    testStartIndex: testStartIndex ?? formationBars,
    endMs,
    formationBars,
    window,
    thresholds,
    initialCapital,
  });
}

/** The human-readable result printed without --json. */
export function formatSummary(r: BacktestResult, symbols: string): string {
  const pct = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(2)}%`);
  const num = (x: number | null, d = 2): string => (x === null ? 'n/a' : x.toFixed(d));
  const first = r.equity_curve[0];
  const last = r.equity_curve[r.equity_curve.length - 1];
  return [
    `backtest ${symbols}: ${r.equity_curve.length} bars ${new Date(first.timestamp).toISOString()} .. ${new Date(last.timestamp).toISOString()}`,
    `  total return ${pct(r.total_return)}  annualised ${pct(r.annualized_return)}  Sharpe ${num(r.sharpe_ratio)}  max drawdown ${pct(r.max_drawdown)}`,
    `  trades ${r.total_trades}  win rate ${pct(r.win_rate)}  profit factor ${num(r.profit_factor)}  avg hold ${num(r.avg_hold_time_hours, 1)} h  Kelly ${num(r.kelly_fraction, 3)}`,
    `  final equity ${last.equity.toFixed(2)}  gate ${r.passed_gate ? 'PASSED' : 'FAILED'} (Sharpe > 0.5, win rate > 45%, max drawdown < 15%)`,
    '',
  ].join('\n');
}

export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description('backtest one pair from a price CSV (hedge ratio fitted on the formation bars before the test period)')
    .option('--csv <file>', 'price CSV: timestamp column then one column per symbol')
    .option('--symbols <a,b>', 'the pair: symbol1,symbol2 (spread = log p1 - beta log p2)')
    .option('--start <date>', 'first test bar (ISO date/time, UTC); default: right after the formation window')
    .option('--end <date>', 'last test bar, inclusive (ISO date/time, UTC); default: last bar')
    .option('--entry <z>', 'entry threshold', String(DEFAULT_THRESHOLDS.entry))
    .option('--exit <z>', 'exit threshold', String(DEFAULT_THRESHOLDS.exit))
    .option('--stop <z>', 'stop-loss threshold', String(DEFAULT_THRESHOLDS.stopLoss))
    .option('--max-hold <hours>', 'maximum hold time in hours', String(DEFAULT_THRESHOLDS.maxHoldHours))
    .option('--capital <usd>', 'initial capital', String(DEFAULT_INITIAL_CAPITAL))
    .option(
      '--formation-bars <n>',
      `bars before the test start used to fit the hedge ratio and half-life (default min(${DEFAULT_FORMATION_BARS}, available))`,
    )
    .option('--window <n>', 'rolling z-score window in bars', String(DEFAULT_WINDOW))
    .option('--json', 'print the POST /backtest response object (run_id and pair_id null)')
    .action((opts: BacktestOptions) =>
      runCommand(() => {
        const result = backtestFromOptions(opts);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ run_id: null, pair_id: null, ...result })}\n`);
        } else {
          process.stdout.write(formatSummary(result, opts.symbols ?? ''));
        }
      }),
    );
}
