/**
 * Orchestration overhead: one 50-pair cycle through Temporal (real dev server, `pairs worker` as a child
 * process, simulator) beside the same activities called directly in sequence in this process (baseline).
 * Target: Temporal wall time <= 1.5x the direct time. Also the worker's peak RSS (VmHWM of the child
 * process from /proc/<pid>/status; target <= 250 MB).
 *
 * Before each round the cycle's tables are emptied on both sides, so both redo the same first-cycle work (full
 * bar lookback); one warm-up round is left out of the medians.
 * The simulator clock is paused inside regular hours, so every round sees the same bars. The config sets the
 * entry threshold out of reach: the cycle's routing step starts no trade workflows (they would outlive it).
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createPairsActivities } from '../activities';
import { createAlpacaBroker } from '../broker/alpaca-broker';
import { startSimulator } from '../broker/simulator';
import { DEFAULT_CONFIG_PATH } from '../config/loader';
import { createScratchDatabase, type ScratchDatabase } from '../db/scratch-database';
import { seedPairs } from '../chaos/seed';
import { startDevServer } from '../temporal/dev-server';
import { PAIRS_BIN, WorkerProcess, waitForPoller } from '../chaos/worker-process';
import { runCycleNow } from '../temporal/run-cycle-now';
import { TASK_QUEUE } from '../workflows/contracts/task-queue';
import { WORKER_NODE_FLAGS } from '../temporal/worker';

const PAIR_COUNT = 50;
const ROUNDS = Number(process.env.PAIRS_BENCH_ROUNDS ?? 3);
/**
 * Node flags of the worker child: the recommended WORKER_NODE_FLAGS unless PAIRS_BENCH_WORKER_NODE_ARGS is set
 * (set it to '' to measure a plain `node bin/pairs.js worker`).
 */
const WORKER_NODE_ARGS = (process.env.PAIRS_BENCH_WORKER_NODE_ARGS ?? WORKER_NODE_FLAGS.join(' ')).split(/\s+/).filter(Boolean);
const SIM_START = '2026-03-18T15:00:00Z';

/** 50 distinct symbol pairs of the simulator's 40-symbol universe, cointegrated clusters first. */
function benchPairs(symbols: string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let gap = 1; pairs.length < PAIR_COUNT; gap++) {
    for (let i = 0; i + gap < symbols.length && pairs.length < PAIR_COUNT; i++) pairs.push([symbols[i], symbols[i + gap]]);
  }
  return pairs;
}

function benchConfig(dir: string): string {
  const text = readFileSync(DEFAULT_CONFIG_PATH, 'utf8')
    .replace(/^entry_threshold: .*$/m, 'entry_threshold: 50')
    .replace(/^stop_loss_threshold: .*$/m, 'stop_loss_threshold: 60');
  const file = path.join(dir, 'pairs.yaml');
  writeFileSync(file, text);
  return file;
}

