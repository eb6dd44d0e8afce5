/**
 * Determinism guard: recorded histories of every workflow type replay against the current workflow code.
 *
 * The committed fixtures (tests/fixtures/histories/<version>/*.json) were recorded from real runs, one folder
 * per workflow version; every version is kept and replayed, because executions started by old code may still
 * be running when new code is deployed. A workflow change that alters the command sequence makes their replay
 * fail: put it behind patched() (README, "Changing a workflow"). The same test records fresh histories (a
 * cycle, a closed trade, a compensated trade, an emergency stop) against a real dev server, worker and
 * simulator, and replays those too.
 * `RECORD_HISTORIES=v4 npx jest tests/orchestration/replay.test.ts` writes the fresh run as a new version
 * folder; it refuses to overwrite a version that exists.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createAlpacaBroker } from '../../broker/alpaca-broker';
import { startSimulator, type SimulatorHandle } from '../../broker/simulator';
import { DEFAULT_CONFIG_PATH } from '../../config/loader';
import { createPendingTrade } from '../../db/queries/trades';
import type { TradeSide } from '../../db/schema';
import { WORKFLOWS_PATH, createPairsWorker } from '../../temporal/worker';
import { runCycleNow } from '../../temporal/run-cycle-now';
import { runEmergencyStop } from '../../temporal/run-emergency-stop';
import { startPairTradeWorkflow } from '../../temporal/pair-trade-client';
import { exitSignal } from '../../workflows/contracts/pair-trade';
import { pairTradeWorkflowId } from '../../workflows/contracts/pair-trade';
import { seedPairs } from '../../chaos/seed';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startTemporal } from '../helpers/temporal';
import { quietLogger } from '../helpers/quiet-logger';

const FIXTURES = path.resolve(__dirname, '../fixtures/histories');
const RECORD_VERSION = process.env.RECORD_HISTORIES ?? null;
const WORKFLOW_TYPES = ['pairTradeWorkflow', 'pairsCycleWorkflow', 'emergencyStopWorkflow'];
const TASK_QUEUE = 'replay-test';
/** A Wednesday 11:00 New York: market open. */
const SIM_START = '2026-03-18T15:00:00Z';

interface RecordedHistory {
  name: string;
  workflowId: string;
  workflowType: string;
  history: unknown;
}

jest.setTimeout(240_000);

let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
});

/**
 * Histories are stored as protobuf-JS plain objects (enum names, int64 and bytes as strings), the lossless
 * inverse of History.fromObject. (@temporalio/common's historyToJSON throws "type must be a Type" under Jest.)
 */
function historyToPlain(history: temporal.api.history.v1.IHistory): unknown {
  return temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), {
    longs: String,
    enums: String,
    bytes: String,
  });
}

function historyFromPlain(plain: unknown): temporal.api.history.v1.History {
  return temporal.api.history.v1.History.fromObject(plain as Record<string, unknown>);
}

async function replayAll(histories: Array<{ workflowId: string; history: unknown }>): Promise<Array<{ workflowId: string; error: string | null }>> {
  const results: Array<{ workflowId: string; error: string | null }> = [];
  const input = histories.map((h) => ({ workflowId: h.workflowId, history: historyFromPlain(h.history) }));
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'pairs-replay-test' }, input)) {
    results.push({ workflowId: result.workflowId, error: result.error ? `${result.error.name}: ${result.error.message}` : null });
  }
  return results;
}

interface Fixture {
  version: string;
  file: string;
  workflowId: string;
  workflowType: string;
  history: unknown;
}

function fixtureVersions(): string[] {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort((a, b) => Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, '')));
}

function committedFixtures(): Fixture[] {
  return fixtureVersions().flatMap((version) =>
    readdirSync(path.join(FIXTURES, version))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((file) => {
        const json = JSON.parse(readFileSync(path.join(FIXTURES, version, file), 'utf8')) as Omit<Fixture, 'version' | 'file'>;
        return { version, file, ...json };
      }),
  );
}

