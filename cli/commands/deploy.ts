import type { Command } from 'commander';
import { connectClient } from '../../temporal/connection';
import { CYCLE_CRON, DEFAULT_FAST_EVERY_SECONDS, SCHEDULE_ID, deploySchedule } from '../../temporal/schedule';
import { TASK_QUEUE } from '../../workflows/contracts/task-queue';
import { runCommand, UsageError } from '../errors';

export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description(`create or update the Temporal schedule "${SCHEDULE_ID}" (cron ${CYCLE_CRON} UTC; --fast: every N seconds)`)
    .option('--fast [seconds]', `simulator mode: a cycle every N seconds (default ${DEFAULT_FAST_EVERY_SECONDS})`)
    .option('--task-queue <name>', 'task queue the cycles run on', TASK_QUEUE)
    .action((opts: { fast?: string | boolean; taskQueue: string }) =>
      runCommand(async () => {
        const fast = opts.fast !== undefined && opts.fast !== false;
        const everySeconds = typeof opts.fast === 'string' ? Number(opts.fast) : DEFAULT_FAST_EVERY_SECONDS;
        if (fast && (!Number.isInteger(everySeconds) || everySeconds < 1))
          throw new UsageError(`--fast takes a whole number of seconds >= 1, got ${String(opts.fast)}`);
        const client = await connectClient();
        try {
          const outcome = await deploySchedule(client, { fast, everySeconds, taskQueue: opts.taskQueue });
          const when = fast ? `every ${everySeconds} s` : `cron ${CYCLE_CRON} UTC`;
          process.stdout.write(`schedule ${SCHEDULE_ID} ${outcome}: ${when}, overlap SKIP, task queue ${opts.taskQueue}\n`);
        } finally {
          await client.connection.close();
        }
      }),
    );
}
