/** Worker thread of runWalkForwardParallel: discovery (discoverWindow) on whole formation windows of the shared prices. */
import { parentPort, workerData } from 'node:worker_threads';
import { discoverWindow } from './walkforward';
import { sharedMatrix, type WalkForwardWorkerData } from './walkforward-parallel';

const data = workerData as WalkForwardWorkerData;
const matrix = sharedMatrix(data);
const port = parentPort;
if (!port) throw new Error('walkforward-worker must run as a worker thread');

port.on('message', (task: { id: number; start: number }) => {
  try {
    port.postMessage({ id: task.id, selection: discoverWindow(matrix, data.params, task.start, data.twoStage) });
  } catch (err) {
    port.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
