import type { Command } from 'commander';
import { finiteOrNull } from '../../strategy/analyze';
import { pairCount, scanUniverse, type ScanProgress, type ScannedPair } from '../../strategy/scan';
import { runCommand, UsageError } from '../errors';
import { registryDiscovery, wantsRegistryDiscovery, type RegistryDiscoveryFlags } from '../registry-discovery';
import { TASK_QUEUE } from '../../workflows/contracts/task-queue';
import { asUsageError, formatNumber, loadPriceCsv, parseIntegerOption, parseNumberOption } from '../price-input';

interface DiscoverFlags extends RegistryDiscoveryFlags {
  csv?: string;
  all?: boolean;
  maxPvalue: string;
  top: string;
  minHalfLife?: string;
  maxHalfLife?: string;
  minCorrelation?: string;
  minCrossings?: string;
  screenPvalue?: string;
  twoStage: string;
  workers: string;
  json?: boolean;
}

export interface DiscoveredPair {
  symbol1: string;
  symbol2: string;
  pvalue: number | null;
  stat: number | null;
  beta: number | null;
  half_life: number | null;
  correlation: number | null;
  score: number | null;
}

function toJsonPair(p: ScannedPair): DiscoveredPair {
  return {
    symbol1: p.symbol1,
    symbol2: p.symbol2,
    pvalue: finiteOrNull(p.pvalue),
    stat: finiteOrNull(p.stat),
    beta: finiteOrNull(p.beta),
    half_life: finiteOrNull(p.halfLife),
    correlation: finiteOrNull(p.correlation),
    score: finiteOrNull(p.score),
  };
}

/** A one-line progress bar on stderr, drawn only on a terminal and only once a scan has run 1 s. */
function progressBar(): { update: (p: ScanProgress) => void; finish: () => void } {
  const started = Date.now();
  const tty = process.stderr.isTTY === true;
  let drawn = false;
  let lastDraw = 0;
  return {
    update(p: ScanProgress) {
      const now = Date.now();
      if (!tty || now - started < 1000 || (now - lastDraw < 100 && p.done < p.total)) return;
      lastDraw = now;
      const width = 30;
      const filled = p.total > 0 ? Math.round((width * p.done) / p.total) : width;
      const label = p.stage === 'screen' ? 'screen (lag 1)' : 'full test (AIC)';
      process.stderr.write(`\r${label.padEnd(16)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total}`);
      drawn = true;
    },
    finish() {
      if (drawn) process.stderr.write('\r\x1b[K');
    },
  };
}

function table(pairs: DiscoveredPair[], tested: number, seconds: number): string {
  const head = ['symbol1', 'symbol2', 'p-value', 'stat', 'beta', 'half-life', 'corr', 'score'];
  const rows = pairs.map((p) => [
    p.symbol1,
    p.symbol2,
    formatNumber(p.pvalue, 5),
    formatNumber(p.stat, 3),
    formatNumber(p.beta, 4),
    formatNumber(p.half_life, 1),
    formatNumber(p.correlation, 3),
    formatNumber(p.score, 3),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]): string => cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  const body = rows.length > 0 ? rows.map(line).join('\n') : '(no pair passed the filters)';
  return `${line(head)}\n${body}\n\n${pairs.length} pair(s) listed; ${tested} pairs tested in ${seconds.toFixed(2)} s`;
}

