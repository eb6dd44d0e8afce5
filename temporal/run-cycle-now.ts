import type { Client } from '@temporalio/client';
import {
  PAIRS_CYCLE_WORKFLOW,
  TASK_QUEUE,
  manualCycleWorkflowId,
  type CycleSummary,
  type PairsCycleInput,
  type PairsCycleWorkflow,
} from '../workflows/contracts/pairs-cycle';

/** One cycle now, market-hours check skipped (the spec's dry run); waits for its summary. */
export async function runCycleNow(
  client: Client,
  { dryRun = true, taskQueue = TASK_QUEUE }: { dryRun?: boolean; taskQueue?: string } = {},
): Promise<CycleSummary> {
  const input: PairsCycleInput = { dryRun };
  return client.workflow.execute<PairsCycleWorkflow>(PAIRS_CYCLE_WORKFLOW, {
    taskQueue,
    workflowId: manualCycleWorkflowId(Date.now()),
    args: [input],
  });
}