describe('committed workflow histories', () => {
  it('every version covers pair-trade, pairs-cycle and emergency-stop', () => {
    const fixtures = committedFixtures();
    expect(fixtureVersions().length).toBeGreaterThan(0);
    for (const version of fixtureVersions()) {
      expect([version, new Set(fixtures.filter((f) => f.version === version).map((f) => f.workflowType))]).toEqual([
        version,
        new Set(WORKFLOW_TYPES),
      ]);
    }
  });

  it('every kept version replays against the current code without nondeterminism', async () => {
    const fixtures = committedFixtures();
    const results = await replayAll(fixtures);
    expect(results).toHaveLength(fixtures.length);
    const failed = results.map((r, i) => ({ fixture: `${fixtures[i].version}/${fixtures[i].file}`, error: r.error })).filter((r) => r.error !== null);
    expect(failed).toEqual([]);
  });

  it('a history whose commands differ from the code fails replay with a nondeterminism error (the check can fail)', async () => {
    const fixture = committedFixtures().find((f) => f.workflowType === 'pairTradeWorkflow');
    if (!fixture) throw new Error('no committed pairTradeWorkflow history: the negative control has nothing to corrupt');
    // As if an older version of the workflow had scheduled a different first activity than planEntry.
    const history = JSON.parse(JSON.stringify(fixture.history)) as { events: Array<Record<string, any>> };
    const scheduled = history.events.find((e) => e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED')!;
    expect(scheduled.activityTaskScheduledEventAttributes.activityType.name).toBe('planEntry');
    scheduled.activityTaskScheduledEventAttributes.activityType.name = 'sizeEntryV0';
    const [result] = await replayAll([{ workflowId: fixture.workflowId, history }]);
    expect(result.error).toMatch(/DeterminismViolation|[Nn]ondetermin/);
  });
});

describe('freshly recorded histories', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let sim: SimulatorHandle;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    [env, database, sim] = await Promise.all([
      startTemporal(),
      createTestDatabase('replay'),
      startSimulator({ seed: 7, startTime: SIM_START, speed: 1, initialCash: 1_000_000 }),
    ]);
    const broker = createAlpacaBroker({ keyId: 'REPLAY', secret: 'REPLAY', simulatorUrl: sim.url, timeoutMs: 2000 });
    worker = await createPairsWorker({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      db: database.db,
      broker,
      configPath: DEFAULT_CONFIG_PATH,
      workflowBundle: { code: bundle.code },
      client: env.client,
    });
    running = worker.run();
  });

  afterAll(async () => {
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await running?.catch(() => undefined);
    await Promise.all([env?.teardown(), database?.drop(), sim?.stop()]);
  });

  async function record(client: Client, name: string, workflowId: string): Promise<RecordedHistory> {
    const handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    const history = await handle.fetchHistory();
    return { name, workflowId, workflowType: description.type, history: historyToPlain(history) };
  }

  async function startTrade(pairId: number, symbol1: string, symbol2: string, side: TradeSide, minute: number): Promise<string> {
    const db = database.db;
    const signal = await db
      .insertInto('strategy_engine.pair_signal')
      .values({ pair_id: pairId, ts: new Date(Date.UTC(2030, 0, 1, 0, minute)), type: side, z_score: 2.5, reason: 'replay test', inputs: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const pending = await createPendingTrade(db, { pairId, entrySignalId: signal.id, side, entryZ: 2.5 }, pairTradeWorkflowId);
    const trade = pending.trade!;
    await startPairTradeWorkflow(env.client, { tradeId: trade.id, pairId, symbol1, symbol2, side, entryZ: 2.5 }, TASK_QUEUE);
    return trade.workflow_id!;
  }

  async function waitForStatus(workflowId: string, statuses: string[]): Promise<string> {
    for (let i = 0; i < 600; i++) {
      const row = await database.db
        .selectFrom('strategy_engine.pair_trade')
        .select('status')
        .where('workflow_id', '=', workflowId)
        .executeTakeFirstOrThrow();
      if (statuses.includes(row.status)) return row.status;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${workflowId} never reached ${statuses.join('/')}`);
  }

  it('records a cycle, a closed trade, a compensated trade and an emergency stop, and replays them', async () => {
    const client = env.client;
    const pairs = await seedPairs(
      database.db,
      sim,
      [
        ['HALO', 'IONQ'],
        ['MOSS', 'NOVA'],
        ['ARQX', 'BLVN'],
        ['EFRA', 'FLNT'],
      ],
      250,
    );
    const recorded: RecordedHistory[] = [];

    const cycle = await runCycleNow(client, { dryRun: true, taskQueue: TASK_QUEUE });
    expect(cycle.pairsProcessed).toBe(pairs.length);
    recorded.push(await record(client, 'pairs-cycle', cycle.workflowId));
    // Trades the cycle itself opened would race the ones below for the same pairs: close them first.
    for (const opened of cycle.tradesOpened) {
      await waitForStatus(opened.workflowId, ['OPEN', 'FAILED']);
      await client.workflow.getHandle(opened.workflowId).signal(exitSignal, { reason: 'EXIT', z: 0, signalId: null });
      await client.workflow.getHandle(opened.workflowId).result();
    }

    const [a, b, c] = pairs;
    const closedId = await startTrade(a.id, a.symbol1, a.symbol2, 'LONG_SPREAD', 1);
    expect(await waitForStatus(closedId, ['OPEN', 'FAILED'])).toBe('OPEN');
    await client.workflow.getHandle(closedId).signal(exitSignal, { reason: 'EXIT', z: 0.1, signalId: null });
    expect((await client.workflow.getHandle(closedId).result()).status).toBe('CLOSED');
    recorded.push(await record(client, 'pair-trade-closed', closedId));

    // Leg 2's entry order is rejected by the broker after leg 1 filled: compensation, FAILED.
    sim.control.setFaults({ rejectClientOrderIdPattern: '-entry-leg2$', rejectMode: 'async' });
    const failedId = await startTrade(b.id, b.symbol1, b.symbol2, 'SHORT_SPREAD', 2);
    const failed = await client.workflow.getHandle(failedId).result();
    sim.control.setFaults({ rejectClientOrderIdPattern: null });
    expect(failed.status).toBe('FAILED');
    expect(failed.exitLegs.length).toBeGreaterThan(0);
    recorded.push(await record(client, 'pair-trade-compensated', failedId));

    const stoppedId = await startTrade(c.id, c.symbol1, c.symbol2, 'LONG_SPREAD', 3);
    expect(await waitForStatus(stoppedId, ['OPEN', 'FAILED'])).toBe('OPEN');
    const stop = await runEmergencyStop(client, { taskQueue: TASK_QUEUE, timeoutMs: 60_000 });
    expect(stop.stillOpen).toEqual([]);
    expect((await client.workflow.getHandle(stoppedId).result()).exitReason).toBe('EMERGENCY_STOP');
    recorded.push(await record(client, 'emergency-stop', 'pairs-emergency-stop'));
    recorded.push(await record(client, 'pair-trade-emergency-stopped', stoppedId));

    const results = await replayAll(recorded.map((r) => ({ workflowId: r.workflowId, history: r.history })));
    expect(results.map((r) => r.error)).toEqual(recorded.map(() => null));

    if (RECORD_VERSION !== null) {
      const dir = path.join(FIXTURES, RECORD_VERSION);
      if (!/^v\d+$/.test(RECORD_VERSION)) throw new Error(`RECORD_HISTORIES must name a new version like v3, not '${RECORD_VERSION}'`);
      if (existsSync(dir)) throw new Error(`${dir} exists: recorded versions are kept, record a new one`);
      mkdirSync(dir, { recursive: true });
      for (const r of recorded) {
        const body = { workflowId: r.workflowId, workflowType: r.workflowType, recordedAt: new Date().toISOString(), history: r.history };
        writeFileSync(path.join(dir, `${r.name}.json`), `${JSON.stringify(body)}\n`);
      }
    }
  });
});
