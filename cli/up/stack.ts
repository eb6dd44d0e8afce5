/**
 * `pairs up`: the whole system in one process, offline. Every missing external piece is replaced by a local
 * one: no DATABASE_URL → embedded PGlite; no TEMPORAL_ADDRESS → the Temporal dev server; no Alpaca keys →
 * the simulator on a fast clock. Then migrate, discover pairs (when the registry is empty or stale), deploy
 * the schedule, run the worker and the API (which serves the web pages).
 */
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { createApiLogger, createApp } from '../../api/app';
import { closeServer, listen } from '../../api/server';
import { cycleDurationSeconds } from '../../api/metrics';
import { createAlpacaBroker } from '../../broker/alpaca-broker';
import { createBrokerFromEnv } from '../../broker/broker-from-env';
import { startSimulator, type SimulatorHandle } from '../../broker/simulator';
import type { Broker } from '../../broker/types';
import { configPathFromEnv, loadConfig } from '../../config/loader';
import { createDb, type Db } from '../../db/connection';
import { migrateToLatest } from '../../db/migrate';
import { createDiscoveryActivities } from '../../activities/discovery';
import { registryIsFresh } from '../../db/queries/pairs';
import { connectClient, connectWorker } from '../../temporal/connection';
import { deploySchedule, SCHEDULE_ID } from '../../temporal/schedule';
import { createPairsWorker } from '../../temporal/worker';
import { TASK_QUEUE } from '../../workflows/contracts/task-queue';
import { ensureTemporalCli, startDevServer } from '../../temporal/dev-server';
import { startEmbeddedDatabase } from './embedded-db';
import { terminateInterruptedCycles } from './interrupted-cycles';
import { stopLeftoverDevServers } from './leftover-dev-servers';
import type { UpOptions } from './options';
import { assertPortsFree, type PortUse } from './port-check';
import { acquireRunLock } from './run-lock';
import { keepSimulatedMarketOpen } from './sim-clock';
import { resolveApiToken, type ApiTokenSource } from './token';
import { HOUR_MS } from '../../strategy/time-units';

export type Log = (line: string) => void;

export interface RunningStack {
  apiUrl: string;
  webUrl: string;
  temporalAddress: string;
  temporalUiUrl: string | null;
  databaseUrl: string;
  simulatorUrl: string | null;
  /** Where the API token came from (never the token itself). */
  tokenOrigin: ApiTokenSource['origin'];
  /** Resolves when the worker stops on its own (a fatal error); stop() also settles it. */
  workerDone: Promise<void>;
  /** Stops everything in reverse start order; safe to call twice. */
  stop(): Promise<void>;
}

/** Cleanups run last-in first-out; one failing does not keep the others from running. */
class Teardown {
  private readonly steps: Array<{ name: string; run: () => Promise<void> | void }> = [];
  private running: Promise<void> | null = null;

  constructor(private readonly log: Log) {}

