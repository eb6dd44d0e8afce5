import path from 'node:path';
import { existsSync } from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

/** The Temporal CLI that `scripts/install-temporal.sh` builds from source (npm test runs it first). */
export const TEMPORAL_CLI = process.env.TEMPORAL_CLI ?? path.resolve(__dirname, '../../.tools/bin/temporal');

/** A real Temporal dev server on a random port, with the engine's search attributes registered. */
export async function startTemporal(): Promise<TestWorkflowEnvironment> {
  if (!existsSync(TEMPORAL_CLI)) {
    throw new Error(`Temporal CLI not found at ${TEMPORAL_CLI}: run scripts/install-temporal.sh`);
  }
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: TEMPORAL_CLI },
      searchAttributes: SEARCH_ATTRIBUTES,
      ip: '127.0.0.1',
      log: { format: 'pretty', level: 'warn' },
    },
  });
}
