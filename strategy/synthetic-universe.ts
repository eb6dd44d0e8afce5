/**
 * Deterministic synthetic price universes for benchmarks and tests (same structure as the reference
 * generator in shared/reference/pairstats_ref.py: a market random walk, clusters sharing a factor
 * whose members are cointegrated, and singletons with their own random walk).
 */

/** mulberry32: small, fast, deterministic 32-bit PRNG returning uniforms in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviates by Box-Muller from a uniform source. */
export function gaussian(uniform: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** n hourly bar times (epoch ms, UTC): Mon-Fri 14:00..21:00, starting Monday 2025-01-06. */
export function marketHours(n: number): Float64Array {
  const out = new Float64Array(n);
  let day = Date.UTC(2025, 0, 6);
  let k = 0;
  while (k < n) {
    const weekday = new Date(day).getUTCDay();
    if (weekday >= 1 && weekday <= 5) {
      for (let h = 14; h <= 21 && k < n; h++) out[k++] = day + h * 3600_000;
    }
    day += 86_400_000;
  }
  return out;
}

export interface SyntheticUniverse {
  timestamps: Float64Array;
  symbols: string[];
  prices: Float64Array[];
  /** cluster id per column, or null for singletons. */
  clusterOf: (number | null)[];
}

export interface SyntheticOptions {
  symbols: number;
  bars: number;
  seed: number;
  /** Sizes of the cointegrated clusters; default: about a third of the symbols in clusters of 2-4. */
  clusterSizes?: number[];
}

export function syntheticUniverse(options: SyntheticOptions): SyntheticUniverse {
  const { symbols: nSym, bars: n, seed } = options;
  const uniform = mulberry32(seed);
  const normal = gaussian(uniform);
  const between = (lo: number, hi: number): number => lo + (hi - lo) * uniform();
  const randomWalk = (mu: number, sigma: number): Float64Array => {
    const w = new Float64Array(n);
    for (let t = 1; t < n; t++) w[t] = w[t - 1] + mu + sigma * normal();
    return w;
  };
  const ar1 = (halfLife: number, sigma: number): Float64Array => {
    const phi = 1 - Math.LN2 / halfLife;
    const u = new Float64Array(n);
    u[0] = (sigma / Math.sqrt(1 - phi * phi)) * normal();
    for (let t = 1; t < n; t++) u[t] = phi * u[t - 1] + sigma * normal();
    return u;
  };
  let clusterSizes = options.clusterSizes;
  if (!clusterSizes) {
    clusterSizes = [];
    let used = 0;
    while (used + 4 <= Math.floor(nSym / 3)) {
      const size = 2 + (clusterSizes.length % 3);
      clusterSizes.push(size);
      used += size;
    }
  }
  // Column order: a seeded Fisher-Yates permutation, so clusters are not contiguous.
  const perm = Array.from({ length: nSym }, (_, k) => k);
  for (let k = nSym - 1; k > 0; k--) {
    const r = Math.floor(uniform() * (k + 1));
    [perm[k], perm[r]] = [perm[r], perm[k]];
  }
  const market = randomWalk(0.00005, 0.003);
  const logp: Float64Array[] = new Array<Float64Array>(nSym);
  const clusterOf: (number | null)[] = new Array<number | null>(nSym).fill(null);
  let pos = 0;
  clusterSizes.forEach((size, k) => {
    const loading = between(0.5, 1.2);
    const own = randomWalk(0.0001 * normal(), 0.004);
    for (let m = 0; m < size; m++) {
      const col = perm[pos++];
      const lam = between(0.6, 1.4);
      const u = ar1(between(5, 30), between(0.001, 0.003));
      const base = Math.log(between(20, 200));
      const series = new Float64Array(n);
      for (let t = 0; t < n; t++) series[t] = base + lam * (loading * market[t] + own[t]) + u[t];
      logp[col] = series;
      clusterOf[col] = k;
    }
  });
  while (pos < nSym) {
    const col = perm[pos++];
    const b = between(0.3, 1.3);
    const base = Math.log(between(20, 200));
    const w = randomWalk(0.0001 * normal(), between(0.003, 0.006));
    const series = new Float64Array(n);
    for (let t = 0; t < n; t++) series[t] = base + b * market[t] + w[t];
    logp[col] = series;
  }
  const prices = logp.map((series) => {
    const p = new Float64Array(n);
    for (let t = 0; t < n; t++) p[t] = Math.round(Math.exp(series[t]) * 1e4) / 1e4;
    return p;
  });
  const width = String(nSym - 1).length < 2 ? 2 : String(nSym - 1).length;
  const symbols = Array.from({ length: nSym }, (_, k) => `S${String(k).padStart(width, '0')}`);
  return { timestamps: marketHours(n), symbols, prices, clusterOf };
}

/** CSV text in the engine's input format (prices with 4 decimals). */
export function universeToCsv(u: { timestamps: Float64Array; symbols: string[]; prices: Float64Array[] }): string {
  const lines: string[] = [['timestamp', ...u.symbols].join(',')];
  for (let t = 0; t < u.timestamps.length; t++) {
    const row: string[] = [new Date(u.timestamps[t]).toISOString().replace('.000Z', 'Z')];
    for (const p of u.prices) row.push(p[t].toFixed(4));
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}
