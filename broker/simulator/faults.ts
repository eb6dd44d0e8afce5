/**
 * Fault injection for Alpaca paths (never /__sim/*). Rates are probabilities drawn from a seeded generator so
 * a run is reproducible; `script` holds one-shot faults consumed in order by the next matching requests.
 */
import { SeededRandom } from './rng';

/**
 * - `5xx`: answer 500 without doing anything.
 * - `commit-then-5xx`: do the request (e.g. place the order), then answer 500.
 * - `429`: answer 429 with Retry-After without doing anything.
 * - `slow`: do the request, then hold the response for `slowMs` (beyond a client timeout).
 * - `drop`: do the request, then destroy the socket without answering.
 */
export type FaultKind = '5xx' | 'commit-then-5xx' | '429' | 'slow' | 'drop';

export interface ScriptedFault {
  fault: FaultKind;
  /** How many matching requests get it (default 1). */
  count?: number;
  method?: string;
  /** Path prefix, e.g. `/v2/orders`. */
  path?: string;
}

export interface FaultConfig {
  errorRate: number;
  commitThenErrorRate: number;
  rateLimitRate: number;
  slowRate: number;
  dropRate: number;
  slowMs: number;
  retryAfterSeconds: number;
  /** Orders whose client_order_id matches this regex are rejected. */
  rejectClientOrderIdPattern: string | null;
  rejectSymbols: string[];
  /** `async`: POST answers `accepted`, the order turns `rejected` shortly after; `sync`: POST answers 403. */
  rejectMode: 'async' | 'sync';
  /** Probability an order fills only partly; its remainder is canceled at the session close. */
  partialFillRate: number;
  /** Server-side limit per API key per minute; 0 disables it. */
  rateLimitPerMinute: number;
  script: ScriptedFault[];
}

export const NO_FAULTS: FaultConfig = {
  errorRate: 0,
  commitThenErrorRate: 0,
  rateLimitRate: 0,
  slowRate: 0,
  dropRate: 0,
  slowMs: 10_000,
  retryAfterSeconds: 1,
  rejectClientOrderIdPattern: null,
  rejectSymbols: [],
  rejectMode: 'async',
  partialFillRate: 0,
  rateLimitPerMinute: 0,
  script: [],
};

const NUMBER_KEYS = [
  'errorRate',
  'commitThenErrorRate',
  'rateLimitRate',
  'slowRate',
  'dropRate',
  'slowMs',
  'retryAfterSeconds',
  'partialFillRate',
  'rateLimitPerMinute',
] as const;
const FAULT_KINDS: FaultKind[] = ['5xx', 'commit-then-5xx', '429', 'slow', 'drop'];

/** Merges a partial, untrusted fault update into a config; throws Error with a readable message. */
export function mergeFaults(base: FaultConfig, update: unknown): FaultConfig {
  if (typeof update !== 'object' || update === null || Array.isArray(update)) throw new Error('faults must be an object');
  const next: FaultConfig = { ...base, rejectSymbols: [...base.rejectSymbols], script: [...base.script] };
  const input = update as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    const value = input[key];
    if ((NUMBER_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`${key} must be a number >= 0`);
      (next as unknown as Record<string, number>)[key] = value;
    } else if (key === 'rejectClientOrderIdPattern') {
      if (value !== null && typeof value !== 'string') throw new Error('rejectClientOrderIdPattern must be a string or null');
      if (typeof value === 'string') new RegExp(value);
      next.rejectClientOrderIdPattern = value;
    } else if (key === 'rejectSymbols') {
      if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) throw new Error('rejectSymbols must be a list of symbols');
      next.rejectSymbols = value;
    } else if (key === 'rejectMode') {
      if (value !== 'async' && value !== 'sync') throw new Error('rejectMode must be async or sync');
      next.rejectMode = value;
    } else if (key === 'script') {
      if (!Array.isArray(value)) throw new Error('script must be a list');
      next.script = value.map((item) => {
        const entry = item as ScriptedFault;
        if (!entry || !FAULT_KINDS.includes(entry.fault)) throw new Error(`script fault must be one of ${FAULT_KINDS.join(', ')}`);
        return { fault: entry.fault, count: entry.count ?? 1, method: entry.method?.toUpperCase(), path: entry.path };
      });
    } else {
      throw new Error(`unknown fault setting ${key}`);
    }
  }
  return next;
}

export function faultsFromEnv(env: NodeJS.ProcessEnv): Partial<FaultConfig> {
  if (!env.SIM_FAULTS) return {};
  return mergeFaults(NO_FAULTS, JSON.parse(env.SIM_FAULTS));
}

export class FaultInjector {
  private readonly random: SeededRandom;
  constructor(
    public config: FaultConfig,
    seed: number,
  ) {
    this.random = new SeededRandom(seed ^ 0x2545f491);
  }

  /** The fault (if any) for one request on an Alpaca path. */
  pick(method: string, path: string): FaultKind | null {
    const scripted = this.config.script.findIndex((f) => (!f.method || f.method === method) && (!f.path || path.startsWith(f.path)));
    if (scripted >= 0) {
      const entry = this.config.script[scripted];
      const left = (entry.count ?? 1) - 1;
      this.config.script =
        left > 0
          ? this.config.script.map((f, i) => (i === scripted ? { ...f, count: left } : f))
          : this.config.script.filter((_, i) => i !== scripted);
      return entry.fault;
    }
    const c = this.config;
    if (this.random.chance(c.rateLimitRate)) return '429';
    if (this.random.chance(c.errorRate)) return '5xx';
    if (method !== 'GET' && this.random.chance(c.commitThenErrorRate)) return 'commit-then-5xx';
    if (this.random.chance(c.slowRate)) return 'slow';
    if (this.random.chance(c.dropRate)) return 'drop';
    return null;
  }

  shouldReject(symbol: string, clientOrderId: string): boolean {
    if (this.config.rejectSymbols.includes(symbol)) return true;
    const pattern = this.config.rejectClientOrderIdPattern;
    return pattern !== null && new RegExp(pattern).test(clientOrderId);
  }

  partialFraction(): number | null {
    if (!this.random.chance(this.config.partialFillRate)) return null;
    return 0.2 + 0.6 * this.random.next();
  }
}
