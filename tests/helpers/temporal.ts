import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer, type DevServerOptions } from '../../temporal/dev-server';

export { TEMPORAL_CLI } from '../../temporal/dev-server';

/**
 * A real Temporal dev server (in memory, on a free port, with the engine's search attributes) started by the
 * project's launcher, so a test process killed mid-run leaves no server behind; teardown() stops it.
 */
export async function startTemporal(options: Pick<DevServerOptions, 'dynamicConfig'> = {}): Promise<TestWorkflowEnvironment> {
  const server = await startDevServer(options);
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address });
  } catch (err) {
    await server.stop();
    throw err;
  }
  const closeConnections = env.teardown.bind(env);
  env.teardown = async () => {
    try {
      await closeConnections();
    } finally {
      await server.stop();
    }
  };
  return env;
}
