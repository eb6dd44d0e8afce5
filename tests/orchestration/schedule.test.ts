import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { CATCHUP_WINDOW, SCHEDULE_ID, deploySchedule, pauseSchedule, unpauseSchedule } from '../../temporal/schedule';
import { PAIRS_CYCLE_WORKFLOW } from '../../workflows/contracts/pairs-cycle';
import { startTemporal } from '../helpers/temporal';

const run = promisify(execFile);
const PAIRS_BIN = path.resolve(__dirname, '../../bin/pairs.js');

jest.setTimeout(60_000);

describe('pairs-cycle schedule', () => {
  let env: TestWorkflowEnvironment | undefined;

  beforeAll(async () => {
    env = await startTemporal();
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('creates the market-hours schedule, then replaces its spec on redeploy without keeping the old one', async () => {
    const client = env!.client;
    expect(await deploySchedule(client, { taskQueue: 'sched-test' })).toBe('created');
    const handle = client.schedule.getHandle(SCHEDULE_ID);
    const created = await handle.describe();
    // The server compiles the cron into a calendar: minute 0, hours 14-21, Monday-Friday.
    expect(created.spec.calendars).toHaveLength(1);
    expect(created.spec.calendars![0]).toMatchObject({
      minute: [{ start: 0, end: 0, step: 1 }],
      hour: [{ start: 14, end: 21, step: 1 }],
      dayOfWeek: [{ start: 'MONDAY', end: 'FRIDAY', step: 1 }],
    });
    expect(created.spec.intervals ?? []).toEqual([]);
    expect(created.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 10 * 60_000 });
    expect(CATCHUP_WINDOW).toBe('10 minutes');
    expect(created.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: PAIRS_CYCLE_WORKFLOW,
      taskQueue: 'sched-test',
      workflowId: 'pairs-cycle',
    });

    await pauseSchedule(client, 'maintenance');
    expect(await deploySchedule(client, { fast: true, everySeconds: 30, taskQueue: 'sched-test' })).toBe('updated');
    const fast = await handle.describe();
    expect(fast.spec.calendars ?? []).toEqual([]);
    expect(fast.spec.intervals).toEqual([expect.objectContaining({ every: 30_000 })]);
    expect(fast.state.paused).toBe(true);
    await unpauseSchedule(client, 'done');

    expect(await deploySchedule(client, { taskQueue: 'sched-test' })).toBe('updated');
    const back = await handle.describe();
    expect(back.spec.calendars).toHaveLength(1);
    expect(back.spec.intervals ?? []).toEqual([]);
    expect(back.state.paused).toBe(false);
  });

  it('`pairs deploy --fast 20` updates the schedule through the CLI', async () => {
    const { stdout } = await run(process.execPath, [PAIRS_BIN, 'deploy', '--fast', '20'], {
      env: { ...process.env, TEMPORAL_ADDRESS: env!.address, TEMPORAL_NAMESPACE: 'default' },
    });
    expect(stdout).toMatch(/schedule pairs-cycle (created|updated): every 20 s, overlap SKIP/);
    const described = await env!.client.schedule.getHandle(SCHEDULE_ID).describe();
    expect(described.spec.intervals).toEqual([expect.objectContaining({ every: 20_000 })]);
  });
});
