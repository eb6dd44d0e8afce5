/**
 * The deployment a user grows into: the API and the worker as two OS processes (`pairs api`, `pairs worker`, as
 * compose runs them) against one PostgreSQL and one Temporal server, each with its own copy of config/pairs.yaml.
 * A threshold changed through the API reaches the worker through the database: the next cycle's Temporal history
 * shows the new values, in its loadCycleConfig result and in the inputs of its evaluation activities.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createAlpacaBroker } from '../../broker/alpaca-broker';
import { startSimulator, type SimulatorHandle } from '../../broker/simulator';
import { freePort } from '../../temporal/free-port';
import { PAIRS_BIN, WorkerProcess } from '../../chaos/worker-process';
import { runCycleNow } from '../../temporal/run-cycle-now';
import type { CycleConfig } from '../../workflows/contracts/pairs-cycle';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startTemporal } from '../helpers/temporal';
import { copyConfig, seedPair, waitFor } from './helpers';

jest.setTimeout(300_000);

const TOKEN = 'separate-processes-token';
const taskQueue = 'separate-processes';
let env: TestWorkflowEnvironment;
let database: TestDatabase;
let sim: SimulatorHandle;
let api: WorkerProcess;
let worker: WorkerProcess;
let apiUrl: string;
const logDir = mkdtempSync(path.join(os.tmpdir(), 'pairs-separate-'));

beforeAll(async () => {
  [env, database, sim] = await Promise.all([
    startTemporal(),
    createTestDatabase('separate'),
    startSimulator({ seed: 11, startTime: '2026-11-18T15:40:00Z' }),
  ]);
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}/api/strategies/pairs`;
  const common = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: env.address,
    ALPACA_SIM_URL: sim.url,
    LOG_LEVEL: 'warn',
    ALPACA_KEY_ID: '',
    ALPACA_SECRET_KEY: '',
  };
  // Each process has its own file: only the database can carry a change from one to the other.
  worker = new WorkerProcess({ ...common, PAIRS_CONFIG: await copyConfig('sep-worker') }, path.join(logDir, 'worker.log'), [
    PAIRS_BIN,
    'worker',
    '--task-queue',
    taskQueue,
  ]);
  api = new WorkerProcess(
    { ...common, PAIRS_CONFIG: await copyConfig('sep-api'), PAIRS_API_TOKEN: TOKEN, PAIRS_API_PORT: String(port) },
    path.join(logDir, 'api.log'),
    [PAIRS_BIN, 'api', '--task-queue', taskQueue],
  );
  worker.start();
  api.start();
  await waitFor('the API process', async () => (await fetch(`${apiUrl}/config`)).ok, 120_000);
});

afterAll(async () => {
  await Promise.allSettled([api?.stop(), worker?.stop()]);
  await Promise.allSettled([sim?.stop(), database?.drop(), env?.teardown()]);
});

interface HistoryEvent {
  eventId?: unknown;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null; input?: { payloads?: unknown[] | null } | null } | null;
  activityTaskCompletedEventAttributes?: { scheduledEventId?: unknown; result?: { payloads?: unknown[] | null } | null } | null;
}

/** Inputs and results of a workflow's activities, by activity type, decoded from its Temporal history. */
async function activityIo(workflowId: string): Promise<Map<string, Array<{ input: unknown; result: unknown }>>> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const events = (history.events ?? []) as HistoryEvent[];
  const decode = (payloads: unknown[] | null | undefined): unknown => (payloads?.[0] ? defaultPayloadConverter.fromPayload(payloads[0]) : undefined);
  const scheduled = new Map<string, { name: string; input: unknown }>();
  const out = new Map<string, Array<{ input: unknown; result: unknown }>>();
  for (const e of events) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(e.eventId), { name: s.activityType?.name ?? '?', input: decode(s.input?.payloads) });
    const c = e.activityTaskCompletedEventAttributes;
    if (c) {
      const from = scheduled.get(String(c.scheduledEventId))!;
      out.set(from.name, [...(out.get(from.name) ?? []), { input: from.input, result: decode(c.result?.payloads) }]);
    }
  }
  return out;
}

it('a config change through the API process shows in the next cycle the worker process runs', async () => {
  const broker = createAlpacaBroker({ keyId: 'test', secret: 'test', simulatorUrl: sim.url });
  await seedPair(database.db, broker, { symbol1: 'HALO', symbol2: 'IONQ', entry: 1000, exit: 0, stopLoss: 2000 });

  const before = await runCycleNow(env.client, { dryRun: true, taskQueue });
  const firstConfig = (await activityIo(before.workflowId)).get('loadCycleConfig')![0].result as CycleConfig;
  expect(firstConfig.config.entry_threshold).toBe(2);

  const res = await fetch(`${apiUrl}/config`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ entry_threshold: 2.7, max_hold_hours: 48 }),
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ entry_threshold: 2.7, max_hold_hours: 48 });

  const after = await runCycleNow(env.client, { dryRun: true, taskQueue });
  expect(after.configVersion).toBe(firstConfig.version + 1);
  const io = await activityIo(after.workflowId);
  const loaded = io.get('loadCycleConfig')![0].result as CycleConfig;
  expect(loaded.config).toMatchObject({ entry_threshold: 2.7, max_hold_hours: 48 });
  expect(loaded.version).toBe(firstConfig.version + 1);
  // The evaluation and the bars refresh ran with exactly those values (their inputs are in the history too).
  for (const call of io.get('evaluatePairs')!) expect((call.input as { config: unknown }).config).toEqual(loaded.config);
  expect((io.get('refreshMarketData')![0].input as { config: unknown }).config).toEqual(loaded.config);

  const history = (await (await fetch(`${apiUrl}/config/history`)).json()) as { changes: Array<Record<string, unknown>> };
  expect(history.changes[0]).toMatchObject({
    version: loaded.version,
    source: 'api',
    old: { entry_threshold: 2, max_hold_hours: 72 },
    new: { entry_threshold: 2.7, max_hold_hours: 48 },
  });
  // The worker's own file was never touched: the value came through PostgreSQL.
  expect(readFileSync(path.join(logDir, 'worker.log'), 'utf8')).toContain('worker on');
});
