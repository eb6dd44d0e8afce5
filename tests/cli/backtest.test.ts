import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPairs } from '../helpers/cli';
import { backtestFromOptions, formatSummary, type BacktestOptions } from '../../cli/commands/backtest';
import { UsageError } from '../../cli/errors';

const UNIVERSE = '/work/shared/reference/universe_30x1000.csv';

describe('pairs backtest', () => {
  let dir: string;
  const csv = (name: string, text: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const lines = readFileSync(UNIVERSE, 'utf8').trimEnd().split('\n');
  /** The universe CSV with one cell replaced (row r >= 1 is a data row, column c >= 1 a symbol). */
  const withCell = (r: number, c: number, value: string): string =>
    lines
      .map((line, i) =>
        i === r
          ? line
              .split(',')
              .map((cell, j) => (j === c ? value : cell))
              .join(',')
          : line,
      )
      .join('\n');

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pairs-backtest-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the POST /backtest response as JSON', () => {
    const r = runPairs(['backtest', '--csv', UNIVERSE, '--symbols', 'SYM18,SYM01', '--start', '2025-03-03', '--end', '2025-06-20', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/NaN|Infinity/);
    const out = JSON.parse(r.stdout) as Record<string, unknown> & {
      equity_curve: { timestamp: number; equity: number }[];
      trade_log: Record<string, unknown>[];
    };
    expect(Object.keys(out).sort()).toEqual([
      'annualized_return',
      'avg_hold_time_hours',
      'equity_curve',
      'kelly_fraction',
      'max_drawdown',
      'pair_id',
      'passed_gate',
      'profit_factor',
      'run_id',
      'sharpe_ratio',
      'total_return',
      'total_trades',
      'trade_log',
      'win_rate',
    ]);
    expect(out.run_id).toBeNull();
    expect(out.pair_id).toBeNull();
    expect(out.equity_curve[0].timestamp).toBe(Date.parse('2025-03-03T14:00:00Z'));
    expect(out.equity_curve[out.equity_curve.length - 1].timestamp).toBe(Date.parse('2025-06-20T21:00:00Z'));
    expect(out.total_trades).toBe(out.trade_log.length);
    expect(out.trade_log.length).toBeGreaterThan(0);
    expect(Object.keys(out.trade_log[0]).sort()).toEqual([
      'entry_price1',
      'entry_price2',
      'entry_time',
      'entry_z',
      'exit_price1',
      'exit_price2',
      'exit_reason',
      'exit_time',
      'exit_z',
      'hold_hours',
      'pnl',
      'qty1',
      'qty2',
      'side',
    ]);
  });

  it('uses the thresholds it is given', () => {
    const opts = { csv: UNIVERSE, symbols: 'SYM18,SYM01' };
    const loose = backtestFromOptions({ ...opts, entry: '1.2', exit: '0.2', stop: '4' });
    const strict = backtestFromOptions({ ...opts, entry: '2.8', stop: '4' });
    expect(loose.total_trades).toBeGreaterThan(strict.total_trades);
  });

  it('formats a readable summary for the default (non-JSON) output', () => {
    const result = backtestFromOptions({ csv: UNIVERSE, symbols: 'SYM18,SYM01' });
    const text = formatSummary(result, 'SYM18,SYM01');
    expect(text).toMatch(/^backtest SYM18,SYM01: 500 bars 2025-04-02T18:00:00\.000Z \.\. /);
    expect(text).toMatch(new RegExp(`trades ${result.total_trades} `));
    expect(text).toMatch(result.passed_gate ? /gate PASSED/ : /gate FAILED/);
  });

  /** Turns ['--csv', 'f', '--entry', '2'] into the options commander would parse. */
  function options(args: string[]): BacktestOptions {
    const opts: Record<string, string> = {};
    for (let k = 0; k < args.length; k += 2) opts[args[k].replace(/^--/, '').replace(/-(\w)/g, (_m, c: string) => c.toUpperCase())] = args[k + 1];
    return opts;
  }

  const badInputs: Array<[string, () => string[], RegExp]> = [
    ['missing --csv', () => ['--symbols', 'A,B'], /--csv FILE is required/],
    ['missing file', () => ['--csv', path.join(dir, 'nope.csv'), '--symbols', 'A,B'], /cannot read --csv .*nope\.csv: no such file/],
    ['directory instead of file', () => ['--csv', dir, '--symbols', 'A,B'], /is a directory/],
    ['empty file', () => ['--csv', csv('empty.csv', ''), '--symbols', 'A,B'], /price CSV is empty/],
    ['header only', () => ['--csv', csv('header.csv', 'timestamp,A,B\n'), '--symbols', 'A,B'], /header but no rows/],
    ['unknown symbol', () => ['--csv', UNIVERSE, '--symbols', 'SYM01,ZZZ'], /unknown symbol 'ZZZ'/],
    ['one symbol', () => ['--csv', UNIVERSE, '--symbols', 'SYM01'], /--symbols needs exactly two symbols/],
    ['same symbol twice', () => ['--csv', UNIVERSE, '--symbols', 'SYM01,SYM01'], /two different symbols/],
    [
      'non-positive price',
      () => ['--csv', csv('neg.csv', withCell(100, 2, '-3.5')), '--symbols', 'SYM01,SYM02'],
      /line 101, column SYM01: price -3\.5 is not positive/,
    ],
    ['non-numeric price', () => ['--csv', csv('nan.csv', withCell(100, 2, 'abc')), '--symbols', 'SYM01,SYM02'], /price 'abc' is not a number/],
    ['too few bars', () => ['--csv', csv('short.csv', lines.slice(0, 70).join('\n')), '--symbols', 'SYM18,SYM01'], /too few bars: .* has 69/],
    [
      'constant series',
      () => [
        '--csv',
        csv('const.csv', lines.map((l, i) => (i === 0 ? l : l.replace(/^([^,]*),[^,]*/, '$1,50.0'))).join('\n')),
        '--symbols',
        'SYM00,SYM02',
      ],
      /price series SYM00 is constant/,
    ],
    [
      'end before start',
      () => ['--csv', UNIVERSE, '--symbols', 'SYM18,SYM01', '--start', '2025-05-01', '--end', '2025-04-01'],
      /--end \(2025-04-01\) is before --start/,
    ],
    [
      'start after the data',
      () => ['--csv', UNIVERSE, '--symbols', 'SYM18,SYM01', '--start', '2030-01-01'],
      /--start 2030-01-01 is after the last bar/,
    ],
    [
      'exit >= entry',
      () => ['--csv', UNIVERSE, '--symbols', 'SYM18,SYM01', '--entry', '1.5', '--exit', '2'],
      /--exit \(2\) must be below --entry \(1\.5\)/,
    ],
    ['stop <= entry', () => ['--csv', UNIVERSE, '--symbols', 'SYM18,SYM01', '--stop', '1.9'], /--stop \(1\.9\) must be above --entry/],
    ['non-numeric threshold', () => ['--csv', UNIVERSE, '--symbols', 'SYM18,SYM01', '--stop', '3x'], /--stop must be a number, got '3x'/],
    ['non-positive capital', () => ['--csv', UNIVERSE, '--symbols', 'SYM18,SYM01', '--capital', '0'], /--capital must be greater than 0/],
    [
      'fractional formation bars',
      () => ['--csv', UNIVERSE, '--symbols', 'SYM18,SYM01', '--formation-bars', '2.5'],
      /--formation-bars must be a positive integer/,
    ],
    [
      'formation window too short',
      () => ['--csv', UNIVERSE, '--symbols', 'SYM18,SYM01', '--formation-bars', '10'],
      /formation bars must be an integer >= 40/,
    ],
    [
      'start too early for formation',
      () => ['--csv', UNIVERSE, '--symbols', 'SYM18,SYM01', '--start', '2025-01-07'],
      /too few bars: 8 before --start/,
    ],
    ['bad date', () => ['--csv', UNIVERSE, '--symbols', 'SYM18,SYM01', '--end', '31/12/2025'], /--end must be an ISO date/],
  ];

  it.each(badInputs)('%s: a UsageError with a clear message', (_name, args, message) => {
    expect(() => backtestFromOptions(options(args()))).toThrow(UsageError);
    expect(() => backtestFromOptions(options(args()))).toThrow(message);
  });

  // End to end through bin/pairs.js: the exit code and the single stderr line.
  it.each(badInputs.filter(([name]) => ['non-positive price', 'exit >= entry'].includes(name)))(
    '%s: exit 2, one line on stderr, nothing on stdout',
    (_name, args, message) => {
      const r = runPairs(['backtest', ...args(), '--json']);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      const errLines = r.stderr.trim().split('\n');
      expect(errLines).toHaveLength(1);
      expect(errLines[0]).toMatch(/^pairs: /);
      expect(errLines[0]).toMatch(message);
    },
  );
});
