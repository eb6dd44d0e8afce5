import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTemporal } from '../helpers/temporal';
import { PAIR_NAME } from '../../workflows/contracts/search-attributes';

describe('Temporal dev server built from source', () => {
  let env: TestWorkflowEnvironment | undefined;

  beforeAll(async () => {
    env = await startTemporal();
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow through a real worker and activity, and knows our search attributes', async () => {
    const testEnv = env!;
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'dev-server-ping',
      workflowsPath: require.resolve('../fixtures/ping-workflow'),
      activities: { echo: async (message: string) => message.toUpperCase() },
    });
    const result = await worker.runUntil(
      testEnv.client.workflow.execute('pingWorkflow', {
        taskQueue: 'dev-server-ping',
        workflowId: 'dev-server-ping-1',
        args: ['hello'],
        typedSearchAttributes: [{ key: PAIR_NAME, value: 'AAA/BBB' }],
      }),
    );
    expect(result).toBe('workflow saw: HELLO');

    const described = await testEnv.client.workflow.getHandle('dev-server-ping-1').describe();
    expect(described.typedSearchAttributes.get(PAIR_NAME)).toBe('AAA/BBB');
  });
});
