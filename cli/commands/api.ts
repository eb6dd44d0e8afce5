import type { Command } from 'commander';
import { createApiLogger, createApp, API_BASE_PATH } from '../../api/app';
import { closeServer, DEFAULT_API_HOST, DEFAULT_API_PORT, listen } from '../../api/server';
import { createBrokerFromEnv, describeBrokerEnv } from '../../broker/broker-from-env';
import { seedConfigFromFile } from '../../config/config-store';
import { configPathFromEnv, loadConfig } from '../../config/loader';
import { createDb } from '../../db/connection';
import { Client, Connection } from '@temporalio/client';
import { temporalSettingsFromEnv } from '../../temporal/connection';
import { TASK_QUEUE } from '../../workflows/contracts/task-queue';
import { runCommand, UsageError } from '../errors';

function portFrom(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_API_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`port must be an integer 1..65535, got "${value}"`);
  return port;
}

function positiveFrom(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0)) throw new UsageError(`${name} must be a positive number, got "${value}"`);
  return n;
}

export function registerApi(program: Command): void {
  program
    .command('api')
    .description(
      `serve the HTTP API (${API_BASE_PATH}, /healthz, /readyz, /metrics, web pages); env: DATABASE_URL, ` +
        'PAIRS_API_TOKEN (POSTs refused without it), PAIRS_API_HOST (127.0.0.1), PAIRS_API_PORT (8001), TEMPORAL_ADDRESS, ' +
        'TEMPORAL_NAMESPACE, broker (ALPACA_*), PAIRS_CONFIG, PAIRS_STARTING_EQUITY, LOG_LEVEL',
    )
    .option('--host <host>', 'address to bind (default PAIRS_API_HOST or 127.0.0.1)')
    .option('--port <port>', 'port (default PAIRS_API_PORT or 8001)')
    .option('--task-queue <name>', 'task queue of the worker', TASK_QUEUE)
    .action((opts: { host?: string; port?: string; taskQueue: string }) =>
      runCommand(async () => {
        const connectionString = process.env.DATABASE_URL;
        if (!connectionString) throw new UsageError('DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/pairs)');
        const host = opts.host ?? (process.env.PAIRS_API_HOST || DEFAULT_API_HOST);
        const port = portFrom(opts.port ?? process.env.PAIRS_API_PORT);
        const startingEquity = positiveFrom('PAIRS_STARTING_EQUITY', process.env.PAIRS_STARTING_EQUITY);
        const apiToken = process.env.PAIRS_API_TOKEN?.trim() || undefined;
        const configPath = configPathFromEnv();
        await loadConfig(configPath); // fail fast on a broken config file
        const logger = createApiLogger();
        if (!apiToken) logger.warn('PAIRS_API_TOKEN is not set: every POST endpoint answers 401');

        const db = createDb({ connectionString });
        // The stored config is the one every process reads; the file only seeds an empty database.
        await seedConfigFromFile(db, configPath).catch((err: unknown) => {
          logger.warn(
            { err: err instanceof Error ? err.message : String(err) },
            'config not seeded yet (migrations not applied?): GET /config answers 503 until it is',
          );
        });
        // Lazy: the API starts (and /healthz answers) while Temporal is still down; /readyz reports it.
        const temporal = temporalSettingsFromEnv();
        const client = new Client({ connection: Connection.lazy({ address: temporal.address }), namespace: temporal.namespace });
        const broker = createBrokerFromEnv();
        const app = createApp({ db, temporal: { client, taskQueue: opts.taskQueue }, broker, configPath, apiToken, logger, startingEquity });
        const server = await listen(app, port, host);
        logger.info({ url: `http://${host}:${port}${API_BASE_PATH}`, broker: describeBrokerEnv(), configPath }, 'pairs api listening');

        await new Promise<void>((resolve) => {
          const stop = (signal: string) => {
            logger.info({ signal }, 'pairs api stopping');
            resolve();
          };
          process.once('SIGTERM', () => stop('SIGTERM'));
          process.once('SIGINT', () => stop('SIGINT'));
        });
        await closeServer(server);
        await db.destroy();
        // Not client.connection.close(): a gRPC retry still pending would throw on the closed channel; exiting ends it.
        process.exit(0);
      }),
    );
}
