import { startSimulator, type SimulatorHandle } from '../broker/simulator';
import { FaultInjector, type FaultConfig, type FaultKind } from '../broker/simulator/faults';

/** Fault counts as the simulator's own injector decided them (counted where it picks, not where clients see). */
// A type alias (not an interface) so Object.values sees number values.
export type FaultTally = {
  '5xx': number;
  'commit-then-5xx': number;
  '429': number;
  slow: number;
  drop: number;
  partialFill: number;
};

export const tally: FaultTally = { '5xx': 0, 'commit-then-5xx': 0, '429': 0, slow: 0, drop: 0, partialFill: 0 };
let counting = false;

/** Wraps the injector's decisions once per process, so every injected fault is counted. */
function countFaults(): void {
  if (counting) return;
  counting = true;
  const pick = FaultInjector.prototype.pick;
  FaultInjector.prototype.pick = function countedPick(this: FaultInjector, method: string, path: string): FaultKind | null {
    const fault = pick.call(this, method, path);
    if (fault) tally[fault] += 1;
    return fault;
  };
  const partial = FaultInjector.prototype.partialFraction;
  FaultInjector.prototype.partialFraction = function countedPartial(this: FaultInjector): number | null {
    const fraction = partial.call(this);
    if (fraction !== null) tally.partialFill += 1;
    return fraction;
  };
}

export function totalFaults(): number {
  return Object.values(tally).reduce((a, b) => a + b, 0);
}

/** The fault mix: 10% 5xx, 5% responses slower than the client timeout, 5% 429, 10% partial fills. */
export function chaosFaults(clientTimeoutMs: number): Partial<FaultConfig> {
  return {
    errorRate: 0.1,
    slowRate: 0.05,
    slowMs: clientTimeoutMs * 2 + 500,
    rateLimitRate: 0.05,
    retryAfterSeconds: 1,
    partialFillRate: 0.1,
  };
}

export const NO_CHAOS: Partial<FaultConfig> = {
  errorRate: 0,
  slowRate: 0,
  rateLimitRate: 0,
  partialFillRate: 0,
  commitThenErrorRate: 0,
  dropRate: 0,
  script: [],
};

/** A Wednesday 11:00 in New York (regular hours). The simulator starts paused there; run.ts decides the rest. */
export const CHAOS_START = '2026-03-18T15:00:00Z';

export async function startChaosSimulator(seed: number): Promise<SimulatorHandle> {
  countFaults();
  return startSimulator({
    port: 0,
    seed,
    startTime: CHAOS_START,
    paused: true,
    initialCash: 10_000_000,
    fillLatencyMs: 5,
  });
}
