/**
 * Deterministic randomness. Market data draws are pure functions of (seed, stream, index) so any bar can be
 * recomputed after a restart; faults use a sequential seeded generator so a run is reproducible.
 */
/** Module-level aliases: global lookups are slow inside Jest's vm sandbox, and these run per bar. */
const { PI, cos, imul, log, sqrt } = Math;

/** 32-bit avalanche mix (murmur3 finaliser). */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = imul(h ^ text.charCodeAt(i), 0x01000193);
  return mix32(h);
}

/** Uniform in (0, 1) from (seed, stream, index). */
export function uniformAt(seed: number, stream: number, index: number): number {
  const h = mix32(mix32(mix32(seed ^ 0x9e3779b9) ^ stream) + imul(index, 0x27d4eb2f));
  return (h + 0.5) / 4294967296;
}

const NORMAL_TABLE_BITS = 16;
/** 65536 fixed standard-normal draws; a hash picks one, which is far cheaper than Box-Muller per draw. */
const NORMAL_TABLE = ((): Float64Array => {
  const table = new Float64Array(1 << NORMAL_TABLE_BITS);
  for (let i = 0; i < table.length; i++) {
    const u1 = uniformAt(0x51ed, 1, i * 2);
    const u2 = uniformAt(0x51ed, 1, i * 2 + 1);
    table[i] = sqrt(-2 * log(u1)) * cos(2 * PI * u2);
  }
  return table;
})();
const NORMAL_MASK = (1 << NORMAL_TABLE_BITS) - 1;

/** Standard normal (to table resolution) from (seed, stream, index). */
export function normalAt(seed: number, stream: number, index: number): number {
  return NORMAL_TABLE[mix32(mix32(seed ^ stream) + imul(index, 0x9e3779b1)) & NORMAL_MASK];
}

/** Sequential generator (mulberry32) whose state can be saved and restored. */
export class SeededRandom {
  constructor(private state: number) {}

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  chance(probability: number): boolean {
    return probability > 0 && this.next() < probability;
  }
}
