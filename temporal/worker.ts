import type { Duration } from '@temporalio/common';
import { Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { Broker } from '../broker/types';
import type { Db } from '../db/connection';
import { createPairsActivities } from '../activities';
import { TASK_QUEUE } from '../workflows/contracts/task-queue';
import { cachedWorkflowBundle } from './workflow-bundle';

export interface PairsWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  db: Db;
  broker: Broker;
  configPath: string;
  /**
   * A prebuilt bundle (tests bundle once per file); otherwise the bundle cached on disk for the current
   * workflows/ sources (built once in a child process, see temporal/workflow-bundle.ts).
   */
  workflowBundle?: WorkflowBundleOption;
  client?: Client;
  /** How long shutdown waits for running activities before cancelling them. */
  shutdownGraceTime?: Duration;
  /** Called with each finished cycle's duration in seconds. */
  onCycleFinished?: (seconds: number) => void;
  /** Discovery's universe when a run names none; default none. */
  universe?: () => Promise<string[]>;
}

export const MAX_CACHED_WORKFLOWS = 100;

/**
 * Node flags the worker process should be started with (they only take effect at launch, e.g. via NODE_OPTIONS).
 * With the default 4 GB heap limit V8 collects lazily and the worker's RSS grows ~20 MB per 50-pair cycle;
 * a 384 MB old space (a 50-pair cycle peaks near 90 MB of live heap) and a 2 MB semi-space keep the peak RSS
 * near 230 MB (bench/orchestration.bench.ts) at no measured cost in cycle time.
 */
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=2', '--max-old-space-size=384'];

export const WORKFLOWS_PATH = require.resolve('../workflows');

export async function createPairsWorker(options: PairsWorkerOptions): Promise<Worker> {
  const taskQueue = options.taskQueue ?? TASK_QUEUE;
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue,
    workflowBundle: options.workflowBundle ?? (await cachedWorkflowBundle()),
    activities: createPairsActivities({
      db: options.db,
      broker: options.broker,
      configPath: options.configPath,
      taskQueue,
      client: options.client,
      onCycleFinished: options.onCycleFinished,
      universe: options.universe,
    }),
    shutdownGraceTime: options.shutdownGraceTime ?? '20 seconds',
    // The SDK's default scales with the V8 heap limit (~2,300 workflows at a 4 GB heap); the worker runs one cycle
    // and at most a few dozen pair trades at a time, so a fixed cap keeps the sticky cache small and predictable.
    maxCachedWorkflows: MAX_CACHED_WORKFLOWS,
  });
}
