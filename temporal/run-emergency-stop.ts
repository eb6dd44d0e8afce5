import type { Client } from '@temporalio/client';
import {
  EMERGENCY_STOP_WORKFLOW,
  EMERGENCY_STOP_WORKFLOW_ID,
  TASK_QUEUE,
  type EmergencyStopInput,
  type EmergencyStopResult,
  type EmergencyStopWorkflow,
} from '../workflows/contracts/emergency-stop';

/** Closes every live trade, sets the strategy inactive and answers with how many trades ended closed. */
export async function runEmergencyStop(
  client: Client,
  { taskQueue = TASK_QUEUE, timeoutMs }: { taskQueue?: string; timeoutMs?: number } = {},
): Promise<EmergencyStopResult> {
  const input: EmergencyStopInput = { reason: 'emergency stop', timeoutMs };
  return client.workflow.execute<EmergencyStopWorkflow>(EMERGENCY_STOP_WORKFLOW, {
    taskQueue,
    workflowId: EMERGENCY_STOP_WORKFLOW_ID,
    workflowIdConflictPolicy: 'USE_EXISTING',
    args: [input],
  });
}
