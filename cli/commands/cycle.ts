import type { Command } from 'commander';
import { connectClient } from '../../temporal/connection';
import { runCycleNow } from '../../temporal/run-cycle-now';
import type { CycleSummary } from '../../workflows/contracts/pairs-cycle';
import { TASK_QUEUE } from '../../workflows/contracts/task-queue';
import { runCommand } from '../errors';

export function formatCycleSummary(s: CycleSummary): string {
  const signals =
    Object.entries(s.signals)
      .map(([type, n]) => `${type} ${n}`)
      .join(', ') || 'none';
  const lines = [
    `cycle ${s.workflowId} at ${s.at}${s.dryRun ? ' (dry run: market-hours check skipped)' : ''}`,
    s.skippedReason
      ? `skipped: ${s.skippedReason}`
      : `pairs processed: ${s.pairsProcessed}, bars upserted: ${s.barsUpserted}, spreads written: ${s.spreadsWritten}`,
    `signals: ${signals}`,
    `trades opened: ${s.tradesOpened.length}${s.tradesOpened.map((t) => ` [pair ${t.pairId} trade ${t.tradeId}]`).join('')}`,
    `trades closing: ${s.tradesClosing.length}${s.tradesClosing.map((t) => ` [pair ${t.pairId} trade ${t.tradeId} ${t.reason}]`).join('')}`,
  ];
  if (s.entriesBlockedReason) lines.push(`entries blocked: ${s.entriesBlockedReason}`);
  for (const line of s.reconciliation.unexplained) lines.push(`reconciliation: unexplained ${line}`);
  for (const line of s.reconciliation.missing) lines.push(`reconciliation: missing ${line}`);
  return `${lines.join('\n')}\n`;
}

export function registerCycle(program: Command): void {
  program
    .command('cycle')
    .description('run one pairs cycle now with the market-hours check skipped (dry run), wait for it, print a summary; needs a running worker')
    .option('--task-queue <name>', 'task queue the worker polls', TASK_QUEUE)
    .option('--json', 'print the summary as JSON')
    .action((opts: { taskQueue: string; json?: boolean }) =>
      runCommand(async () => {
        const client = await connectClient();
        try {
          const summary = await runCycleNow(client, { dryRun: true, taskQueue: opts.taskQueue });
          process.stdout.write(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : formatCycleSummary(summary));
        } finally {
          await client.connection.close();
        }
      }),
    );
}
