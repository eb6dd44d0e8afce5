import type { Duration } from '@temporalio/common';
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import { CYCLE_WORKFLOW_ID_PREFIX, PAIRS_CYCLE_WORKFLOW, TASK_QUEUE, type PairsCycleInput } from '../workflows/contracts/pairs-cycle';

export const SCHEDULE_ID = 'pairs-cycle';
/** Hourly, 14:00-21:00 UTC, Monday to Friday (spec: 9 AM-5 PM ET). */
export const CYCLE_CRON = '0 14-21 * * 1-5';
/** A cycle missed by more than this (server or worker down) is skipped, not run late on stale prices. */
export const CATCHUP_WINDOW: Duration = '10 minutes';
export const DEFAULT_FAST_EVERY_SECONDS = 30;

export interface DeployOptions {
  /** Simulator mode: a cycle every `everySeconds` instead of the market-hours cron. */
  fast?: boolean;
  everySeconds?: number;
  taskQueue?: string;
}

export function scheduleSpec({ fast = false, everySeconds = DEFAULT_FAST_EVERY_SECONDS }: DeployOptions = {}): ScheduleSpec {
  return fast ? { intervals: [{ every: `${everySeconds}s` }] } : { cronExpressions: [CYCLE_CRON], timezone: 'UTC' };
}

function cycleAction(taskQueue: string): ScheduleOptionsStartWorkflowAction<(input?: PairsCycleInput) => Promise<unknown>> {
  // Temporal appends each firing's time to this id: pairs-cycle-2026-03-28T14:00:00Z.
  return { type: 'startWorkflow', workflowType: PAIRS_CYCLE_WORKFLOW, taskQueue, workflowId: CYCLE_WORKFLOW_ID_PREFIX, args: [{ dryRun: false }] };
}

const policies: ScheduleOptions['policies'] = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: CATCHUP_WINDOW, pauseOnFailure: false };

/**
 * Creates the schedule, or replaces spec, action and policies of the existing one (idempotent). The new
 * spec is built from scratch rather than spread from the description: describe() returns cron expressions
 * compiled into `calendars`, which an update would otherwise keep next to the new spec (sdk-typescript #1351).
 * A paused schedule stays paused.
 */
export async function deploySchedule(client: Client, options: DeployOptions = {}): Promise<'created' | 'updated'> {
  const taskQueue = options.taskQueue ?? TASK_QUEUE;
  const spec = scheduleSpec(options);
  try {
    await client.schedule.create({ scheduleId: SCHEDULE_ID, spec, action: cycleAction(taskQueue), policies });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(SCHEDULE_ID).update((previous) => ({
    spec,
    action: cycleAction(taskQueue),
    policies,
    state: { paused: previous.state.paused, note: previous.state.note },
  }));
  return 'updated';
}

export async function pauseSchedule(client: Client, note: string): Promise<void> {
  await client.schedule.getHandle(SCHEDULE_ID).pause(note);
}

export async function unpauseSchedule(client: Client, note: string): Promise<void> {
  await client.schedule.getHandle(SCHEDULE_ID).unpause(note);
}
