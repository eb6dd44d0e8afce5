import type { Command } from 'commander';
import { analyzePair, DEFAULT_ZSCORE_WINDOW, type PairAnalysis } from '../../strategy/analyze';
import { symbolIndex } from '../../strategy/price-matrix';
import { runCommand, UsageError } from '../errors';
import { formatNumber, loadPriceCsv, parseIntegerOption, asUsageError } from '../price-input';

interface AnalyzeFlags {
  csv?: string;
  symbols?: string;
  window: string;
  json?: boolean;
}

function parseSymbols(raw: string | undefined): [string, string] {
  if (!raw) throw new UsageError('--symbols A,B is required');
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.length !== 2 || parts.some((s) => s === '')) throw new UsageError(`--symbols needs exactly two names separated by a comma, got '${raw}'`);
  if (parts[0] === parts[1]) throw new UsageError(`--symbols needs two different symbols, got '${raw}'`);
  return [parts[0], parts[1]];
}

function table(a: PairAnalysis): string {
  const f = formatNumber;
  const lastZ = a.zscore_last.length > 0 ? a.zscore_last[a.zscore_last.length - 1] : null;
  const rows: [string, string][] = [
    ['pair', `${a.symbol1} / ${a.symbol2}`],
    ['bars', String(a.n)],
    ['hedge beta', f(a.hedge.beta, 6)],
    ['hedge alpha', f(a.hedge.alpha, 6)],
    ['coint stat (AIC lag)', `${f(a.coint.stat, 4)}  (lag ${a.coint.usedlag ?? '-'})`],
    ['coint p-value', f(a.coint.pvalue, 6)],
    ['coint crit 1/5/10%', a.coint.crit.map((c) => f(c, 4)).join(' / ')],
    ['coint p-value, lag 1', f(a.coint_lag1.pvalue, 6)],
    ['ADF spread stat', `${f(a.adf_spread.stat, 4)}  (lag ${a.adf_spread.usedlag ?? '-'}, ${a.adf_spread.nobs ?? '-'} obs)`],
    ['ADF spread p-value', f(a.adf_spread.pvalue, 6)],
    ['half-life (bars)', a.half_life === null ? 'none (spread does not revert)' : f(a.half_life, 2)],
    ['correlation price', f(a.correlation.price, 4)],
    ['correlation log ret', f(a.correlation.log_return, 4)],
    ['last z-score', f(lastZ, 4)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('Cointegration, hedge ratio, half-life and z-score statistics of one pair from a price CSV')
    .option('--csv <file>', 'price CSV: timestamp column, then one price column per symbol')
    .option('--symbols <A,B>', 'the two symbols; the first is the regressand (symbol1)')
    .option('--window <bars>', 'rolling z-score window', String(DEFAULT_ZSCORE_WINDOW))
    .option('--json', 'print one JSON object')
    .action((flags: AnalyzeFlags) =>
      runCommand(() => {
        if (!flags.csv) throw new UsageError('--csv FILE is required');
        const [s1, s2] = parseSymbols(flags.symbols);
        const window = parseIntegerOption('--window', flags.window, 2);
        const matrix = loadPriceCsv(flags.csv);
        const result = asUsageError(() => {
          const p1 = matrix.prices[symbolIndex(matrix, s1)];
          const p2 = matrix.prices[symbolIndex(matrix, s2)];
          if (window > p1.length) throw new UsageError(`--window ${window} is longer than the ${p1.length} bars in ${flags.csv}`);
          return analyzePair(p1, p2, { window, symbol1: s1, symbol2: s2 });
        });
        process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : `${table(result)}\n`);
      }),
    );
}
