/**
 * Walk-forward throughput: 40 symbols x 2,500 daily bars (synthetic universe, weekday dates), 20 windows
 * (formation 500 bars, trading 100, step 100), a 27-configuration in-sample sweep per window. Target: <= 5 s
 * for the whole process (`npm run bench -- walkforward`, node start-up and TypeScript loading included).
 * Baseline in the same run: the same walk-forward with a single configuration (no sweep).
 * Configurations evaluated = portfolio simulations run: per window, 27 in-sample, 27 out-of-sample
 * counterfactuals for the PBO and the chosen path.
 */
import os from 'node:os';
import { syntheticUniverse } from '../strategy/synthetic-universe';
import { DEFAULT_SWEEP_GRID } from '../strategy/walkforward';
import { runWalkForwardParallel } from '../strategy/walkforward-parallel';
import { DAY_MS } from '../strategy/time-units';

const TARGET_SECONDS = 5;

function weekdays(n: number): Float64Array {
  const out = new Float64Array(n);
  let t = Date.UTC(2015, 0, 5);
  for (let k = 0; k < n; k++) {
    while ([0, 6].includes(new Date(t).getUTCDay())) t += DAY_MS;
    out[k] = t;
    t += DAY_MS;
  }
  return out;
}

export async function run(): Promise<void> {
  const load = os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  process.stdout.write(`machine: ${os.cpus().length} cpus, availableParallelism ${os.availableParallelism()}, load average ${load}\n`);
  const u = syntheticUniverse({ symbols: 40, bars: 2500, seed: 20261202 });
  const matrix = { timestamps: weekdays(2500), symbols: u.symbols, prices: u.prices };
  const windows = { formationBars: 500, tradingBars: 100 };

  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const swept = await runWalkForwardParallel(matrix, { ...windows, sweep: DEFAULT_SWEEP_GRID });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const processSeconds = process.uptime();

  const t1 = process.hrtime.bigint();
  const single = await runWalkForwardParallel(matrix, windows);
  const singleSeconds = Number(process.hrtime.bigint() - t1) / 1e9;

  const rate = swept.configurations_evaluated / seconds;
  process.stdout.write(
    `walk-forward, 40 symbols x 2500 daily bars, ${swept.windows.length} windows, ${swept.configurations}-configuration sweep: ` +
      `${seconds.toFixed(2)} s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s of this process's main thread and workers), ` +
      `whole process so far ${processSeconds.toFixed(2)} s\n` +
      `configurations evaluated: ${swept.configurations_evaluated} portfolio simulations = ${rate.toFixed(0)} configurations/s ` +
      `(${swept.windows.reduce((s, w) => s + w.pairs_tested, 0)} pair tests in discovery, ${swept.metrics.total_trades} out-of-sample trades)\n` +
      `baseline, same walk-forward with one configuration (no sweep): ${singleSeconds.toFixed(2)} s ` +
      `(${single.configurations_evaluated} simulations; run second, so with a warm JIT, while the timed run paid the cold start)\n` +
      `target <= ${TARGET_SECONDS} s for the whole process: ${processSeconds <= TARGET_SECONDS ? 'met' : 'NOT met'} (load average now ${os.loadavg()[0].toFixed(1)})\n`,
  );
}

if (require.main === module) {
  run().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
