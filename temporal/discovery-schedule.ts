import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions, type ScheduleSpec } from '@temporalio/client';
import {
  DEFAULT_DISCOVERY_CRON,
  DISCOVERY_SCHEDULE_ID,
  DISCOVERY_WORKFLOW,
  DISCOVERY_WORKFLOW_ID_PREFIX,
  TASK_QUEUE,
  manualDiscoveryWorkflowId,
  type DiscoverySummary,
  type DiscoveryWorkflowInput,
} from '../workflows/contracts/discovery';

export interface DiscoveryScheduleOptions {
  /** Cron (UTC); default weekly, DEFAULT_DISCOVERY_CRON (env PAIRS_DISCOVERY_CRON in the CLI). */
  cron?: string;
  /** Instead of the cron: a run every N seconds (tests, the simulator). */
  everySeconds?: number;
  taskQueue?: string;
  /** Passed to every run (tests shorten the wait between retirement checks). */
  input?: DiscoveryWorkflowInput;
}

export function discoveryScheduleSpec({ cron, everySeconds }: DiscoveryScheduleOptions = {}): ScheduleSpec {
  return everySeconds !== undefined
    ? { intervals: [{ every: `${everySeconds}s` }] }
    : { cronExpressions: [cron ?? DEFAULT_DISCOVERY_CRON], timezone: 'UTC' };
}

// A run still waiting for a retiring pair's trade to close makes the next firing skip, not pile up.
const policies: ScheduleOptions['policies'] = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour', pauseOnFailure: false };

/** Creates the weekly re-discovery schedule, or replaces its spec and action (idempotent; a paused one stays paused). */
export async function deployDiscoverySchedule(client: Client, options: DiscoveryScheduleOptions = {}): Promise<'created' | 'updated'> {
  const spec = discoveryScheduleSpec(options);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: DISCOVERY_WORKFLOW,
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    workflowId: DISCOVERY_WORKFLOW_ID_PREFIX,
    args: [options.input ?? {}],
  };
  try {
    await client.schedule.create({ scheduleId: DISCOVERY_SCHEDULE_ID, spec, action, policies });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(DISCOVERY_SCHEDULE_ID).update((previous) => ({
    spec,
    action,
    policies,
    state: { paused: previous.state.paused, note: previous.state.note },
  }));
  return 'updated';
}

/** Starts a discovery run now (not waiting for it); returns its workflow id. */
export async function startDiscoveryNow(
  client: Client,
  { taskQueue = TASK_QUEUE, input = {} }: { taskQueue?: string; input?: DiscoveryWorkflowInput } = {},
): Promise<string> {
  const workflowId = manualDiscoveryWorkflowId(Date.now());
  await client.workflow.start(DISCOVERY_WORKFLOW, { taskQueue, workflowId, args: [input] });
  return workflowId;
}

export async function discoveryResult(client: Client, workflowId: string): Promise<DiscoverySummary> {
  return client.workflow.getHandle(workflowId).result() as Promise<DiscoverySummary>;
}
