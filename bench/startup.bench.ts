/**
 * Start-up time and memory of the worker and the API, run as users run them: from the TypeScript sources through
 * tsx (`node bin/pairs.js`, what production ran before the build) and compiled (`node dist/cli/run.js`, after
 * `npm run build`), each with its process's V8 flags (PROCESS_NODE_FLAGS). Start-up: spawn until the worker polls
 * its task queue / the API answers GET /config. RSS: the process's VmRSS 3 s after it is up, and its peak (VmHWM).
 * The workflow bundle is cached before the first round (as the image prebuilds it), so no round pays for webpack.
 * Needs `npm run build` first for the compiled rows (they are skipped without dist/).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startSimulator } from '../broker/simulator';
import { freePort } from '../temporal/free-port';
import { startDevServer } from '../temporal/dev-server';
import { PAIRS_BIN, WorkerProcess, waitForPoller } from '../chaos/worker-process';
import { PROCESS_NODE_FLAGS } from '../cli/node-flags';
import { createScratchDatabase } from '../db/scratch-database';
import { cachedWorkflowBundle } from '../temporal/workflow-bundle';

const ROUNDS = Number(process.env.PAIRS_BENCH_ROUNDS ?? 3);
const COMPILED_BIN = path.resolve(__dirname, '../dist/cli/run.js');

function procMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Sample {
  startMs: number;
  rssMb: number;
  peakMb: number;
}

export async function run(): Promise<void> {
  const compiled = existsSync(COMPILED_BIN);
  if (!compiled) process.stdout.write('dist/ not found: run `npm run build` for the compiled rows\n');
  const [temporal, database, sim] = await Promise.all([startDevServer(), createScratchDatabase('pairs_bench_startup'), startSimulator({ seed: 3 })]);
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'pairs-bench-startup-'));
  const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  try {
    await cachedWorkflowBundle();
    const base = {
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: temporal.address,
      ALPACA_SIM_URL: sim.url,
      ALPACA_KEY_ID: '',
      ALPACA_SECRET_KEY: '',
      LOG_LEVEL: 'warn',
      PAIRS_API_TOKEN: 'bench',
    };
    const variants = [{ name: 'tsx (before)', bin: PAIRS_BIN }, ...(compiled ? [{ name: 'compiled (after)', bin: COMPILED_BIN }] : [])];
    if (compiled) {
      // The compiled worker keys its own bundle cache on the compiled files: build it once, outside the timings.
      const { cachedWorkflowBundle: compiledBundle } = require(
        path.resolve(__dirname, '../dist/temporal/workflow-bundle.js'),
      ) as typeof import('../temporal/workflow-bundle');
      await compiledBundle();
    }
    const rows: string[] = [];
    for (const kind of ['worker', 'api'] as const) {
      for (const variant of variants) {
        const samples: Sample[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const port = await freePort();
          const taskQueue = `bench-startup-${kind}-${round}`;
          const args = kind === 'worker' ? ['worker', '--task-queue', taskQueue] : ['api', '--port', String(port)];
          const proc = new WorkerProcess(base, path.join(logDir, `${kind}.log`), [...PROCESS_NODE_FLAGS[kind], variant.bin, ...args]);
          const started = performance.now();
          const pid = proc.start();
          let up = false;
          if (kind === 'worker') {
            up = await waitForPoller(client, 'default', taskQueue, proc, pid, 120_000);
          } else {
            const deadline = Date.now() + 120_000;
            while (!up && Date.now() < deadline && proc.pid === pid) {
              up = await fetch(`http://127.0.0.1:${port}/api/strategies/pairs/config`).then(
                (r) => r.ok,
                () => false,
              );
              if (!up) await new Promise((r) => setTimeout(r, 50));
            }
          }
          const startMs = performance.now() - started;
          if (!up) throw new Error(`${kind} (${variant.name}) did not start; see ${proc.logFile}`);
          await new Promise((r) => setTimeout(r, 3000));
          samples.push({ startMs, rssMb: procMb(pid, 'VmRSS'), peakMb: procMb(pid, 'VmHWM') });
          await proc.stop();
          proc.close();
        }
        rows.push(
          `${kind.padEnd(7)} ${variant.name.padEnd(17)} start ${(median(samples.map((s) => s.startMs)) / 1000).toFixed(2)} s   ` +
            `RSS ${median(samples.map((s) => s.rssMb)).toFixed(0)} MB   peak ${median(samples.map((s) => s.peakMb)).toFixed(0)} MB   ` +
            `(median of ${ROUNDS}; flags ${PROCESS_NODE_FLAGS[kind].join(' ')})`,
        );
        process.stdout.write(`${rows[rows.length - 1]}\n`);
      }
    }
  } finally {
    await client.connection.close();
    await Promise.allSettled([sim.stop(), database.drop(), temporal.stop()]);
  }
}
