/**
 * `pairs walkforward --csv FILE [...] [--json]`: the walk-forward portfolio backtest (strategy/walkforward.ts)
 * on a price CSV. Live settings (discovery filters, thresholds, z window, position size, costs) come from
 * config/pairs.yaml ($PAIRS_CONFIG); flags override them. A progress bar is drawn on stderr when it is a
 * terminal; --json prints the whole result (windows, equity and drawdown curves, trade log, DSR, PBO).
 */
import type { Command } from 'commander';
import { configPathFromEnv, ConfigError, loadConfig } from '../../config/loader';
import { walkForwardOptionsFromConfig } from '../../config/walkforward-options';
import { BacktestInputError } from '../../strategy/backtest-input-error';
import { PriceDataError } from '../../strategy/price-matrix';
import { DEFAULT_SWEEP_GRID, type WalkForwardOptions, type WalkForwardProgress, type WalkForwardResult } from '../../strategy/walkforward';
import { runWalkForwardParallel } from '../../strategy/walkforward-parallel';
import { runCommand, UsageError } from '../errors';
import { formatNumber, loadPriceCsv, parseIntegerOption, parseNumberOption } from '../price-input';

export interface WalkForwardFlags {
  csv?: string;
  formationBars?: string;
  tradingBars?: string;
  stepBars?: string;
  window?: string;
  entry?: string;
  exit?: string;
  stop?: string;
  maxHold?: string;
  sweep?: boolean;
  sweepEntry?: string;
  sweepExit?: string;
  sweepStop?: string;
  top?: string;
  capital?: string;
  workers?: string;
  json?: boolean;
}

function numberList(flag: string, text: string): number[] {
  const values = text.split(',').map((s) => s.trim());
  if (values.some((v) => v === '' || !Number.isFinite(Number(v))))
    throw new UsageError(`${flag} must be a comma-separated list of numbers, got '${text}'`);
  return values.map(Number);
}

/** The engine options for parsed flags on top of the config's; every input problem is a UsageError. */
export function walkForwardOptions(flags: WalkForwardFlags, base: WalkForwardOptions): WalkForwardOptions {
  const o: WalkForwardOptions = { ...base, thresholds: { ...base.thresholds }, discovery: { ...base.discovery } };
  if (flags.formationBars !== undefined) o.formationBars = parseIntegerOption('--formation-bars', flags.formationBars, 1);
  if (flags.tradingBars !== undefined) o.tradingBars = parseIntegerOption('--trading-bars', flags.tradingBars, 1);
  if (flags.stepBars !== undefined) o.stepBars = parseIntegerOption('--step-bars', flags.stepBars, 1);
  if (flags.window !== undefined) o.window = parseIntegerOption('--window', flags.window, 2);
  if (flags.entry !== undefined) o.thresholds!.entry = parseNumberOption('--entry', flags.entry, 0, 100);
  if (flags.exit !== undefined) o.thresholds!.exit = parseNumberOption('--exit', flags.exit, 0, 100);
  if (flags.stop !== undefined) o.thresholds!.stopLoss = parseNumberOption('--stop', flags.stop, 0, 100);
  if (flags.maxHold !== undefined) o.thresholds!.maxHoldHours = parseNumberOption('--max-hold', flags.maxHold, 0, 1e7);
  if (flags.top !== undefined) o.discovery!.top_n = parseIntegerOption('--top', flags.top, 1);
  if (flags.capital !== undefined) o.initialCapital = parseNumberOption('--capital', flags.capital, 1, 1e12);
  const custom = flags.sweepEntry !== undefined || flags.sweepExit !== undefined || flags.sweepStop !== undefined;
  if (flags.sweep || custom) {
    o.sweep = {
      entry: flags.sweepEntry !== undefined ? numberList('--sweep-entry', flags.sweepEntry) : DEFAULT_SWEEP_GRID.entry,
      exit: flags.sweepExit !== undefined ? numberList('--sweep-exit', flags.sweepExit) : DEFAULT_SWEEP_GRID.exit,
      stopLoss: flags.sweepStop !== undefined ? numberList('--sweep-stop', flags.sweepStop) : DEFAULT_SWEEP_GRID.stopLoss,
    };
  }
  return o;
}

function progressBar(): { update: (p: WalkForwardProgress) => void; finish: () => void } {
  const tty = process.stderr.isTTY === true;
  let drawn = false;
  return {
    update(p) {
      if (!tty) return;
      const width = 30;
      const filled = p.total > 0 ? Math.round((width * p.done) / p.total) : width;
      process.stderr.write(`\r${p.stage.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] window ${p.done}/${p.total}`);
      drawn = true;
    },
    finish() {
      if (drawn) process.stderr.write('\r\x1b[2K');
    },
  };
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(2)}%`);

function formatRefusals(r: WalkForwardResult): string {
  const parts = Object.entries(r.risk_refusals).map(([rule, count]) => `${rule} ${count}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** The human-readable report printed without --json. */
