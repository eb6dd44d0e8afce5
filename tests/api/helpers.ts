import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApiLogger, createApp, type AppDeps } from '../../api/app';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../broker/simulator';
import { createAlpacaBroker, type AlpacaBroker } from '../../broker/alpaca-broker';
import { DEFAULT_CONFIG_PATH } from '../../config/loader';
import type { Db } from '../../db/connection';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startTemporal } from '../helpers/temporal';
import { mulberry32 } from '../../strategy/synthetic-universe';

export const API = '/api/strategies/pairs';
export const TOKEN = 'test-token-9f3c1b2a-do-not-log';
export const AUTH = { Authorization: `Bearer ${TOKEN}` };

/** Everything an API test file needs: real PostgreSQL, real Temporal dev server, the simulator behind the real broker adapter. */
export interface ApiTestEnv {
  app: Express;
  db: Db;
  database: TestDatabase;
  temporal: TestWorkflowEnvironment;
  sim: SimulatorHandle;
  broker: AlpacaBroker;
  configPath: string;
  /** Everything the app logged (pino JSON lines). */
  logs: string[];
  taskQueue: string;
  teardown(): Promise<void>;
}

export async function copyConfig(label: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `pairs-api-${label}-`));
  const file = path.join(dir, 'pairs.yaml');
  await fs.copyFile(DEFAULT_CONFIG_PATH, file);
  return file;
}

export async function startApiTestEnv(
  label: string,
  overrides: Partial<AppDeps> = {},
  simulator: SimulatorOptions = { seed: 11, startTime: '2025-03-04T15:00:00Z', paused: true, fillLatencyMs: 2 },
): Promise<ApiTestEnv> {
  const [database, temporal, sim, configPath] = await Promise.all([
    createTestDatabase(label),
    startTemporal(),
    startSimulator(simulator),
    copyConfig(label),
  ]);
  const broker = createAlpacaBroker({ keyId: 'TESTKEY', secret: 'TESTSECRET', simulatorUrl: sim.url });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const taskQueue = `api-${label}`;
  const app = createApp({
    db: database.db,
    temporal: { client: temporal.client, taskQueue },
    broker,
    configPath,
    apiToken: TOKEN,
    logger: createApiLogger('debug', sink),
    liveQueryTimeoutMs: 1000,
    ...overrides,
  });
  return {
    app,
    db: database.db,
    database,
    temporal,
    sim,
    broker,
    configPath,
    logs,
    taskQueue,
    teardown: async () => {
      await Promise.allSettled([database.drop(), temporal.teardown(), sim.stop(), fs.rm(path.dirname(configPath), { recursive: true, force: true })]);
    },
  };
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface SeededPairs {
  qrvo: number;
  override: number;
  inactive: number;
  inactiveOpen: number;
}

export async function insertPair(
  db: Db,
  values: {
    symbol1: string;
    symbol2: string;
    rank?: number | null;
    is_active?: boolean;
    correlation?: number;
    hedge_ratio?: number;
    half_life?: number | null;
    cointegration_pvalue?: number;
    entry_threshold?: number | null;
    exit_threshold?: number | null;
    stop_loss_threshold?: number | null;
  },
): Promise<number> {
  const row = await db
    .insertInto('strategy_engine.pair_registry')
    .values({
      hedge_ratio: 0.9231,
      hedge_alpha: 0.1,
      half_life: 18.4,
      cointegration_pvalue: 0.0024,
      cointegration_stat: -4.2,
      correlation: 0.8697,
      score: 1,
      rank: 1,
      is_active: true,
      entry_threshold: null,
      exit_threshold: null,
      stop_loss_threshold: null,
      ...values,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Hourly spread rows ending at `last`, the first `warmup` without a z-score; z of row i is zOf(i). */
export async function insertSpreads(
  db: Db,
  pairId: number,
  last: Date,
  count: number,
  opts: {
    warmup?: number;
    zOf?: (i: number) => number;
    price1?: number;
    price2?: number;
  } = {},
): Promise<void> {
  const rows = Array.from({ length: count }, (_, i) => {
    const ts = new Date(last.getTime() - (count - 1 - i) * HOUR);
    const warm = i < (opts.warmup ?? 0);
    return {
      pair_id: pairId,
      ts,
      price1: opts.price1 ?? 70,
      price2: opts.price2 ?? 72,
      hedge_ratio: 0.9231,
      spread: 0.01 + i / 10_000,
      rolling_mean: warm ? null : 0.01,
      rolling_std: warm ? null : 0.002,
      z_score: warm ? null : (opts.zOf ?? ((k) => Math.sin(k / 5) * 2))(i),
    };
  });
  for (let i = 0; i < rows.length; i += 2000)
    await db
      .insertInto('strategy_engine.pair_spread')
      .values(rows.slice(i, i + 2000))
      .execute();
}

export async function insertTrade(
  db: Db,
  values: {
    pair_id: number;
    side?: 'LONG_SPREAD' | 'SHORT_SPREAD';
    status: 'PENDING' | 'OPEN' | 'CLOSING' | 'CLOSED' | 'FAILED';
    workflow_id?: string | null;
    entry_time?: Date | null;
    entry_z_score?: number | null;
    qty1?: number | null;
    qty2?: number | null;
    entry_price1?: number | null;
    entry_price2?: number | null;
    exit_time?: Date | null;
    pnl?: number | null;
    hold_hours?: number | null;
  },
): Promise<number> {
  const row = await db
    .insertInto('strategy_engine.pair_trade')
    .values({
      side: 'LONG_SPREAD',
      workflow_id: null,
      entry_time: null,
      entry_z_score: null,
      qty1: null,
      qty2: null,
      entry_price1: null,
      entry_price2: null,
      exit_time: null,
      pnl: null,
      hold_hours: null,
      ...values,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Seeded-random generator (mulberry32): fuzz runs are reproducible from their seed. */
export const rng = mulberry32;

/** Cointegrated hourly closes for a backtest: symbol2 a random walk, symbol1 follows it with mean-reverting noise. */
export async function insertCointegratedBars(db: Db, symbol1: string, symbol2: string, start: Date, bars: number, seed = 5): Promise<void> {
  const rand = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  let logX = Math.log(50);
  let noise = 0;
  const rows = [];
  for (let i = 0; i < bars; i++) {
    logX += 0.004 * gauss();
    noise = 0.85 * noise + 0.006 * gauss();
    const p2 = Math.exp(logX);
    const p1 = Math.exp(0.2 + 0.95 * logX + noise);
    const ts = new Date(start.getTime() + i * HOUR);
    rows.push({ symbol: symbol1, ts, open: p1, high: p1, low: p1, close: p1, volume: 1000 });
    rows.push({ symbol: symbol2, ts, open: p2, high: p2, low: p2, close: p2, volume: 1000 });
  }
  for (let i = 0; i < rows.length; i += 4000)
    await db
      .insertInto('strategy_engine.market_data')
      .values(rows.slice(i, i + 4000))
      .execute();
}
