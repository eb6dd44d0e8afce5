import type { Duration } from '@temporalio/common';
import { Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { Broker } from '../broker/types';
import type { Db } from '../db/connection';
import { createPairsActivities } from '../activities';
import { TASK_QUEUE } from '../workflows/shared';
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
}

export const WORKFLOWS_PATH = require.resolve('../workflows');

export async function createPairsWorker(options: PairsWorkerOptions): Promise<Worker> {
  const taskQueue = options.taskQueue ?? TASK_QUEUE;
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue,
    workflowBundle: options.workflowBundle ?? await cachedWorkflowBundle(),
    activities: createPairsActivities({
      db: options.db, broker: options.broker, configPath: options.configPath, taskQueue, client: options.client,
      onCycleFinished: options.onCycleFinished,
    }),
    shutdownGraceTime: options.shutdownGraceTime ?? '20 seconds',
  });
}
