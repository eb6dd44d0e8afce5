/** Worker thread of `scanUniverse`: computes screen p-values or full pair stats for chunks of pairs. */
import { parentPort, workerData } from 'node:worker_threads';
import { screenRange, testPairs } from './scan';

interface ScanWorkerData {
  buffer: SharedArrayBuffer;
  nSym: number;
  nBars: number;
}

type Task = { kind: 'screen'; id: number; start: number; count: number } | { kind: 'test'; id: number; pairs: Int32Array };

const { buffer, nSym, nBars } = workerData as ScanWorkerData;
const block = new Float64Array(buffer);
const port = parentPort;
if (!port) throw new Error('scan-worker must run as a worker thread');

port.on('message', (task: Task) => {
  try {
    const result = task.kind === 'screen' ? screenRange(block, nSym, nBars, task.start, task.count) : testPairs(block, nBars, task.pairs);
    port.postMessage({ id: task.id, result }, [result.buffer as ArrayBuffer]);
  } catch (err) {
    port.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
