import { DefaultLogger, Runtime } from '@temporalio/worker';

// Workers log every state change at INFO; tests only need warnings and errors.
try {
  Runtime.install({ logger: new DefaultLogger(process.env.TEMPORAL_TEST_LOG_LEVEL === 'INFO' ? 'INFO' : 'WARN') });
} catch {
  // Already installed in this Jest worker process by an earlier test file.
}
