/**
 * Statistics benchmarks (figures printed, never asserted):
 *  1. `pairs discover --all` throughput, whole CLI process, on a deterministic 40-symbol x 1,500-bar
 *     hourly universe, against statsmodels' coint loop on the same CSV
 *     (shared/reference/statsmodels_scan.py); also whether the p-values agree.
 *  2. Two-stage `pairs discover` on 500 symbols x 1,000 bars (124,750 pairs), whole CLI process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { syntheticUniverse, universeToCsv } from '../strategy/synthetic-universe';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin/pairs.js');
const PYTHON = '/usr/bin/python3';
const BASELINE_SCRIPT = '/work/shared/reference/statsmodels_scan.py';
/** Documented statsmodels throughput (pairs/s) used when python/statsmodels cannot run here. */
const DOCUMENTED_BASELINE = 24.6;

interface DiscoverJson {
  pairs: { symbol1: string; symbol2: string; pvalue: number | null }[];
  n_pairs_tested: number;
  seconds: number;
}

function timedDiscover(csv: string, extra: string[]): { wall: number; out: DiscoverJson } {
  const started = process.hrtime.bigint();
  const stdout = execFileSync(process.execPath, [BIN, 'discover', '--csv', csv, '--json', ...extra], {
    cwd: ROOT,
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  return { wall, out: JSON.parse(stdout) as DiscoverJson };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function pythonAvailable(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import statsmodels, numpy, pandas; print(statsmodels.__version__)'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} not runnable (${probe.error.message})`;
  if (probe.status !== 0) return `statsmodels not importable: ${(probe.stderr || '').trim().split('\n').pop()}`;
  return null;
}

/** statsmodels coint p-values for every pair, in the CLI's pair order (not timed). */
const PVALUE_DUMP = `
import sys, json, warnings
import numpy as np, pandas as pd
from statsmodels.tsa.stattools import coint
df = pd.read_csv(sys.argv[1], float_precision="round_trip")
num = df.select_dtypes(include=[np.number])
lp = np.log(num.to_numpy(dtype=float))
out = []
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for i in range(lp.shape[1]):
        for j in range(i + 1, lp.shape[1]):
            out.append(float(coint(lp[:, i], lp[:, j], trend="c")[1]))
print(json.dumps(out))
`;

function throughputBenchmark(dir: string): void {
  const u = syntheticUniverse({ symbols: 40, bars: 1500, seed: 20250101 });
  const csv = path.join(dir, 'universe_40x1500.csv');
  writeFileSync(csv, universeToCsv(u));
  const nPairs = (40 * 39) / 2;
  process.stdout.write(`[1] discover --all, 40 symbols x 1500 bars = ${nPairs} pairs (${csv})\n`);

  timedDiscover(csv, ['--all']); // warm tsx's transform cache so it is not billed to the first run
  const runs = [1, 2, 3].map(() => timedDiscover(csv, ['--all']));
  const wall = median(runs.map((r) => r.wall));
  const scanSeconds = median(runs.map((r) => r.out.seconds));
  const ours = nPairs / wall;
  // The CLI's fixed start-up (loading every command module) is measured alone so it can be told apart.
  const startup = median(
    [1, 2, 3].map(() => {
      const started = process.hrtime.bigint();
      execFileSync(process.execPath, [BIN, '--help'], { cwd: ROOT, encoding: 'utf8' });
      return Number(process.hrtime.bigint() - started) / 1e9;
    }),
  );
  process.stdout.write(
    `    pairs (whole process, median of 3): ${wall.toFixed(3)} s -> ${ours.toFixed(0)} pairs/s (scan alone ${scanSeconds.toFixed(3)} s -> ${(nPairs / scanSeconds).toFixed(0)} pairs/s)\n`,
  );
  process.stdout.write(`    of which CLI start-up (\`pairs --help\`, median of 3): ${startup.toFixed(3)} s\n`);

  const missing = pythonAvailable();
  let baseline = DOCUMENTED_BASELINE;
  if (missing) {
    process.stdout.write(`    baseline: skipped python (${missing}); using the documented ${DOCUMENTED_BASELINE} pairs/s\n`);
  } else {
    const raw = execFileSync(PYTHON, [BASELINE_SCRIPT, csv, '--repeats', '1'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const base = JSON.parse(raw.trim().split('\n').pop() as string) as { seconds: number; pairs_per_s: number; statsmodels: string };
    baseline = base.pairs_per_s;
    process.stdout.write(
      `    baseline statsmodels ${base.statsmodels} coint loop (same CSV, loop only, 1 BLAS thread): ${base.seconds.toFixed(2)} s -> ${baseline.toFixed(1)} pairs/s\n`,
    );
    const ref = JSON.parse(execFileSync(PYTHON, ['-c', PVALUE_DUMP, csv], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as number[];
    const got = runs[0].out.pairs.map((p) => p.pvalue);
    let identical = 0;
    let maxAbs = 0;
    let maxRel = 0;
    ref.forEach((p, k) => {
      const g = got[k];
      if (g === p) identical++;
      if (g === null) {
        maxAbs = Infinity;
        return;
      }
      maxAbs = Math.max(maxAbs, Math.abs(g - p));
      if (p > 0) maxRel = Math.max(maxRel, Math.abs(g - p) / p);
    });
    const sameCount = ref.length === got.length;
    process.stdout.write(
      `    p-values vs statsmodels: ${sameCount ? '' : 'COUNT MISMATCH, '}${identical}/${ref.length} bit-identical, max |diff| ${maxAbs.toExponential(2)}, max rel diff ${maxRel.toExponential(2)} -> ${sameCount && maxAbs <= 1e-9 ? 'identical to 1e-9' : 'DIFFERENT'}\n`,
    );
  }
  process.stdout.write(
    `    ratio: ${(ours / baseline).toFixed(1)}x statsmodels, whole process (target >= 25x); scan alone ${(nPairs / scanSeconds / baseline).toFixed(1)}x\n`,
  );
}

function twoStageBenchmark(dir: string): void {
  const u = syntheticUniverse({ symbols: 500, bars: 1000, seed: 500 });
  const csv = path.join(dir, 'universe_500x1000.csv');
  writeFileSync(csv, universeToCsv(u));
  process.stdout.write(`[2] two-stage discover, 500 symbols x 1000 bars = 124750 pairs\n`);
  const { wall, out } = timedDiscover(csv, ['--top', '50']);
  const truePairs = out.pairs.filter((p) => {
    const i = u.symbols.indexOf(p.symbol1);
    const j = u.symbols.indexOf(p.symbol2);
    return u.clusterOf[i] !== null && u.clusterOf[i] === u.clusterOf[j];
  }).length;
  process.stdout.write(
    `    whole process ${wall.toFixed(2)} s (scan ${out.seconds.toFixed(2)} s) for ${out.n_pairs_tested} pairs (target <= 60 s on 2 cores); top ${out.pairs.length}: ${truePairs} from the generator's cointegrated clusters\n`,
  );
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pairs-stats-bench-'));
  try {
    throughputBenchmark(dir);
    twoStageBenchmark(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