  add(name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        try {
          await step.run();
        } catch (err) {
          this.log(`stop ${step.name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })();
    return this.running;
  }
}

function hasAlpacaKeys(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.ALPACA_KEY_ID && env.ALPACA_SECRET_KEY);
}

function usesSimulator(env: NodeJS.ProcessEnv): boolean {
  return !hasAlpacaKeys(env) || Boolean(env.ALPACA_SIM_URL);
}

function usesDevServer(env: NodeJS.ProcessEnv): boolean {
  return !env.TEMPORAL_ADDRESS;
}

/** Every fixed port this start will bind (the embedded database's socket takes a free one). */
function portsToBind(options: UpOptions, env: NodeJS.ProcessEnv): PortUse[] {
  const uses: PortUse[] = [{ port: options.apiPort, what: 'API and web pages, --api-port' }];
  if (usesDevServer(env)) {
    uses.push({ port: options.temporalPort, what: 'Temporal frontend, --temporal-port' });
    uses.push({ port: options.uiPort, what: 'Temporal Web UI, --ui-port' });
  }
  if (usesSimulator(env) && options.simPort !== 0) uses.push({ port: options.simPort, what: 'broker simulator, --sim-port' });
  return uses;
}

/** Symbols discovery scans when not on the simulator: PAIRS_UNIVERSE="AAPL,MSFT,...". */
function configuredUniverse(env: NodeJS.ProcessEnv): string[] {
  return (env.PAIRS_UNIVERSE ?? '')
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
}

/** The worker's own logs (bundle build, state changes) at WARN unless LOG_LEVEL asks for more. */
function installQuietRuntime(env: NodeJS.ProcessEnv): void {
  const level = (env.LOG_LEVEL ?? 'warn').toUpperCase();
  const known = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
  const runtimeLevel = known.find((l) => l === level) ?? 'WARN';
  try {
    Runtime.install({ logger: new DefaultLogger(runtimeLevel) });
  } catch {
    // Already installed in this process (a second start from a test): keep it.
  }
}

export class StartInterrupted extends Error {
  override name = 'StartInterrupted';
}

/**
 * Starts every piece in order. When `interrupt` fires (Ctrl-C during start) the start stops after the step in
 * progress and whatever was started is stopped again; so does any failure.
 */
export async function startStack(options: UpOptions, log: Log, env: NodeJS.ProcessEnv = process.env, interrupt?: AbortSignal): Promise<RunningStack> {
  const teardown = new Teardown(log);
  const step = (): void => {
    if (interrupt?.aborted) throw new StartInterrupted('interrupted during start');
  };
  try {
    return await startPieces(options, log, env, teardown, step);
  } catch (err) {
    await teardown.run();
    throw err;
  }
}

async function startPieces(options: UpOptions, log: Log, env: NodeJS.ProcessEnv, teardown: Teardown, step: () => void): Promise<RunningStack> {
  mkdirSync(options.dataDir, { recursive: true });
  const lock = acquireRunLock(options.dataDir);
  teardown.add('run lock', () => lock.release());
  const temporalDbFile = path.join(options.dataDir, 'temporal.db');
  const leftovers = usesDevServer(env) ? await stopLeftoverDevServers(temporalDbFile) : [];
  if (leftovers.length > 0) log(`temporal: stopped the dev server an earlier run left running on ${temporalDbFile} (pid ${leftovers.join(', ')})`);
  await assertPortsFree(portsToBind(options, env));
  if (lock.crashedRun) log(`an earlier run${lock.crashedRun.pid ? ` (pid ${lock.crashedRun.pid})` : ''} did not stop cleanly: recovering`);
  const token = resolveApiToken(options.dataDir, env);
  const configPath = configPathFromEnv(env);
  const config = await loadConfig(configPath);

  // Database
  let databaseUrl = env.DATABASE_URL;
  let db: Db;
  if (databaseUrl) {
    db = createDb({ connectionString: databaseUrl });
    log(`database: ${new URL(databaseUrl).host}${new URL(databaseUrl).pathname} (DATABASE_URL)`);
  } else {
    const pgliteDir = path.join(options.dataDir, 'pglite');
    const embedded = await startEmbeddedDatabase({ dataDir: pgliteDir });
    teardown.add('embedded database', () => embedded.stop());
    databaseUrl = embedded.url;
    // PGlite serves one session: API, worker and discovery share one connection.
    db = createDb({ connectionString: databaseUrl, maxConnections: 1 });
    log(`database: embedded PGlite in ${pgliteDir}, served on ${databaseUrl}`);
  }
  teardown.add('database pool', () => db.destroy());
  step();
  const applied = await migrateToLatest(db);
  log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema is up to date');

  step();
  // Temporal
  const externalTemporal = env.TEMPORAL_ADDRESS;
  let serverStartedAt = new Date();
  let temporalAddress: string;
  let temporalUiUrl: string | null = null;
  if (!externalTemporal) {
    await ensureTemporalCli();
    step();
    serverStartedAt = new Date();
    const server = await startDevServer({
      dbFile: temporalDbFile,
      port: options.temporalPort,
      uiPort: options.uiPort,
      logFile: path.join(options.dataDir, 'temporal.log'),
    });
    teardown.add('temporal dev server', () => server.stop());
    temporalAddress = server.address;
    temporalUiUrl = server.uiUrl;
    log(`temporal: dev server on ${temporalAddress} (state in ${temporalDbFile})`);
  } else {
    temporalAddress = externalTemporal;
    log(`temporal: ${temporalAddress} (TEMPORAL_ADDRESS)`);
  }
  const namespace = env.TEMPORAL_NAMESPACE || 'default';
  const client: Client = await connectClient({ address: temporalAddress, namespace });
  teardown.add('temporal client', () => client.connection.close());
  if (!externalTemporal) {
    const terminated = await terminateInterruptedCycles(client, serverStartedAt);
    if (terminated.length > 0) log(`temporal: terminated ${terminated.length} cycle(s) the last run left unfinished: ${terminated.join(', ')}`);
  }

  step();
  // Broker
  let broker: Broker;
  let discoveryBroker: Broker;
  let simulator: SimulatorHandle | null = null;
  let universe: string[];
  if (!usesSimulator(env)) {
    broker = createBrokerFromEnv(env);
    discoveryBroker = broker;
    universe = configuredUniverse(env);
    log('broker: Alpaca paper trading (ALPACA_KEY_ID)');
  } else {
    simulator = await startSimulator({
      port: options.simPort,
      host: '127.0.0.1',
      speed: options.simSpeed,
      stateFile: path.join(options.dataDir, 'simulator.json'),
    });
    const sim = simulator;
    teardown.add('simulator', async () => {
      sim.control.flush();
      await sim.stop();
    });
    const stopClockWatch = keepSimulatedMarketOpen(sim.control);
    teardown.add('simulator clock watch', stopClockWatch);
    broker = createAlpacaBroker({ keyId: 'SIMKEY', secret: 'SIMSECRET', simulatorUrl: sim.url });
    // A first bars request over the whole universe makes the simulator compute years of paths: allow time.
    discoveryBroker = createAlpacaBroker({ keyId: 'SIMKEY', secret: 'SIMSECRET', simulatorUrl: sim.url, timeoutMs: 120_000 });
    universe = sim.control.market.symbols.map((s) => s.symbol);
    log(
      `broker: simulator on ${sim.url} at ${options.simSpeed}x (state in ${path.join(options.dataDir, 'simulator.json')}); simulated now ${sim.control.clock().newYork} New York`,
    );
  }

  step();
  // Discovery, only when the registry is empty or stale
  if (await registryIsFresh(db, options.discoveryMaxAgeHours * HOUR_MS)) {
    log('discovery: pair_registry is fresh, skipped');
  } else if (universe.length < 2) {
    log('discovery: skipped, no universe (set PAIRS_UNIVERSE=SYM1,SYM2,... to scan with Alpaca)');
  } else {
    const started = Date.now();
    const found = await createDiscoveryActivities({ db, broker: discoveryBroker }).discoverPairs({ symbols: universe, settings: config.discovery });
    log(
      `discovery: ${found.pairs.length} pairs kept of ${found.pairsTested} tested over ${found.symbolsScanned} symbols x ${found.bars} bars in ${((Date.now() - started) / 1000).toFixed(1)} s` +
        (found.pairs.length ? `: ${found.pairs.map((p) => `${p.symbol1}/${p.symbol2}`).join(', ')}` : ''),
    );
  }

  step();
  // Schedule, worker, API
  const fast = simulator !== null;
  const deployed = await deploySchedule(client, fast ? { fast: true, everySeconds: options.cycleSeconds } : {});
  log(`schedule ${SCHEDULE_ID}: ${deployed}${fast ? `, a cycle every ${options.cycleSeconds} s` : ' (market-hours cron)'}`);

  step();
  installQuietRuntime(env);
  const workerConnection = await connectWorker({ address: temporalAddress, namespace });
  teardown.add('worker connection', () => workerConnection.close());
  const worker: Worker = await createPairsWorker({
    connection: workerConnection,
    namespace,
    db,
    broker,
    configPath,
    client,
    shutdownGraceTime: '5 seconds',
    onCycleFinished: (seconds) => cycleDurationSeconds.observe(seconds),
  });
  const workerDone = worker.run();
  teardown.add('worker', async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await workerDone.catch(() => undefined);
  });
  log('worker: running on task queue pairs');

  step();
  const app = createApp({
    db,
    temporal: { client, taskQueue: TASK_QUEUE },
    broker,
    configPath,
    apiToken: token.token,
    // Request logs would drown the summary; LOG_LEVEL=info brings them back.
    logger: createApiLogger(env.LOG_LEVEL ?? 'warn'),
  });
  const api: Server = await listen(app, options.apiPort, '127.0.0.1');
  teardown.add('api', async () => {
    const closing = closeServer(api);
    api.closeAllConnections();
    await closing;
  });
  const apiUrl = `http://127.0.0.1:${options.apiPort}`;

  return {
    apiUrl: `${apiUrl}/api/strategies/pairs`,
    webUrl: `${apiUrl}/`,
    temporalAddress,
    temporalUiUrl,
    databaseUrl,
    simulatorUrl: simulator?.url ?? null,
    tokenOrigin: token.origin,
    workerDone,
    stop: () => teardown.run(),
  };
}
