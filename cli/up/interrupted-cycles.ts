import type { Client } from '@temporalio/client';
import { PAIRS_CYCLE_WORKFLOW } from '../../workflows/contracts/pairs-cycle';

/**
 * Terminates the cycle workflows still running when `pairs up` starts on its own dev server: with no worker of
 * ours polling yet, they are left from the last run. After a crash the activity each was in went down with the
 * dead worker, and Temporal would wait for its start-to-close timeout (up to 2 minutes) before retrying it, while
 * the schedule skips every cycle that would overlap. Dropping a cycle is safe: trades are workflows of their own,
 * and the next cycle reloads bars, re-evaluates every pair and routes any trade still without its workflow.
 */
export async function terminateInterruptedCycles(client: Client): Promise<string[]> {
  const terminated: string[] = [];
  const running = client.workflow.list({ query: `WorkflowType = '${PAIRS_CYCLE_WORKFLOW}' AND ExecutionStatus = 'Running'` });
  for await (const execution of running) {
    await client.workflow.getHandle(execution.workflowId, execution.runId).terminate('pairs up restarted after an unclean stop');
    terminated.push(execution.workflowId);
  }
  return terminated;
}
