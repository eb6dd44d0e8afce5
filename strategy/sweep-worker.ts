/** Worker thread of `SweepPool`: simulates chunks of (entry, exit, stopLoss) combinations on the shared pair. */
import { parentPort, workerData } from 'node:worker_threads';
import { sharedPair, simulateCombos, type SweepWorkerData } from './sweep';

const data = workerData as SweepWorkerData;
const pair = sharedPair(data);
const port = parentPort;
if (!port) throw new Error('sweep-worker must run as a worker thread');

port.on('message', (task: { id: number; combos: Float64Array }) => {
  try {
    const packed = simulateCombos(pair, data.base, task.combos);
    port.postMessage({ id: task.id, packed }, [packed.buffer as ArrayBuffer]);
  } catch (err) {
    port.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
