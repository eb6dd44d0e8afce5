/**
 * Scheduled re-discovery (the "pairs-discovery" schedule, fired through Temporal) against a real dev server,
 * PostgreSQL, the simulator and one worker: it re-tests every registered pair, retires at once a broken pair
 * without a trade, and waits for the open trade of another broken pair to close before retiring it. New pairs
 * from the simulator's cointegrated clusters are added.
 */
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createAlpacaBroker } from '../../broker/alpaca-broker';
import { startSimulator, type SimulatorHandle } from '../../broker/simulator';
import type { PairRow } from '../../db/schema';
import { deployDiscoverySchedule } from '../../temporal/discovery-schedule';
import { createPairsWorker } from '../../temporal/worker';
import { DISCOVERY_SCHEDULE_ID, type DiscoverySummary } from '../../workflows/contracts/discovery';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startTemporal } from '../helpers/temporal';
import { copyConfig, waitFor } from './helpers';
import { insertPair, insertTrade } from '../api/helpers';

jest.setTimeout(240_000);

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let sim: SimulatorHandle;
let worker: Worker;
let running: Promise<void>;
const taskQueue = 'rediscovery';

beforeAll(async () => {
  const bundle = bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows') });
  [env, database, sim] = await Promise.all([
    startTemporal(),
    createTestDatabase('rediscovery'),
    startSimulator({ seed: 11, startTime: '2026-11-18T15:40:00Z' }),
  ]);
  const broker = createAlpacaBroker({ keyId: 'test', secret: 'test', simulatorUrl: sim.url, timeoutMs: 120_000 });
  const symbols = sim.control.market.symbols.map((s) => s.symbol);
  worker = await createPairsWorker({
    connection: env.nativeConnection,
    taskQueue,
    db: database.db,
    broker,
    configPath: await copyConfig('rediscovery'),
    workflowBundle: await bundle,
    client: env.client,
    universe: async () => symbols,
  });
  running = worker.run();
});

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running?.catch(() => undefined);
  await Promise.allSettled([sim?.stop(), database?.drop(), env?.teardown()]);
});

async function pair(id: number): Promise<PairRow> {
  return database.db.selectFrom('strategy_engine.pair_registry').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

it('retires a broken pair at once, and a broken pair with an open trade only after the trade closes', async () => {
  const db = database.db;
  // Two pairs of the simulator's independent random walks: registered as if cointegrated, they fail a re-test.
  const brokenFree = await insertPair(db, { symbol1: 'QUIL', symbol2: 'RAVN' });
  const brokenTraded = await insertPair(db, { symbol1: 'SLTE', symbol2: 'TKRA' });
  const tradeId = await insertTrade(db, {
    pair_id: brokenTraded,
    status: 'OPEN',
    entry_time: new Date('2026-11-18T14:00:00Z'),
    entry_z_score: -2.3,
    qty1: 10,
    qty2: 12,
    entry_price1: 50,
    entry_price2: 40,
  });

  // The weekly schedule, fired now; its runs check a retiring pair's trade every second.
  await deployDiscoverySchedule(env.client, { taskQueue, input: { retirePollSeconds: 1, chunkPairs: 100 } });
  const schedule = env.client.schedule.getHandle(DISCOVERY_SCHEDULE_ID);
  await schedule.trigger();
  const workflowId = await waitFor(
    'the scheduled discovery run',
    async () => {
      const { info } = await schedule.describe();
      return info.recentActions[0]?.action.workflow.workflowId ?? info.runningActions[0]?.workflow.workflowId;
    },
    60_000,
  );
  const handle = env.client.workflow.getHandle(workflowId);
  const failed = handle.result().then(
    () => null,
    (err: unknown) => err,
  );

  const retiredAt = await waitFor(
    'the pair without a trade retired',
    async () => {
      const error = await Promise.race([failed, new Promise((r) => setTimeout(() => r(null), 10))]);
      if (error) throw new Error(`discovery failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`);
      const p = await pair(brokenFree);
      return p.status === 'RETIRED' ? p : undefined;
    },
    180_000,
  );
  expect(retiredAt.is_active).toBe(false);
  expect(retiredAt.retire_reason).toMatch(/^re-test \d{4}-\d\d-\d\d: .*(p-value|half-life|correlation)/);
  expect(retiredAt.retired_at).not.toBeNull();

  // The traded pair waits: still ACTIVE (its exits are still managed), marked retiring, and the run is still going.
  const waiting = await waitFor('the traded pair marked retiring', async () => {
    const p = await pair(brokenTraded);
    return p.retire_pending_reason ? p : undefined;
  });
  expect(waiting.status).toBe('ACTIVE');
  expect(waiting.is_active).toBe(true);
  await new Promise((r) => setTimeout(r, 3000)); // several retirement checks
  expect((await pair(brokenTraded)).status).toBe('ACTIVE');
  expect((await handle.describe()).status.name).toBe('RUNNING');

  // The trade closes; the next check retires the pair with the re-test's reason.
  const closedAt = new Date();
  await db.updateTable('strategy_engine.pair_trade').set({ status: 'CLOSED', exit_time: closedAt, pnl: 1 }).where('id', '=', tradeId).execute();
  const summary = (await handle.result()) as DiscoverySummary;
  const retired = await pair(brokenTraded);
  expect(retired.status).toBe('RETIRED');
  expect(retired.is_active).toBe(false);
  expect(retired.retire_reason).toBe(waiting.retire_pending_reason);
  expect(new Date(retired.retired_at as unknown as Date).getTime()).toBeGreaterThanOrEqual(closedAt.getTime() - 1000);

  expect(summary.retired.map((r) => r.pairId)).toEqual([brokenFree]);
  expect(summary.retiredAfterTradeClosed.map((r) => r.pairId)).toEqual([brokenTraded]);
  expect(summary.chunks).toBeGreaterThan(1);
  // New pairs from the simulator's clusters were added, ACTIVE.
  expect(summary.added.length).toBeGreaterThan(0);
  const added = await db
    .selectFrom('strategy_engine.pair_registry')
    .select(['status', 'is_active'])
    .where(
      'id',
      'in',
      summary.added.map((a) => a.pairId),
    )
    .execute();
  expect(added.every((p) => p.status === 'ACTIVE' && p.is_active)).toBe(true);
});
