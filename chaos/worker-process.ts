import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { WORKER_NODE_FLAGS } from '../temporal/worker';

export const PAIRS_BIN = path.resolve(__dirname, '../bin/pairs.js');

/** `pairs worker` as a child process that can be SIGKILLed and started again. */
export class WorkerProcess {
  private child: ChildProcess | null = null;
  private readonly log: WriteStream;
  starts = 0;
  kills = 0;

  /** `argv` follows `node`: by default the worker as it is meant to run, `<WORKER_NODE_FLAGS> bin/pairs.js worker`. */
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    readonly logFile: string,
    private readonly argv: string[] = [...WORKER_NODE_FLAGS, PAIRS_BIN, 'worker'],
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  get pid(): number | null {
    return this.child && this.child.exitCode === null && this.child.signalCode === null ? (this.child.pid ?? null) : null;
  }

  start(): number {
    if (this.pid !== null) return this.pid;
    const child = spawn(process.execPath, this.argv, {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.starts += 1;
    this.log.write(`--- start #${this.starts} pid ${child.pid} at ${new Date().toISOString()}\n`);
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    child.on('exit', (code, signal) => this.log.write(`--- pid ${child.pid} exited code=${code} signal=${signal}\n`));
    this.child = child;
    return child.pid!;
  }

  /** SIGKILL: no shutdown hook runs, in-flight activities are simply lost. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || this.pid === null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    this.kills += 1;
    await exited;
  }

  /** Graceful stop at the end (SIGTERM, then SIGKILL after a grace period). */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || this.pid === null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  close(): void {
    this.log.end();
  }
}

/**
 * Resolves once a poller whose identity starts with `<pid>@` (the SDK's default worker identity) polls the
 * task queue, i.e. the worker is up and taking work; false on timeout or if the process died.
 */
export async function waitForPoller(
  client: Client,
  namespace: string,
  taskQueue: string,
  worker: WorkerProcess,
  pid: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (worker.pid !== pid) return false;
    try {
      const response = await client.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      if ((response.pollers ?? []).some((p) => (p.identity ?? '').startsWith(`${pid}@`))) return true;
    } catch {
      // The server is briefly busy; ask again.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}