function vmHwmMb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status);
    return kb ? Number(kb[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function vmRssMb(pid: number): number | null {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? Number(kb[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** What a cycle writes, so the next round redoes the same work (no trades exist: entries are out of reach). */
async function emptyCycleTables(database: ScratchDatabase): Promise<void> {
  await sql`TRUNCATE strategy_engine.market_data, strategy_engine.pair_spread, strategy_engine.pair_signal CASCADE`.execute(database.db);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pairs-bench-orch-'));
  const configPath = benchConfig(dir);
  const sim = await startSimulator({ seed: 3, startTime: SIM_START, paused: true, initialCash: 1_000_000 });
  const temporal = await startDevServer();
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const databases: ScratchDatabase[] = [];
  const pairs = benchPairs(sim.control.market.symbols.map((m) => m.symbol));
  const fresh = async (): Promise<ScratchDatabase> => {
    const database = await createScratchDatabase('pairs_bench_orch');
    databases.push(database);
    await seedPairs(database.db, sim, pairs, 0);
    return database;
  };
  let worker: WorkerProcess | undefined;
  try {
    // One worker process and one database per side for every round; the cycle's tables are emptied before
    // each round so both sides redo the same first-cycle work. Round 1 warms both up and is not in the median.
    const viaTemporal = await fresh();
    const direct = await fresh();
    worker = new WorkerProcess(
      {
        DATABASE_URL: viaTemporal.url,
        TEMPORAL_ADDRESS: temporal.address,
        ALPACA_SIM_URL: sim.url,
        ALPACA_KEY_ID: '',
        ALPACA_SECRET_KEY: '',
        PAIRS_CONFIG: configPath,
      },
      path.join(dir, 'worker.log'),
      [...WORKER_NODE_ARGS, PAIRS_BIN, 'worker'],
    );
    const workerPid = worker.start();
    if (!(await waitForPoller(client, 'default', TASK_QUEUE, worker, workerPid, 180_000)))
      throw new Error(`pairs worker did not start; see ${worker.logFile}`);
    const hwmAtReady = vmHwmMb(workerPid);
    const rssAtReady = vmRssMb(workerPid);
    const broker = createAlpacaBroker({ keyId: 'BENCH', secret: 'BENCH', simulatorUrl: sim.url });
    const activities = createPairsActivities({ db: direct.db, broker, configPath, taskQueue: TASK_QUEUE, client });
    const env = new MockActivityEnvironment();
    const inContext = <T>(fn: () => Promise<T>): Promise<T> => env.run<[], T, () => Promise<T>>(fn);

    const temporalMs: number[] = [];
    const directMs: number[] = [];
    let work = { bars: 0, spreads: 0 };
    for (let round = 0; round < ROUNDS + 1; round++) {
      await emptyCycleTables(viaTemporal);
      const t0 = performance.now();
      const summary = await runCycleNow(client, { dryRun: true });
      const tTemporal = performance.now() - t0;
      if (summary.pairsProcessed !== PAIR_COUNT) throw new Error(`cycle processed ${summary.pairsProcessed} pairs, not ${PAIR_COUNT}`);
      work = { bars: summary.barsUpserted, spreads: summary.spreadsWritten };

      // Baseline: the same six activities, in the workflow's order, called in this process with an activity context.
      await emptyCycleTables(direct);
      const t1 = performance.now();
      const clock = await inContext(() => activities.readMarketClock());
      const report = await inContext(() => activities.reconcile());
      const entriesBlockedReason = report.unexplained.length > 0 ? 'reconciliation' : null;
      const refreshed = await inContext(() => activities.refreshMarketData({ nowMs: clock.nowMs }));
      const evaluation = await inContext(() => activities.evaluatePairs({ nowMs: clock.nowMs, entriesBlockedReason }));
      await inContext(() => activities.routeSignals({ entries: evaluation.entries, exits: evaluation.exits }));
      await inContext(() => activities.finishCycle({ nowMs: clock.nowMs }));
      const tDirect = performance.now() - t1;
      if (refreshed.barsUpserted !== summary.barsUpserted || evaluation.spreadsWritten !== summary.spreadsWritten) {
        throw new Error(`direct run did different work: ${refreshed.barsUpserted} bars / ${evaluation.spreadsWritten} spreads`);
      }
      if (round > 0) {
        temporalMs.push(tTemporal);
        directMs.push(tDirect);
      }
      process.stdout.write(
        `round ${round}${round === 0 ? ' (warm-up)' : ''}: through Temporal ${tTemporal.toFixed(0)} ms, direct ${tDirect.toFixed(0)} ms, worker VmRSS ${vmRssMb(workerPid)?.toFixed(1)} MB\n`,
      );
    }
    const peak = vmHwmMb(workerPid);
    const ratio = median(temporalMs) / median(directMs);
    process.stdout.write(
      [
        `orchestration: ${PAIR_COUNT}-pair cycle (${work.bars} bars upserted, ${work.spreads} spreads written per cycle), ${ROUNDS} measured rounds after 1 warm-up`,
        `  through Temporal (dev server + pairs worker child): median ${median(temporalMs).toFixed(0)} ms  [${temporalMs.map((x) => x.toFixed(0)).join(', ')}]`,
        `  direct activities in sequence (baseline):           median ${median(directMs).toFixed(0)} ms  [${directMs.map((x) => x.toFixed(0)).join(', ')}]`,
        `  overhead ratio ${ratio.toFixed(2)}x (target <= 1.5x) ${ratio <= 1.5 ? 'OK' : 'OVER'}`,
        `  worker memory (pairs worker child started with node flags [${WORKER_NODE_ARGS.join(' ')}], /proc/${workerPid}/status): VmHWM at ready ${hwmAtReady?.toFixed(1)} MB (RSS ${rssAtReady?.toFixed(1)} MB),` +
          ` VmHWM after ${ROUNDS + 1} cycles ${peak?.toFixed(1)} MB (target <= 250 MB) ${peak !== null && peak <= 250 ? 'OK' : 'OVER'}`,
        '',
      ].join('\n'),
    );
  } finally {
    await worker?.stop();
    worker?.close();
    for (const database of databases) await database.drop().catch(() => undefined);
    await connection.close();
    await temporal.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
