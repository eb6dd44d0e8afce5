import type { Client } from '@temporalio/client';
import { PAIRS_CYCLE_WORKFLOW } from '../../workflows/contracts/pairs-cycle';

/**
 * Terminates the cycle workflows that started before this `pairs up` started its dev server and are still
 * running: they are left from the last run (a cycle the schedule fires from now on is not touched). After a crash the activity each was in went down with the
 * dead worker, and Temporal would wait for its start-to-close timeout (up to 2 minutes) before retrying it, while
 * the schedule skips every cycle that would overlap. Dropping a cycle is safe: trades are workflows of their own,
 * and the next cycle reloads bars, re-evaluates every pair and routes any trade still without its workflow.
 */
export async function terminateInterruptedCycles(client: Client, startedBefore: Date): Promise<string[]> {
  const terminated: string[] = [];
  const running = client.workflow.list({
    query: `WorkflowType = '${PAIRS_CYCLE_WORKFLOW}' AND ExecutionStatus = 'Running' AND StartTime < '${startedBefore.toISOString()}'`,
  });
  for await (const execution of running) {
    await client.workflow.getHandle(execution.workflowId, execution.runId).terminate('pairs up restarted after an unclean stop');
    terminated.push(execution.workflowId);
  }
  return terminated;
}
