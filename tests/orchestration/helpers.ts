import { inspect } from 'node:util';
import { sql } from 'kysely';
import { setTradingState } from '../../db/queries/risk';
import type { RiskLimits } from '../../strategy/risk/limits';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Broker } from '../../broker/types';
import { DEFAULT_CONFIG_PATH } from '../../config/loader';
import type { Db } from '../../db/connection';
import type { TradeRow } from '../../db/schema';
import { logPrices } from '../../strategy/spread';
import { tradePnl } from '../../strategy/trade-math';
import { fitHedge } from '../../strategy/ols';
import { alignPairCloses } from '../../strategy/pair-evaluation';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startSimulator, type SimulatorHandle } from '../../broker/simulator';
import { createAlpacaBroker } from '../../broker/alpaca-broker';
import { createPairsWorker } from '../../temporal/worker';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startTemporal } from '../helpers/temporal';
import type { Client } from '@temporalio/client';
import { createPendingTrade } from '../../db/queries/trades';
import type { TradeSide } from '../../db/schema';
import { startPairTradeWorkflow } from '../../temporal/pair-trade-client';
import { pairTradeWorkflowId, type PairTradeInput } from '../../workflows/contracts/pair-trade';

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${last instanceof Error ? last.message : inspect(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A private copy of the default config, so a concurrent POST /config test never changes this file's run. */
export async function copyConfig(label: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `pairs-${label}-`));
  const file = path.join(dir, 'pairs.yaml');
  await fs.copyFile(DEFAULT_CONFIG_PATH, file);
  return file;
}

export interface SeedPairOptions {
  symbol1: string;
  symbol2: string;
  /** Per-pair thresholds; the defaults force an entry on any finite z and never exit by z. */
  entry?: number;
  exit?: number;
  stopLoss?: number;
  halfLife?: number;
}

