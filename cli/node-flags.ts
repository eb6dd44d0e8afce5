/**
 * The V8 flags each long-running process is started with (they only take effect at launch): `npm start`, the
 * Docker image's commands and the benchmarks use these. With V8's default heap limit (~4 GB) the heap grows
 * lazily and RSS with it; these limits keep each process near its measured need (README, benchmarks).
 */
export const PROCESS_NODE_FLAGS = {
  /** A 50-pair cycle peaks near 90 MB of live heap (bench/orchestration.bench.ts). */
  worker: ['--max-semi-space-size=2', '--max-old-space-size=384'],
  api: ['--max-semi-space-size=2', '--max-old-space-size=128'],
  /** `pairs up`: worker, API, simulator and the embedded database's client in one process. */
  up: ['--max-semi-space-size=2', '--max-old-space-size=512'],
} as const;
