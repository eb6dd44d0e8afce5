/**
 * Backtest sweep throughput (target >= 50 M bar-steps/s, wall clock) on one thread and on a worker
 * pool (one worker per core), and the time of one full backtest.
 * Data: the public reference pair coint_hl20 (1500 hourly bars; 500 formation + 1000 test bars).
 * A bar-step is one test bar simulated for one (entry, exit, stop) combination.
 * Run: npm run bench -- sweep
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { preparePair, resolveSimParams, runBacktest, type BacktestInput } from '../strategy/backtest';
import { PARALLEL_MIN_BAR_STEPS, SweepPool, sweepPrepared, sweepPreparedParallel, type SweepGrid, type SweepRow } from '../strategy/sweep';

const REFERENCE = '/work/shared/reference/pair_coint_hl20.json';
const TARGET_BAR_STEPS_PER_S = 50e6;

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let k = 0; from + k * step <= to + 1e-9; k++) out.push(Number((from + k * step).toFixed(6)));
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

const ms = (ns: bigint): number => Number(ns) / 1e6;

export async function run(): Promise<void> {
  const doc = JSON.parse(readFileSync(REFERENCE, 'utf8')) as { inputs: { time_ms: number[]; p1: number[]; p2: number[] } };
  const input: BacktestInput = {
    timestamps: Float64Array.from(doc.inputs.time_ms),
    price1: Float64Array.from(doc.inputs.p1),
    price2: Float64Array.from(doc.inputs.p2),
    formationBars: 500,
  };
  const grid: SweepGrid = { entry: range(1.0, 3.0, 0.1), exit: range(0, 1.0, 0.1), stopLoss: range(2.5, 5.0, 0.25) };

  const load = os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  process.stdout.write(
    `machine: ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? '?'}), availableParallelism ${os.availableParallelism()}, load average ${load}\n`,
  );

  // One full backtest (validation, formation fit, z-scores, simulation, equity curve and trade log).
  const fullTimes: number[] = [];
  const prepTimes: number[] = [];
  let trades = 0;
  for (let k = 0; k < 30; k++) {
    const t0 = process.hrtime.bigint();
    const result = runBacktest(input);
    const t1 = process.hrtime.bigint();
    preparePair(input);
    const t2 = process.hrtime.bigint();
    if (k >= 5) {
      fullTimes.push(ms(t1 - t0));
      prepTimes.push(ms(t2 - t1));
    }
    trades = result.total_trades;
  }
  process.stdout.write(
    `full backtest (1500 bars, 1000 test bars, ${trades} trades): median ${median(fullTimes).toFixed(3)} ms ` +
      `(of which formation fit + z-scores ${median(prepTimes).toFixed(3)} ms), min ${Math.min(...fullTimes).toFixed(3)} ms\n`,
  );

  // Sweep: prepare once, then the simulation loop per combination. Single thread and worker pool
  // runs alternate, so both see the same machine load.
  const pair = preparePair(input);
  const base = resolveSimParams(input);
  const reference = sweepPrepared(pair, base, grid); // warm-up (JIT)
  const workers = os.availableParallelism();
  const pool = new SweepPool(pair, base, workers);
  const syncRates: number[] = [];
  const cpuRates: number[] = [];
  const poolRates: number[] = [];
  const poolCores: number[] = []; // CPU-seconds of all threads per wall second during a pool sweep
  let identical = true;
  try {
    for (let k = 0; k < 3; k++) {
      // start-up and JIT warm-up of the workers
      const warm = await pool.sweep(grid);
      identical &&= sameRows(warm.rows, reference.rows);
    }
    for (let k = 0; k < 15; k++) {
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const res = sweepPrepared(pair, base, grid);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = process.cpuUsage(cpu0);
      syncRates.push(res.barSteps / seconds);
      cpuRates.push(res.barSteps / ((cpu.user + cpu.system) / 1e6));

      const cpu1 = process.cpuUsage();
      const t1 = process.hrtime.bigint();
      const par = await pool.sweep(grid);
      const parSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
      const parCpu = process.cpuUsage(cpu1);
      poolRates.push(par.barSteps / parSeconds);
      poolCores.push((parCpu.user + parCpu.system) / 1e6 / parSeconds);
      identical &&= sameRows(par.rows, res.rows);
    }
  } finally {
    await pool.close();
  }
  // One call of sweepPreparedParallel including worker start-up (what a single ad-hoc sweep pays).
  const t2 = process.hrtime.bigint();
  const oneShot = await sweepPreparedParallel(pair, base, grid, { workers });
  const oneShotSeconds = Number(process.hrtime.bigint() - t2) / 1e9;
  identical &&= sameRows(oneShot.rows, reference.rows);

  // A finer grid, one call each way, workers started inside the call (cold workers).
  const fineGrid: SweepGrid = { entry: range(1.0, 3.0, 0.01), exit: range(0, 1.0, 0.05), stopLoss: range(2.5, 5.0, 0.1) };
  const t3 = process.hrtime.bigint();
  const fineSync = sweepPrepared(pair, base, fineGrid);
  const fineSyncSeconds = Number(process.hrtime.bigint() - t3) / 1e9;
  const t4 = process.hrtime.bigint();
  const fineParallel = await sweepPreparedParallel(pair, base, fineGrid, { workers });
  const fineParallelSeconds = Number(process.hrtime.bigint() - t4) / 1e9;
  identical &&= sameRows(fineParallel.rows, fineSync.rows);

  const { rows, barSteps } = reference;
  const syncMed = median(syncRates);
  const poolMed = median(poolRates);
  const loadAfter = os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  const M = (x: number): string => (x / 1e6).toFixed(1);
  process.stdout.write(
    `sweep: ${rows.length} threshold combinations x ${pair.timestamps.length} bars = ${(barSteps / 1e6).toFixed(2)} M bar-steps per sweep; ` +
      `load average after the runs ${loadAfter}\n` +
      `single thread (wall clock, baseline): median ${M(syncMed)} M bar-steps/s, best ${M(Math.max(...syncRates))} M; ` +
      // On a shared machine the process is descheduled part of the time; CPU time shows the loop's own cost.
      `per CPU-second ${M(median(cpuRates))} M\n` +
      `parallel, ${workers} workers, pool reused (wall clock): median ${M(poolMed)} M bar-steps/s, best ${M(Math.max(...poolRates))} M ` +
      `(x${(poolMed / syncMed).toFixed(2)} vs single thread; the process got a median ${median(poolCores).toFixed(2)} of ${workers} cores meanwhile)\n` +
      `parallel, one call incl. worker start-up: ${(oneShotSeconds * 1e3).toFixed(0)} ms = ${M(barSteps / oneShotSeconds)} M bar-steps/s ` +
      `(start-up dominates; in 'auto' mode sweepPreparedParallel stays on one thread below ${PARALLEL_MIN_BAR_STEPS / 1e6} M bar-steps)\n` +
      `fine grid, ${fineSync.rows.length} combinations = ${(fineSync.barSteps / 1e6).toFixed(1)} M bar-steps, one call each: ` +
      `single thread ${(fineSyncSeconds * 1e3).toFixed(0)} ms (${M(fineSync.barSteps / fineSyncSeconds)} M/s), ` +
      `sweepPreparedParallel (${workers} workers) incl. start-up ${(fineParallelSeconds * 1e3).toFixed(0)} ms (${M(fineSync.barSteps / fineParallelSeconds)} M/s)\n` +
      `rows of every parallel sweep identical to the single-thread sweep: ${identical ? 'yes' : 'NO'}\n` +
      `target >= ${TARGET_BAR_STEPS_PER_S / 1e6} M bar-steps/s (median, wall clock): ` +
      `single thread ${syncMed >= TARGET_BAR_STEPS_PER_S ? 'met' : 'NOT met'}, parallel pool ${poolMed >= TARGET_BAR_STEPS_PER_S ? 'met' : 'NOT met'}\n`,
  );
}

/** Same rows in the same order, every value bit for bit (Object.is). */
function sameRows(a: readonly SweepRow[], b: readonly SweepRow[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) {
    const x = a[k] as unknown as Record<string, unknown>;
    const y = b[k] as unknown as Record<string, unknown>;
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length || !keys.every((key) => Object.is(x[key], y[key]))) return false;
  }
  return true;
}

if (require.main === module) {
  run().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