/** Registers a pair with its hedge ratio fitted (OLS on log prices) to the simulator's recent bars. */
export async function seedPair(db: Db, broker: Broker, o: SeedPairOptions): Promise<number> {
  const clock = await broker.getClock();
  const start = new Date(clock.timestamp.getTime() - 120 * 24 * 3_600_000);
  const bars = await broker.getHourlyBars([o.symbol1, o.symbol2], start, clock.timestamp);
  const toSeries = (s: string) => {
    const b = bars.get(s)!;
    return { ts: Array.from(b.ts), close: Array.from(b.close) };
  };
  const aligned = alignPairCloses(toSeries(o.symbol1), toSeries(o.symbol2), 600);
  const fit = fitHedge(logPrices(aligned.p1), logPrices(aligned.p2));
  const row = await db
    .insertInto('strategy_engine.pair_registry')
    .values({
      symbol1: o.symbol1,
      symbol2: o.symbol2,
      hedge_ratio: fit.beta,
      hedge_alpha: fit.alpha,
      half_life: o.halfLife ?? 100,
      cointegration_pvalue: 0.01,
      cointegration_stat: -4,
      correlation: 0.9,
      score: 1,
      rank: 1,
      is_active: true,
      entry_threshold: o.entry ?? 0.001,
      exit_threshold: o.exit ?? 0,
      stop_loss_threshold: o.stopLoss ?? 1000,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Makes `pairId` the only active pair, so a cycle touches nothing else. */
export async function activateOnly(db: Db, pairId: number): Promise<void> {
  await db.updateTable('strategy_engine.pair_registry').set({ is_active: false }).where('id', '<>', pairId).execute();
  await db.updateTable('strategy_engine.pair_registry').set({ is_active: true }).where('id', '=', pairId).execute();
}

export async function tradesOf(db: Db, pairId: number): Promise<TradeRow[]> {
  return db.selectFrom('strategy_engine.pair_trade').selectAll().where('pair_id', '=', pairId).orderBy('id').execute();
}

export async function tradeWithStatus(db: Db, tradeId: number, statuses: string[]): Promise<TradeRow | undefined> {
  const row = await db.selectFrom('strategy_engine.pair_trade').selectAll().where('id', '=', tradeId).executeTakeFirst();
  return row && statuses.includes(row.status) ? row : undefined;
}

/** Signed broker position per symbol (0 when flat). */
export async function positionsOf(broker: Broker, symbols: string[]): Promise<Record<string, number>> {
  const positions = await broker.getPositions();
  return Object.fromEntries(symbols.map((s) => [s, positions.filter((p) => p.symbol === s).reduce((a, p) => a + p.qty, 0)]));
}

export interface Harness {
  env: TestWorkflowEnvironment;
  testDb: TestDatabase;
  sim: SimulatorHandle;
  broker: Broker;
  taskQueue: string;
  /** The worker's private copy of the strategy config (activities re-read it). */
  configPath: string;
  /** Durations (seconds) the worker reported for each finished cycle. */
  cycleDurations: number[];
  stop(): Promise<void>;
}

/**
 * Everything an orchestration test file needs, started in parallel: the Temporal dev server, a fresh
 * database, the simulator (a Wednesday, 10:40 New York time: session open, bars fresh) and one worker
 * running the real workflows (bundled once) and activities against them.
 */
export async function startHarness(label: string): Promise<Harness> {
  const bundle = bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows') });
  const [env, testDb, sim] = await Promise.all([
    startTemporal(),
    createTestDatabase(label),
    startSimulator({ seed: 11, startTime: '2026-11-18T15:40:00Z' }),
  ]);
  const broker = createAlpacaBroker({ keyId: 'test', secret: 'test', simulatorUrl: sim.url });
  const taskQueue = `orchestration-${label}`;
  const cycleDurations: number[] = [];
  const configPath = await copyConfig(label);
  const worker = await createPairsWorker({
    connection: env.nativeConnection,
    taskQueue,
    db: testDb.db,
    broker,
    configPath,
    workflowBundle: await bundle,
    onCycleFinished: (seconds) => cycleDurations.push(seconds),
  });
  const running = worker.run();
  return {
    env,
    testDb,
    sim,
    broker,
    taskQueue,
    configPath,
    cycleDurations,
    stop: async () => {
      worker.shutdown();
      await running.catch(() => undefined);
      await sim.stop();
      await testDb.drop();
      await env.teardown();
    },
  };
}

export interface TestTradeStart extends Partial<PairTradeInput> {
  pairId: number;
  symbol1: string;
  symbol2: string;
  side: TradeSide;
}

/** Records an entry signal and a PENDING trade for it (entryZ null), then starts its trade workflow; returns the trade row. */
export async function startTestTrade(db: Db, client: Client, taskQueue: string, o: TestTradeStart): Promise<TradeRow> {
  const { pairId, side } = o;
  const signal = await db
    .insertInto('strategy_engine.pair_signal')
    .values({
      pair_id: pairId,
      ts: new Date(),
      type: side,
      z_score: null,
      reason: 'test',
      inputs: '{}',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const { trade } = await createPendingTrade(db, { pairId, entrySignalId: signal.id, side, entryZ: null }, pairTradeWorkflowId);
  await startPairTradeWorkflow(client, { entryZ: null, ...o, tradeId: trade!.id }, taskQueue);
  return trade!;
}

/** Changes some risk limits of the stored config (seeded by the first cycle or config read). */
export async function setRiskLimits(db: Db, limits: Partial<RiskLimits>): Promise<void> {
  await sql`UPDATE strategy_engine.strategy_config
            SET config = jsonb_set(config, '{risk}', COALESCE(config->'risk', '{}'::jsonb) || ${JSON.stringify(limits)}::jsonb)`.execute(db);
}

/** The operator's POST /start, without the API: ACTIVE, limits re-based on the latest equity snapshot. */
export async function resumeTrading(db: Db): Promise<void> {
  await setTradingState(db, { state: 'ACTIVE', reason: 'test: started', rule: null, changedBy: 'test', rebase: true });
}

/** tradePnl recomputed from a closed trade row's recorded quantities and prices. */
export function pnlOfRecordedLegs(closed: TradeRow): number {
  return tradePnl({
    side: closed.side,
    qty1: closed.qty1!,
    qty2: closed.qty2!,
    entry1: closed.entry_price1!,
    entry2: closed.entry_price2!,
    exit1: closed.exit_price1!,
    exit2: closed.exit_price2!,
  });
}
