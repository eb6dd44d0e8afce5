import v8 from 'node:v8';
import type { Command } from 'commander';
import { createBrokerFromEnv, describeBrokerEnv } from '../../broker/broker-from-env';
import { universeFromEnv } from '../../broker/universe-from-env';
import { seedConfigFromFile } from '../../config/config-store';
import { configPathFromEnv, loadConfig } from '../../config/loader';
import { createDb } from '../../db/connection';
import { runStartupReconciliation } from '../../activities/reconciliation';
import { describeReconciliation } from '../../strategy/reconciliation';
import { connectWorker, temporalSettingsFromEnv } from '../../temporal/connection';
import { WORKER_NODE_FLAGS, createPairsWorker } from '../../temporal/worker';
import { TASK_QUEUE } from '../../workflows/contracts/task-queue';
import { runCommand, UsageError } from '../errors';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'run the Temporal worker (pairs cycle, pair trades, emergency stop, discovery); env: DATABASE_URL, TEMPORAL_ADDRESS, ' +
        'TEMPORAL_NAMESPACE, broker (ALPACA_*), PAIRS_CONFIG (seeds the stored config), PAIRS_UNIVERSE',
    )
    .option('--task-queue <name>', 'task queue to poll', TASK_QUEUE)
    .action((opts: { taskQueue: string }) =>
      runCommand(async () => {
        const connectionString = process.env.DATABASE_URL;
        if (!connectionString) throw new UsageError('DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/pairs)');
        const configPath = configPathFromEnv();
        await loadConfig(configPath); // fail fast on a broken config file
        const settings = temporalSettingsFromEnv();
        const db = createDb({ connectionString });
        const broker = createBrokerFromEnv();
        try {
          // The stored config is the one every process reads; the file only seeds an empty database.
          if (await seedConfigFromFile(db, configPath)) log(`config: stored from ${configPath} (the database holds it from now on)`);
          // Fail closed but keep running: discrepancies are logged now and block entries in every cycle until resolved.
          try {
            const { report, rebased, corporateActionsError } = await runStartupReconciliation({ db, broker });
            if (corporateActionsError) log(`corporate actions not checked at start: ${corporateActionsError}`);
            for (const r of rebased) log(`split rebased trade ${r.tradeId} (${r.symbol} ex ${r.exDate}, ratio ${r.ratio})`);
            const lines = describeReconciliation(report);
            log(
              lines.length ? `reconciliation at start:\n  ${lines.join('\n  ')}` : `reconciliation at start: ${report.checkedSymbols} symbols agree`,
            );
          } catch (err) {
            log(`reconciliation at start failed: ${err instanceof Error ? err.message : String(err)}`);
          }
          const connection = await connectWorker(settings);
          const worker = await createPairsWorker({
            connection,
            namespace: settings.namespace,
            taskQueue: opts.taskQueue,
            db,
            broker,
            configPath,
            universe: universeFromEnv(),
          });
          const stop = (signal: string) => {
            log(`${signal}: draining worker`);
            worker.shutdown();
          };
          process.once('SIGTERM', () => stop('SIGTERM'));
          process.once('SIGINT', () => stop('SIGINT'));
          const heapLimitMb = v8.getHeapStatistics().heap_size_limit / 1024 / 1024;
          if (heapLimitMb > 1024) {
            log(
              `V8 heap limit ${heapLimitMb.toFixed(0)} MB: start the worker with NODE_OPTIONS="${WORKER_NODE_FLAGS.join(' ')}" to bound its memory`,
            );
          }
          log(`worker on ${settings.address}/${settings.namespace} queue ${opts.taskQueue}, broker ${describeBrokerEnv()}, config ${configPath}`);
          await worker.run();
          await connection.close();
          log('worker stopped');
        } finally {
          await db.destroy();
        }
      }),
    );
}

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}
