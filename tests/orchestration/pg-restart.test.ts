/**
 * PostgreSQL restarted in the middle of a cycle: the cycle still completes, and what it wrote equals what
 * the same cycle writes without a restart (no duplicate or missing rows).
 *
 * Uses a private PostgreSQL 15 cluster (tests/helpers/postgres-instance.ts) — never the shared server on 5432,
 * which other test files use concurrently. Two databases on it, two workers, two simulators with the same seed
 * and the same paused clock: a baseline cycle without restart, then the same cycle with a restart.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import pg from 'pg';
import { createAlpacaBroker } from '../../broker/alpaca-broker';
import { startSimulator, type SimulatorHandle } from '../../broker/simulator';
import { DEFAULT_CONFIG_PATH } from '../../config/loader';
import { createDb, type Db } from '../../db/connection';
import { migrateToLatest } from '../../db/migrate';
import { WORKFLOWS_PATH, createPairsWorker } from '../../temporal/worker';
import { runCycleNow } from '../../temporal/run-cycle-now';
import { seedPairs } from '../../chaos/seed';
import type { CycleSummary } from '../../workflows/contracts/pairs-cycle';
import { startPostgresInstance, type PostgresInstance } from '../helpers/postgres-instance';
import { startTemporal } from '../helpers/temporal';
import { quietLogger } from '../helpers/quiet-logger';

jest.setTimeout(300_000);

/** A Wednesday 11:00 New York, clock paused: both runs see the same bars. */
const SIM_START = '2026-03-18T15:00:00Z';
const SEED = 11;
/** Ten pairs inside the simulator's cointegrated clusters. */
const PAIRS: Array<[string, string]> = [
  ['ARQX', 'BLVN'],
  ['ARQX', 'CRDM'],
  ['BLVN', 'DUNE'],
  ['EFRA', 'FLNT'],
  ['HALO', 'IONQ'],
  ['HALO', 'JETT'],
  ['IONQ', 'KRNL'],
  ['MOSS', 'NOVA'],
  ['MOSS', 'OPAL'],
  ['NOVA', 'PRSM'],
];

interface Run {
  name: string;
  db: Db;
  sim: SimulatorHandle;
  worker: Worker;
  running: Promise<void>;
  taskQueue: string;
}

interface TableCounts {
  market_data: number;
  pair_spread: number;
  pair_signal: number;
  pair_trade: number;
}

async function counts(db: Db): Promise<TableCounts> {
  const count = async (table: 'market_data' | 'pair_spread' | 'pair_signal' | 'pair_trade'): Promise<number> =>
    Number(
      (
        await db
          .selectFrom(`strategy_engine.${table}`)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    market_data: await count('market_data'),
    pair_spread: await count('pair_spread'),
    pair_signal: await count('pair_signal'),
    pair_trade: await count('pair_trade'),
  };
}

/** Rows sharing a natural key (none can, if the constraints hold; checked anyway). */
async function duplicateKeys(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(`
      SELECT (SELECT count(*) FROM (SELECT 1 FROM strategy_engine.market_data GROUP BY symbol, ts HAVING count(*) > 1) a)
           + (SELECT count(*) FROM (SELECT 1 FROM strategy_engine.pair_spread GROUP BY pair_id, ts HAVING count(*) > 1) b)
           + (SELECT count(*) FROM (SELECT 1 FROM strategy_engine.pair_signal GROUP BY pair_id, ts, type HAVING count(*) > 1) c)
           + (SELECT count(*) FROM (SELECT 1 FROM strategy_engine.pair_trade GROUP BY entry_signal_id HAVING count(*) > 1 AND entry_signal_id IS NOT NULL) d) AS n`);
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}

describe('PostgreSQL restarted mid-cycle', () => {
  let postgres: PostgresInstance;
  let env: TestWorkflowEnvironment;
  let bundle: { code: string };
  const runs: Run[] = [];

  beforeAll(async () => {
    [postgres, env, bundle] = await Promise.all([
      startPostgresInstance(),
      startTemporal(),
      bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger }),
    ]);
  });

  afterAll(async () => {
    for (const run of runs) {
      if (run.worker.getState() === 'RUNNING') run.worker.shutdown();
      await run.running.catch(() => undefined);
      await run.db.destroy().catch(() => undefined);
      await run.sim.stop();
    }
    await env?.teardown();
    postgres?.destroy();
  });

  async function prepare(name: string): Promise<Run> {
    const admin = new pg.Client({ connectionString: postgres.url() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const db = createDb({ connectionString: postgres.url(name), maxConnections: 5 });
    await migrateToLatest(db);
    const sim = await startSimulator({ seed: SEED, startTime: SIM_START, paused: true, initialCash: 1_000_000 });
    await seedPairs(db, sim, PAIRS, 0);
    const broker = createAlpacaBroker({ keyId: 'PG', secret: 'PG', simulatorUrl: sim.url, timeoutMs: 2000 });
    const taskQueue = `pg-restart-${name}`;
    const worker = await createPairsWorker({
      connection: env.nativeConnection,
      taskQueue,
      db,
      broker,
      configPath: DEFAULT_CONFIG_PATH,
      workflowBundle: bundle,
      client: env.client,
    });
    const run: Run = { name, db, sim, worker, running: worker.run(), taskQueue };
    runs.push(run);
    return run;
  }

  it('completes the cycle over 10 pairs and writes exactly what a cycle without restart writes', async () => {
    const baseline = await prepare('baseline');
    const baselineSummary = await runCycleNow(env.client, { dryRun: true, taskQueue: baseline.taskQueue });
    const expected = await counts(baseline.db);
    expect(baselineSummary.pairsProcessed).toBe(PAIRS.length);
    expect(expected.market_data).toBeGreaterThan(0);
    expect(expected.pair_spread).toBeGreaterThan(0);

    const restarted = await prepare('restarted');
    let summary: CycleSummary | undefined;
    const cycle = runCycleNow(env.client, { dryRun: true, taskQueue: restarted.taskQueue }).then((s) => {
      summary = s;
      return s;
    });

    // Restart as soon as the first activity has written (the bars upsert), while the cycle still runs.
    const probe = new pg.Client({ connectionString: postgres.url('restarted') });
    await probe.connect();
    probe.on('error', () => undefined);
    for (;;) {
      const { rows } = await probe.query<{ n: string }>('SELECT count(*) AS n FROM strategy_engine.market_data');
      if (Number(rows[0].n) > 0) break;
      if (summary) throw new Error('cycle finished before any write was seen');
      await new Promise((r) => setTimeout(r, 10));
    }
    const runningAtRestart = summary === undefined;
    postgres.stop('fast');
    await new Promise((r) => setTimeout(r, 1500));
    postgres.start();
    await probe.end().catch(() => undefined);

    const finished = await cycle;
    expect(runningAtRestart).toBe(true);
    expect(finished.pairsProcessed).toBe(PAIRS.length);
    expect(finished.barsUpserted).toBe(baselineSummary.barsUpserted);
    expect(finished.spreadsWritten).toBe(baselineSummary.spreadsWritten);
    expect(finished.signals).toEqual(baselineSummary.signals);
    expect(await counts(restarted.db)).toEqual(expected);
    expect(await duplicateKeys(postgres.url('restarted'))).toBe(0);
    const state = await restarted.db.selectFrom('strategy_engine.strategy_state').select('last_update').executeTakeFirstOrThrow();
    expect(state.last_update).not.toBeNull();
  });
});