export function formatWalkForward(r: WalkForwardResult): string {
  const p = r.params;
  const m = r.metrics;
  const lines = [
    `walk-forward: ${r.symbols.length} symbols, ${r.windows.length} windows (formation ${p.formation_bars} bars, trading ${p.trading_bars}, step ${p.step_bars}); ` +
      `${p.bars_per_year.toFixed(0)} bars a year inferred from the timestamps`,
    p.sweep
      ? `in-sample sweep: ${r.configurations} configurations per window; objective: ${p.objective}`
      : `no sweep: entry ${p.thresholds.entry} / exit ${p.thresholds.exit} / stop ${p.thresholds.stopLoss}`,
    '',
    `${'window'.padEnd(6)} ${'trading period'.padEnd(23)} ${'pairs'.padStart(5)} ${'entry/exit/stop'.padEnd(15)} ${'trades'.padStart(6)} ${'P&L'.padStart(11)} ${'return'.padStart(8)} ${'Sharpe'.padStart(7)}`,
  ];
  for (const w of r.windows) {
    lines.push(
      `${String(w.index).padEnd(6)} ${`${day(w.trading_start)}..${day(w.trading_end)}`.padEnd(23)} ${String(w.pairs.length).padStart(5)} ` +
        `${`${w.entry_threshold}/${w.exit_threshold}/${w.stop_loss_threshold}`.padEnd(15)} ${String(w.trades).padStart(6)} ${w.pnl.toFixed(2).padStart(11)} ` +
        `${pct(w.return).padStart(8)} ${w.sharpe_ratio.toFixed(2).padStart(7)}`,
    );
  }
  const d = r.deflated_sharpe;
  lines.push(
    '',
    `out of sample ${day(m.start)}..${day(m.end)} (${m.bars} bars): total return ${pct(m.total_return)}, annualised ${pct(m.annualized_return)}, ` +
      `Sharpe ${m.sharpe_ratio.toFixed(3)}, max drawdown ${pct(m.max_drawdown)}, trades ${m.total_trades}, win rate ${pct(m.win_rate)}, ` +
      `profit factor ${formatNumber(m.profit_factor, 2)}`,
    `gate ${m.passed_gate ? 'PASSED' : 'FAILED'} (Sharpe > 0.5, win rate > 45%, max drawdown < 15%)`,
    `entries refused by the risk rules: ${formatRefusals(r)} (max_open_pairs ${p.risk.max_open_pairs}, max_pairs_per_symbol ${p.risk.max_pairs_per_symbol}, ` +
      `kelly_window_trades ${p.risk.kelly_window_trades}, kelly_no_edge ${p.risk.kelly_no_edge})`,
    `deflated Sharpe ratio ${formatNumber(d.deflatedSharpe, 4)} (probability the true Sharpe is > 0 after ${d.trials} trials; ` +
      `luck alone reaches an annualised Sharpe of ${d.annualized_expected_max_sharpe.toFixed(3)}; PSR(0) ${formatNumber(d.probabilisticSharpe, 4)})`,
    r.overfitting
      ? `probability of backtest overfitting ${r.overfitting.pbo.toFixed(3)} (CSCV, ${r.overfitting.blocks} blocks, ${r.overfitting.combinations} combinations, ${r.overfitting.configurations} configurations)`
      : 'probability of backtest overfitting: n/a (no sweep)',
    '',
  );
  return lines.join('\n');
}

export async function walkForwardFromFlags(flags: WalkForwardFlags, onProgress?: (p: WalkForwardProgress) => void): Promise<WalkForwardResult> {
  if (flags.csv === undefined) throw new UsageError('--csv FILE is required');
  let config;
  try {
    config = await loadConfig(configPathFromEnv());
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  const options = walkForwardOptions(flags, walkForwardOptionsFromConfig(config));
  const workers = flags.workers === undefined || flags.workers === 'auto' ? 'auto' : parseIntegerOption('--workers', flags.workers, 0);
  const matrix = loadPriceCsv(flags.csv);
  try {
    return await runWalkForwardParallel(matrix, { ...options, workers, onProgress });
  } catch (err) {
    if (err instanceof BacktestInputError || err instanceof PriceDataError || err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
}

export function registerWalkForward(program: Command): void {
  program
    .command('walkforward')
    .description(
      'walk-forward portfolio backtest: rolling discovery, optional in-sample sweep, out-of-sample trading with shared capital; DSR and PBO',
    )
    .option('--csv <file>', 'price CSV: timestamp column then one column per symbol (any bar frequency)')
    .option('--formation-bars <n>', 'bars of each formation window (default 1000 for hourly data, 504 for daily)')
    .option('--trading-bars <n>', 'bars of each trading window (default 160 hourly, 126 daily)')
    .option('--step-bars <n>', 'bars between window starts (default: the trading bars)')
    .option('--window <n>', 'rolling z-score window (default: config z_score_window)')
    .option('--entry <z>', 'entry threshold without a sweep (default: config)')
    .option('--exit <z>', 'exit threshold without a sweep (default: config)')
    .option('--stop <z>', 'stop-loss threshold without a sweep (default: config)')
    .option('--max-hold <hours>', 'maximum hold in hours (default: 72 bars of the data)')
    .option('--sweep', 'in-sample sweep of entry 1.5,2,2.5 x exit 0.25,0.5,0.75 x stop 3,3.5,4 (27 configurations)')
    .option('--sweep-entry <list>', 'entry values of the sweep (implies --sweep)')
    .option('--sweep-exit <list>', 'exit values of the sweep (implies --sweep)')
    .option('--sweep-stop <list>', 'stop values of the sweep (implies --sweep)')
    .option('--top <n>', 'pairs kept by discovery per window (default: config discovery.top_n)')
    .option('--capital <usd>', 'initial capital (default 100000)')
    .option('--workers <n>', "worker threads for discovery: a count or 'auto'", 'auto')
    .option('--json', 'print the whole result as JSON')
    .action((flags: WalkForwardFlags) =>
      runCommand(async () => {
        const bar = progressBar();
        let result: WalkForwardResult;
        try {
          result = await walkForwardFromFlags(flags, bar.update);
        } finally {
          bar.finish();
        }
        process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : formatWalkForward(result));
      }),
    );
}
