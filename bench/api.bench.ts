/**
 * API throughput against a bare Express baseline, measured in the same run (`npm run bench api`).
 *
 * Seeds its own database (50 pairs x 2,000 hourly spread rows, an open trade on every fifth pair, 200 closed
 * trades), then runs two child processes: the pairs API (createApp on that database; a lazy Temporal
 * connection, which these GETs never use; a paused simulator in the parent process as broker) and a bare Express app
 * answering a constant JSON. autocannon drives each target with 64 connections for ~5 s. Printed: req/s, ratio
 * to bare Express (target >= 50%), p99 latency (target < 50 ms) and the API process RSS (target <= 150 MB),
 * read from /proc after the load. The database is dropped at the end.
 */
import { API_NODE_FLAGS } from '../api/server';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The part of autocannon's API used here (the package ships no types). */
interface AutocannonResult {
  requests: { average: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
}
const autocannon = require('autocannon') as (opts: { url: string; connections: number; duration: number }) => Promise<AutocannonResult>;

const CONNECTIONS = 64;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const PAIRS = 50;
const SPREAD_ROWS = 2000;
const HOUR = 3_600_000;

interface Target {
  child: ChildProcess;
  port: number;
}

async function startChild(mode: 'api' | 'bare', env: Record<string, string>): Promise<Target> {
  // node --require tsx/cjs, as bin/pairs.js runs the API (not the tsx CLI, which runs the script in a grandchild, nor
  // --import tsx, whose off-thread ESM hooks cost ~25 MB): /proc/<pid> is the server itself.
  // The API runs with API_NODE_FLAGS, as docker-compose.yml starts it; BENCH_API_NODE_FLAGS overrides them
  // (set it empty to measure V8's defaults).
  const flags = mode === 'api' ? (process.env.BENCH_API_NODE_FLAGS ?? API_NODE_FLAGS.join(' ')).split(' ').filter(Boolean) : [];
  if (mode === 'api') process.stdout.write(`API process node flags: ${flags.join(' ') || '(V8 defaults)'}\n`);
  const child = spawn(process.execPath, [...flags, '--require', 'tsx/cjs', __filename], {
    cwd: path.resolve(__dirname, '..'),
    env: { ...process.env, ...env, PAIRS_BENCH_CHILD: mode },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += String(chunk);
      const m = /^listening (\d+)$/m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${mode} child exited with ${code}`)));
  });
  return { child, port };
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function load(url: string): Promise<{ rps: number; p99: number; non2xx: number; errors: number }> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

async function stopChild(target: Target): Promise<void> {
  if (target.child.exitCode !== null) return;
  const exited = new Promise((resolve) => target.child.once('exit', resolve));
  target.child.kill('SIGTERM');
  await exited;
}

export async function seedBenchDatabase(db: import('../db/connection').Db): Promise<number[]> {
  const last = Date.UTC(2026, 2, 28, 21);
  const ids: number[] = [];
  for (let p = 0; p < PAIRS; p++) {
    const row = await db
      .insertInto('strategy_engine.pair_registry')
      .values({
        symbol1: `S${p}A`,
        symbol2: `S${p}B`,
        hedge_ratio: 0.9,
        hedge_alpha: 0.1,
        half_life: 20,
        cointegration_pvalue: 0.01,
        cointegration_stat: -4,
        correlation: 0.85,
        score: 1,
        rank: p + 1,
        is_active: true,
        entry_threshold: null,
        exit_threshold: null,
        stop_loss_threshold: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.push(row.id);
    const spreads = Array.from({ length: SPREAD_ROWS }, (_, i) => ({
      pair_id: row.id,
      ts: new Date(last - (SPREAD_ROWS - 1 - i) * HOUR),
      price1: 50 + Math.sin(i / 9),
      price2: 60 + Math.cos(i / 11),
      hedge_ratio: 0.9,
      spread: Math.sin(i / 13) / 100,
      rolling_mean: 0,
      rolling_std: 0.01,
      z_score: Math.sin(i / 13) * 2.5,
    }));
    for (let i = 0; i < spreads.length; i += 1000)
      await db
        .insertInto('strategy_engine.pair_spread')
        .values(spreads.slice(i, i + 1000))
        .execute();
    if (p % 5 === 0) {
      await db
        .insertInto('strategy_engine.pair_trade')
        .values({
          pair_id: row.id,
          side: 'LONG_SPREAD',
          status: 'OPEN',
          entry_time: new Date(last - 30 * HOUR),
          entry_z_score: -2.2,
          qty1: 10,
          qty2: 9,
          entry_price1: 49,
          entry_price2: 61,
        })
        .execute();
    }
    for (let t = 0; t < 4; t++) {
      await db
        .insertInto('strategy_engine.pair_trade')
        .values({
          pair_id: row.id,
          side: 'SHORT_SPREAD',
          status: 'CLOSED',
          entry_time: new Date(last - (200 + t * 50) * HOUR),
          exit_time: new Date(last - (190 + t * 50) * HOUR),
          pnl: ((p * 7 + t * 13) % 40) - 15,
          hold_hours: 10,
          qty1: 1,
          qty2: 1,
        })
        .execute();
    }
  }
  await db
    .updateTable('strategy_engine.strategy_state')
    .set({ last_update: new Date(last) })
    .execute();
  return ids;
}

export async function run(): Promise<void> {
  const { createTestDatabase } = await import('../tests/helpers/database');
  const { startSimulator } = await import('../broker/simulator');
  const database = await createTestDatabase('bench_api');
  // The broker answers /active's clock lookups (cached 30 s); it runs here, outside the measured API process.
  const sim = await startSimulator({ seed: 1, startTime: '2026-03-30T15:00:00Z', paused: true });
  const targets: Target[] = [];
  try {
    process.stdout.write(`seeding ${PAIRS} pairs x ${SPREAD_ROWS} spread rows...\n`);
    const ids = await seedBenchDatabase(database.db);
    const bare = await startChild('bare', {});
    targets.push(bare);
    const api = await startChild('api', { DATABASE_URL: database.url, ALPACA_SIM_URL: sim.url });
    targets.push(api);

    const idleRss = rssMb(api.child.pid!);
    const base = `http://127.0.0.1:${api.port}/api/strategies/pairs`;
    // Warm both (JIT, connection pool, config cache).
    await autocannon({ url: `http://127.0.0.1:${bare.port}/`, connections: 8, duration: 1 });
    await autocannon({ url: `${base}/status`, connections: 8, duration: 1 });

    const rows: string[] = [];
    const line = (name: string, r: { rps: number; p99: number; non2xx: number; errors: number }, baseline: number, rss: number | null) => {
      const ratio = (r.rps / baseline) * 100;
      rows.push(
        `${name.padEnd(28)} ${r.rps.toFixed(0).padStart(8)} req/s  ${ratio.toFixed(0).padStart(4)}% of bare  p99 ${String(r.p99).padStart(4)} ms` +
          `${rss === null ? '' : `  RSS ${rss.toFixed(0)} MB`}${r.non2xx || r.errors ? `  (non-2xx ${r.non2xx}, errors ${r.errors})` : ''}`,
      );
    };
    let peakRss = 0;
    // Each endpoint right after its own bare-Express baseline: the machine is shared, so load drifts between runs.
    for (const [name, path] of [
      ['GET /status', '/status'],
      ['GET /active', '/active'],
      [`GET /{id}/history (721 pts)`, `/${ids[7]}/history?days=30`],
    ] as const) {
      const baseline = await load(`http://127.0.0.1:${bare.port}/`);
      line('  bare express (baseline)', baseline, baseline.rps, null);
      const r = await load(`${base}${path}`);
      const rss = rssMb(api.child.pid!);
      peakRss = Math.max(peakRss, rss);
      line(name, r, baseline.rps, rss);
    }
    process.stdout.write(`${CONNECTIONS} connections, ${DURATION_S} s each; targets: >= 50% of bare, p99 < 50 ms, RSS <= 150 MB\n`);
    process.stdout.write(`${rows.join('\n')}\n`);
    const metrics = await (await fetch(`http://127.0.0.1:${api.port}/metrics`)).text();
    const heapMb = Number(/^pairs_api_nodejs_heap_size_used_bytes (\S+)$/m.exec(metrics)?.[1]) / 2 ** 20;
    process.stdout.write(
      `API process peak RSS after load: ${peakRss.toFixed(0)} MB (V8 heap used now ${heapMb.toFixed(0)} MB); ` +
        `the same process idle, before any load: ${idleRss.toFixed(0)} MB; bare Express under tsx: ${rssMb(bare.child.pid!).toFixed(0)} MB\n`,
    );
  } finally {
    for (const t of targets) await stopChild(t);
    await sim.stop();
    await database.drop();
  }
}

/** Child process entry: `PAIRS_BENCH_CHILD=api|bare`. */
async function child(mode: string): Promise<void> {
  const express = require('express') as typeof import('express');
  const { listen } = require('../api/server') as typeof import('../api/server');
  let app: import('express').Express;
  let cleanup = async () => undefined as void;
  if (mode === 'bare') {
    app = express();
    const body = { is_active: true, total_pairs: 50, active_pairs: 10, total_pnl: 142.5, last_update: '2026-03-28T14:00:00+00:00' };
    app.get('/', (_req, res) => {
      res.json(body);
    });
  } else {
    const { Client, Connection } = require('@temporalio/client') as typeof import('@temporalio/client');
    const { createApp, createApiLogger } = require('../api/app') as typeof import('../api/app');
    const { createDb } = require('../db/connection') as typeof import('../db/connection');
    const { createAlpacaBroker } = require('../broker/alpaca-broker') as typeof import('../broker/alpaca-broker');
    const { DEFAULT_CONFIG_PATH } = require('../config/loader') as typeof import('../config/loader');
    const db = createDb({ connectionString: process.env.DATABASE_URL! });
    const broker = createAlpacaBroker({ keyId: 'K', secret: 'S', simulatorUrl: process.env.ALPACA_SIM_URL! });
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    app = createApp({
      db,
      temporal: { client, taskQueue: 'bench' },
      broker,
      configPath: DEFAULT_CONFIG_PATH,
      apiToken: 'bench',
      logger: createApiLogger('warn'),
    });
    cleanup = async () => {
      await db.destroy();
    };
  }
  const server = await listen(app, 0);
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void cleanup().finally(() => process.exit(0));
  });
}

if (process.env.PAIRS_BENCH_CHILD) {
  child(process.env.PAIRS_BENCH_CHILD).catch((err) => {
    process.stderr.write(`bench child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
