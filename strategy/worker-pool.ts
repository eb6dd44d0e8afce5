import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** What a pool worker posts back: a result for task `id`, or the error that stopped it. */
export type PoolReply<R> = ({ id: number } & R) | { error: string };

/**
 * Worker threads running one module (`<name>-worker.ts` beside this file) over shared, read-only data.
 * Start-up (~0.3 s under tsx) is paid once; `run` then hands out tasks, each worker taking the next one as
 * it finishes, until all have answered or one fails.
 */
export class TaskPool<R> {
  private readonly workers: Worker[] = [];

  constructor(
    private readonly name: string,
    size: number,
    workerData: unknown,
  ) {
    const file = path.join(__dirname, `${name}-worker${path.extname(__filename)}`);
    // The worker runs the TypeScript sources through tsx's require hook when they are not compiled.
    const bootstrap = file.endsWith('.ts') ? `require('tsx/cjs'); require(${JSON.stringify(file)});` : `require(${JSON.stringify(file)});`;
    for (let w = 0; w < size; w++) this.workers.push(new Worker(bootstrap, { eval: true, workerData }));
  }

  run(tasks: number, send: (worker: Worker, id: number) => void, onResult: (reply: { id: number } & R) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      if (tasks === 0) {
        resolve();
        return;
      }
      let next = 0;
      let finished = 0;
      let settled = false;
      const cleanups: (() => void)[] = [];
      // Success and failure are separate paths, so even a thrown `undefined` counts as a failure.
      const settle = (outcome: { ok: true } | { ok: false; err: unknown }): void => {
        if (settled) return;
        settled = true;
        cleanups.forEach((c) => c());
        if (outcome.ok) resolve();
        else reject(outcome.err instanceof Error ? outcome.err : new Error(String(outcome.err)));
      };
      const fail = (err: unknown): void => settle({ ok: false, err });
      const feed = (worker: Worker): void => {
        if (next < tasks) send(worker, next++);
      };
      for (const worker of this.workers) {
        const onMessage = (reply: PoolReply<R>): void => {
          if ('error' in reply) {
            fail(new Error(`${this.name} worker failed: ${reply.error}`));
            return;
          }
          try {
            onResult(reply);
          } catch (err) {
            fail(err);
            return;
          }
          if (++finished === tasks) settle({ ok: true });
          else feed(worker);
        };
        const onError = (err: Error): void => fail(err);
        const onExit = (code: number): void => fail(new Error(`${this.name} worker exited with code ${code}`));
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
        cleanups.push(() => {
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
        });
        feed(worker);
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
