/**
 * Scale-out: the same 2,000-pair cycle with 1 and then 2 `pairs worker` processes polling one task queue, against
 * one Temporal dev server and one PostgreSQL. The cycle spreads its evaluation over evaluatePairs activities of
 * EVALUATION_CHUNK_PAIRS pairs each (8 for 2,000 pairs), run in parallel, so a second worker takes half of them.
 * Before each round the cycle's tables are emptied, so every round redoes the same first-cycle work (bars for 64
 * symbols, 2,000 pairs' spreads over the lookback). One warm-up round per setting is left out of the medians.
 * Workers run compiled (dist/, after `npm run build`) when it exists, else from the sources through tsx.
 * Target: >= 1.6x on the project's 2-core machine (PostgreSQL, Temporal and the bench share those cores).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { startSimulator } from '../broker/simulator';
import { seedPairs } from '../chaos/seed';
import { startDevServer } from '../temporal/dev-server';
import { PAIRS_BIN, WorkerProcess, waitForPoller } from '../chaos/worker-process';
import { PROCESS_NODE_FLAGS } from '../cli/node-flags';
import { DEFAULT_CONFIG_PATH } from '../config/loader';
import { createScratchDatabase } from '../db/scratch-database';
import { runCycleNow } from '../temporal/run-cycle-now';
import { evaluationParts } from '../workflows/contracts/pairs-cycle';

const PAIR_COUNT = Number(process.env.PAIRS_BENCH_SCALEOUT_PAIRS ?? 2000);
const ROUNDS = Number(process.env.PAIRS_BENCH_ROUNDS ?? 3);
const SYMBOLS = Math.ceil((1 + Math.sqrt(1 + 8 * PAIR_COUNT)) / 2);
const SIM_START = '2026-03-18T15:00:00Z';
const COMPILED_BIN = path.resolve(__dirname, '../dist/cli/run.js');
const TASK_QUEUE = 'bench-scaleout';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pairs-bench-scaleout-'));
  // Entries out of reach: the cycle starts no trade workflows (they would outlive it).
  const configPath = path.join(dir, 'pairs.yaml');
  writeFileSync(
    configPath,
    readFileSync(DEFAULT_CONFIG_PATH, 'utf8')
      .replace(/^entry_threshold: .*$/m, 'entry_threshold: 50')
      .replace(/^stop_loss_threshold: .*$/m, 'stop_loss_threshold: 60'),
  );
  const bin = existsSync(COMPILED_BIN) ? COMPILED_BIN : PAIRS_BIN;
  const [sim, temporal, database] = await Promise.all([
    startSimulator({ seed: 3, startTime: SIM_START, paused: true, initialCash: 1_000_000, universeSize: SYMBOLS }),
    startDevServer(),
    createScratchDatabase('pairs_bench_scaleout'),
  ]);
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const workers: WorkerProcess[] = [];
  try {
    const symbols = sim.control.market.symbols.map((m) => m.symbol);
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < symbols.length && pairs.length < PAIR_COUNT; i++) {
      for (let j = i + 1; j < symbols.length && pairs.length < PAIR_COUNT; j++) pairs.push([symbols[i], symbols[j]]);
    }
    await seedPairs(database.db, sim, pairs, 0);
    const env = {
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: temporal.address,
      ALPACA_SIM_URL: sim.url,
      ALPACA_KEY_ID: '',
      ALPACA_SECRET_KEY: '',
      PAIRS_CONFIG: configPath,
      LOG_LEVEL: 'warn',
    };
    const results: Array<{ workers: number; ms: number[] }> = [];
    for (const count of [1, 2]) {
      while (workers.length < count) {
        const w = new WorkerProcess(env, path.join(dir, `worker-${workers.length + 1}.log`), [
          ...PROCESS_NODE_FLAGS.worker,
          bin,
          'worker',
          '--task-queue',
          TASK_QUEUE,
        ]);
        const pid = w.start();
        workers.push(w);
        if (!(await waitForPoller(client, 'default', TASK_QUEUE, w, pid, 180_000))) throw new Error(`worker did not start; see ${w.logFile}`);
      }
      const ms: number[] = [];
      for (let round = 0; round < ROUNDS + 1; round++) {
        await sql`TRUNCATE strategy_engine.market_data, strategy_engine.pair_spread, strategy_engine.pair_signal CASCADE`.execute(database.db);
        const t0 = performance.now();
        const summary = await runCycleNow(client, { dryRun: true, taskQueue: TASK_QUEUE });
        const elapsed = performance.now() - t0;
        if (summary.pairsProcessed !== pairs.length) throw new Error(`cycle processed ${summary.pairsProcessed} pairs, not ${pairs.length}`);
        if (round > 0) ms.push(elapsed);
        process.stdout.write(
          `${count} worker(s), round ${round}${round === 0 ? ' (warm-up)' : ''}: ${elapsed.toFixed(0)} ms ` +
            `(${summary.evaluationParts ?? 1} evaluation activities, ${summary.spreadsWritten} spreads written)\n`,
        );
      }
      results.push({ workers: count, ms });
    }
    const one = median(results[0].ms);
    const two = median(results[1].ms);
    const speedup = one / two;
    process.stdout.write(
      [
        `scale-out: ${pairs.length}-pair cycle over ${symbols.length} symbols, ${evaluationParts(pairs.length)} evaluation chunks, ${os.availableParallelism()} cores, workers ${bin === COMPILED_BIN ? 'compiled' : 'tsx'}`,
        `  1 worker:  median ${one.toFixed(0)} ms  [${results[0].ms.map((x) => x.toFixed(0)).join(', ')}]`,
        `  2 workers: median ${two.toFixed(0)} ms  [${results[1].ms.map((x) => x.toFixed(0)).join(', ')}]`,
        `  speed-up ${speedup.toFixed(2)}x (target >= 1.6x) ${speedup >= 1.6 ? 'OK' : 'UNDER'}`,
        '',
      ].join('\n'),
    );
  } finally {
    for (const w of workers) {
      await w.stop();
      w.close();
    }
    await connection.close();
    await Promise.allSettled([temporal.stop(), sim.stop(), database.drop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
