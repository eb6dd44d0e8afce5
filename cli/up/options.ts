import path from 'node:path';
import { UsageError } from '../errors';

const REPO_ROOT = path.resolve(__dirname, '../..');

export interface UpOptions {
  dataDir: string;
  apiPort: number;
  temporalPort: number;
  uiPort: number;
  /** 0 picks a free port. */
  simPort: number;
  /** Simulated seconds per real second. */
  simSpeed: number;
  /** Seconds between cycles in simulator mode. */
  cycleSeconds: number;
  /** Re-run discovery when the registry's newest row is older than this. */
  discoveryMaxAgeHours: number;
}

export interface UpFlags {
  dataDir?: string;
  apiPort?: string;
  temporalPort?: string;
  uiPort?: string;
  simPort?: string;
  simSpeed?: string;
  cycleSeconds?: string;
}

function intOption(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be an integer between ${min} and ${max}, got '${value}'`);
  return n;
}

function numberOption(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`${name} must be a number between ${min} and ${max}, got '${value}'`);
  return n;
}

/** Flags win over env variables, which win over defaults. */
export function resolveUpOptions(flags: UpFlags, env: NodeJS.ProcessEnv = process.env): UpOptions {
  return {
    dataDir: path.resolve(flags.dataDir ?? env.PAIRS_DATA_DIR ?? path.join(REPO_ROOT, 'data')),
    apiPort: intOption('--api-port', flags.apiPort ?? env.PAIRS_API_PORT, 8001, 1, 65535),
    temporalPort: intOption('--temporal-port', flags.temporalPort ?? env.PAIRS_TEMPORAL_PORT, 7233, 1, 65535),
    uiPort: intOption('--ui-port', flags.uiPort ?? env.PAIRS_TEMPORAL_UI_PORT, 8233, 1, 65535),
    simPort: intOption('--sim-port', flags.simPort ?? env.PAIRS_SIM_PORT, 8787, 0, 65535),
    simSpeed: numberOption('--sim-speed', flags.simSpeed ?? env.PAIRS_SIM_SPEED, 60, 1, 3600),
    cycleSeconds: intOption('--cycle-seconds', flags.cycleSeconds ?? env.PAIRS_CYCLE_SECONDS, 30, 5, 3600),
    discoveryMaxAgeHours: numberOption('PAIRS_DISCOVERY_MAX_AGE_HOURS', env.PAIRS_DISCOVERY_MAX_AGE_HOURS, 24 * 7, 0, 1e6),
  };
}