export function registerDiscover(program: Command): void {
  program
    .command('discover')
    .description(
      'Scan every pair of a price CSV for cointegration; rank and filter the candidates. With --deploy, --run or --now: ' +
        're-discovery of the registry (env DATABASE_URL, TEMPORAL_ADDRESS, broker ALPACA_*, PAIRS_UNIVERSE, PAIRS_DISCOVERY_CRON)',
    )
    .option('--csv <file>', 'price CSV: timestamp column, then one price column per symbol')
    .option('--all', 'list every pair (i < j in column order) with the full AIC test: no screen, no filter')
    .option('--max-pvalue <p>', 'Engle-Granger p-value cut', '0.05')
    .option('--top <n>', 'how many ranked pairs to print', '20')
    .option('--min-half-life <bars>', 'shortest accepted spread half-life (default 1)')
    .option('--max-half-life <bars>', 'longest accepted spread half-life (default 365)')
    .option('--min-correlation <r>', 'minimum |correlation of log returns| (default 0.5)')
    .option('--min-crossings <n>', 'minimum number of spread mean crossings (default 12)')
    .option('--screen-pvalue <p>', 'fixed-lag screen cut of the two-stage scan (default max(0.1, 3 x max-pvalue))')
    .option('--two-stage <mode>', 'fixed-lag screen before the full test: auto, on, off', 'auto')
    .option('--workers <n>', "worker threads: a count, or 'auto'", 'auto')
    .option('--json', 'print one JSON object')
    .option('--deploy', 'create or update the re-discovery schedule (weekly; --cron, --every)')
    .option('--cron <expr>', 'with --deploy: five-field cron, UTC (default PAIRS_DISCOVERY_CRON or weekly, Saturday 06:00)')
    .option('--every <seconds>', 'with --deploy: a run every N seconds instead of the cron')
    .option('--run', 'start a re-discovery run on the workers now')
    .option('--wait', 'with --run: wait for it and print its summary')
    .option('--now', 'run one re-discovery in this process, without Temporal (before the first worker starts)')
    .option('--if-empty', 'with --now: only when the registry has no active pair (first start)')
    .option('--task-queue <name>', 'task queue of the workers', TASK_QUEUE)
    .action((flags: DiscoverFlags) =>
      runCommand(async () => {
        if (wantsRegistryDiscovery(flags)) {
          if (flags.csv) throw new UsageError('--csv cannot be combined with --deploy, --run or --now');
          await registryDiscovery(flags, (line) => process.stdout.write(`${line}\n`));
          return;
        }
        if (!flags.csv) throw new UsageError('--csv FILE is required');
        const maxPvalue = parseNumberOption('--max-pvalue', flags.maxPvalue, 0, 1);
        const top = parseIntegerOption('--top', flags.top, 1);
        const num = (name: string, raw: string | undefined, min: number, max: number): number | undefined =>
          raw === undefined ? undefined : parseNumberOption(name, raw, min, max);
        const minHalfLife = num('--min-half-life', flags.minHalfLife, 0, Number.MAX_VALUE);
        const maxHalfLife = num('--max-half-life', flags.maxHalfLife, 0, Number.MAX_VALUE);
        const minAbsCorrelation = num('--min-correlation', flags.minCorrelation, 0, 1);
        const minCrossings = num('--min-crossings', flags.minCrossings, 0, Number.MAX_VALUE);
        const screenPvalue = num('--screen-pvalue', flags.screenPvalue, 0, 1);
        const stageModes: Record<string, boolean | 'auto'> = { auto: 'auto', on: true, off: false };
        if (!(flags.twoStage in stageModes)) throw new UsageError(`--two-stage must be auto, on or off, got '${flags.twoStage}'`);
        const workers = flags.workers === 'auto' ? 'auto' : parseIntegerOption('--workers', flags.workers, 0);

        const matrix = loadPriceCsv(flags.csv);
        if (matrix.symbols.length < 2) throw new UsageError(`${flags.csv}: discover needs at least 2 symbols, found ${matrix.symbols.length}`);
        const bar = progressBar();
        const started = performance.now();
        const result = await asUsageError(() =>
          scanUniverse(matrix, {
            all: flags.all === true,
            maxPvalue,
            top,
            minHalfLife,
            maxHalfLife,
            minAbsCorrelation,
            minCrossings,
            screenPvalue,
            twoStage: stageModes[flags.twoStage],
            workers,
            onProgress: bar.update,
          }),
        ).finally(bar.finish);
        const seconds = (performance.now() - started) / 1000;
        const pairs = result.pairs.map(toJsonPair);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ pairs, n_pairs_tested: result.nPairsTested, seconds })}\n`);
        } else {
          process.stdout.write(`${table(pairs, pairCount(matrix.symbols.length), seconds)}\n`);
        }
      }),
    );
}
