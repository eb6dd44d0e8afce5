/** scanUniverse on worker threads gives exactly the single-thread results. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePriceCsv } from '../../strategy/price-matrix';
import { scanUniverse, scanUniverseSync, type ScanProgress } from '../../strategy/scan';
import { syntheticUniverse } from '../../strategy/synthetic-universe';
import { REFERENCE_DIR } from './stats-helpers';

test('worker threads reproduce the single-thread --all scan bit for bit', async () => {
  const matrix = parsePriceCsv(readFileSync(path.join(REFERENCE_DIR, 'universe_30x1000.csv'), 'utf8'));
  const progress: ScanProgress[] = [];
  const parallel = await scanUniverse(matrix, { all: true, workers: 2, onProgress: (p) => progress.push(p) });
  const single = scanUniverseSync(matrix, { all: true });
  expect(parallel.pairs).toEqual(single.pairs);
  expect(progress.length).toBeGreaterThan(1);
  expect(progress[progress.length - 1]).toEqual({ stage: 'test', done: 435, total: 435 });
  for (let k = 1; k < progress.length; k++) expect(progress[k].done).toBeGreaterThan(progress[k - 1].done);
});

test('two-stage scan on workers equals the single-thread two-stage scan', async () => {
  const u = syntheticUniverse({ symbols: 70, bars: 300, seed: 4 });
  const parallel = await scanUniverse(u, { workers: 2, twoStage: true, top: 30 });
  const single = scanUniverseSync(u, { twoStage: true, top: 30 });
  expect(parallel.screened).toBe(true);
  expect(parallel.nFullTests).toBe(single.nFullTests);
  expect(parallel.pairs).toEqual(single.pairs);
});

test("'auto' keeps small scans on the calling thread and still answers", async () => {
  const u = syntheticUniverse({ symbols: 6, bars: 200, seed: 2 });
  const r = await scanUniverse(u, { all: true });
  expect(r.pairs).toHaveLength(15);
});
