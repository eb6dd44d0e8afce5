/**
 * `pairs discover --deploy | --run | --now`: discovery against the registry (PostgreSQL) instead of a CSV.
 * --deploy creates or updates the re-discovery schedule (weekly by default: --cron or PAIRS_DISCOVERY_CRON, or
 * --every N seconds); --run starts a run on the workers now (--wait prints its summary); --now runs one in this
 * process without Temporal (compose's init step, before the worker starts).
 */
import { createBrokerFromEnv } from '../broker/broker-from-env';
import { universeFromEnv } from '../broker/universe-from-env';
import { seedConfigFromFile } from '../config/config-store';
import { configPathFromEnv } from '../config/loader';
import { createDb, type Db } from '../db/connection';
import { countActivePairs } from '../db/queries/pairs';
import { createDiscoveryStepsActivities } from '../activities/discovery-steps';
import { runDiscoveryOnce } from '../activities/discovery-run';
import { connectClient } from '../temporal/connection';
import { deployDiscoverySchedule, discoveryResult, startDiscoveryNow } from '../temporal/discovery-schedule';
import { DEFAULT_DISCOVERY_CRON, DISCOVERY_SCHEDULE_ID } from '../workflows/contracts/discovery';
import { UsageError } from './errors';

export interface RegistryDiscoveryFlags {
  deploy?: boolean;
  run?: boolean;
  now?: boolean;
  /** With --now: skip when the registry already has active pairs. */
  ifEmpty?: boolean;
  wait?: boolean;
  cron?: string;
  every?: string;
  taskQueue: string;
}

const CRON = /^(\S+\s+){4}\S+$/;

export function wantsRegistryDiscovery(flags: RegistryDiscoveryFlags): boolean {
  return Boolean(flags.deploy || flags.run || flags.now);
}

async function discoverNow(db: Db, configPath: string, out: (line: string) => void): Promise<void> {
  const activities = createDiscoveryStepsActivities({ db, broker: createBrokerFromEnv(), configPath, universe: universeFromEnv() });
  const result = await runDiscoveryOnce(activities);
  out(
    `discovery: ${result.pairsTested} pairs of ${result.symbols} symbols tested, ${result.candidates} passed; ` +
      `added ${result.added.length}, kept ${result.kept}, retired ${result.retired.length}, retiring after their trade ${result.retiring.length}`,
  );
}

export async function registryDiscovery(flags: RegistryDiscoveryFlags, out: (line: string) => void): Promise<void> {
  const cron = flags.cron ?? (process.env.PAIRS_DISCOVERY_CRON || undefined);
  if (cron !== undefined && !CRON.test(cron.trim())) throw new UsageError(`--cron needs five fields like '${DEFAULT_DISCOVERY_CRON}', got '${cron}'`);
  let everySeconds: number | undefined;
  if (flags.every !== undefined) {
    everySeconds = Number(flags.every);
    if (!Number.isInteger(everySeconds) || everySeconds < 1)
      throw new UsageError(`--every takes a whole number of seconds >= 1, got '${flags.every}'`);
  }
  if (flags.now) {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new UsageError('DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/pairs)');
    const db = createDb({ connectionString, maxConnections: 2 });
    try {
      const configPath = configPathFromEnv();
      await seedConfigFromFile(db, configPath);
      const active = flags.ifEmpty ? await countActivePairs(db) : 0;
      if (active > 0) out(`discovery: skipped, the registry has ${active} active pairs (--if-empty)`);
      else await discoverNow(db, configPath, out);
    } finally {
      await db.destroy();
    }
  }
  if (!flags.deploy && !flags.run) return;
  const client = await connectClient();
  try {
    if (flags.deploy) {
      const outcome = await deployDiscoverySchedule(client, { cron, everySeconds, taskQueue: flags.taskQueue });
      const when = everySeconds !== undefined ? `every ${everySeconds} s` : `cron ${cron ?? DEFAULT_DISCOVERY_CRON} UTC`;
      out(`schedule ${DISCOVERY_SCHEDULE_ID} ${outcome}: ${when}, overlap SKIP, task queue ${flags.taskQueue}`);
    }
    if (flags.run) {
      const workflowId = await startDiscoveryNow(client, { taskQueue: flags.taskQueue });
      out(`discovery started: ${workflowId}`);
      if (flags.wait) {
        const s = await discoveryResult(client, workflowId);
        out(
          `discovery ${s.workflowId}: ${s.pairsTested} pairs in ${s.chunks} chunks, ${s.candidates} passed; added ${s.added.length}, ` +
            `kept ${s.kept}, retired ${s.retired.length + s.retiredAfterTradeClosed.length}`,
        );
      }
    }
  } finally {
    await client.connection.close();
  }
}
