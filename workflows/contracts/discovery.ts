import type { StrategyConfig } from '../../config/schema';
import type { RetestedStats } from '../../strategy/retested-stats';
import { CYCLE_STEP_ACTIVITY, DB_ACTIVITY } from './activity-options';
import type { ActivityOptions } from '@temporalio/workflow';

/**
 * The discovery workflow's contract: type name and ids, its schedule, input and summary, the activities it calls
 * with their plain-JSON shapes, and their options. A run scans the universe in chunks (one activity each, so
 * more workers scan faster), re-tests every registered pair, adds the best new pairs, retires the pairs whose
 * relationship broke, and waits for the live trade of a pair it retires to close first.
 */
export { TASK_QUEUE } from './task-queue';

export const DISCOVERY_WORKFLOW = 'discoveryWorkflow';
export const DISCOVERY_WORKFLOW_ID_PREFIX = 'pairs-discovery';
export const DISCOVERY_SCHEDULE_ID = 'pairs-discovery';
/** Weekly by default: Saturday 06:00 UTC, markets closed. */
export const DEFAULT_DISCOVERY_CRON = '0 6 * * 6';
/** Pairs per scan activity. */
export const DISCOVERY_CHUNK_PAIRS = 200;
/** How often a run waiting to retire a pair checks whether its trade has closed. */
export const DEFAULT_RETIRE_POLL_SECONDS = 900;

export function manualDiscoveryWorkflowId(nowMs: number): string {
  return `${DISCOVERY_WORKFLOW_ID_PREFIX}-manual-${new Date(nowMs).toISOString()}`;
}

export type DiscoverySettings = StrategyConfig['discovery'];

export interface DiscoveryWorkflowInput {
  /** The universe; default the worker's (PAIRS_UNIVERSE, or the simulator's symbols). */
  symbols?: string[];
  chunkPairs?: number;
  retirePollSeconds?: number;
}

/** The bars every chunk scans: stored in market_data by prepareDiscovery, read back by each chunk. */
export interface DiscoveryWindow {
  symbols: string[];
  fromMs: number;
  toMs: number;
  lookbackBars: number;
  settings: DiscoverySettings;
}

export interface DiscoveryPlan {
  window: DiscoveryWindow;
  nPairs: number;
  bars: number;
  configVersion: number;
}

/** A pair that passed every bound (or a re-test result), plain JSON (NaN half-life as null). */
export interface TestedPairRecord extends RetestedStats {
  symbol1: string;
  symbol2: string;
  crossings: number;
}

export interface RetestResult {
  pairId: number;
  name: string;
  /** Null when the pair's symbols have no bars in the window (left as it is). */
  tested: TestedPairRecord | null;
  /** Why it is out of bounds; empty when it passed. */
  failures: string[];
}

export interface RetiredPair {
  pairId: number;
  name: string;
  reason: string;
}

export interface DiscoveryStoreResult {
  added: Array<{ pairId: number; name: string; score: number }>;
  kept: number;
  retired: RetiredPair[];
  /** Out of bounds but holding a live trade: retired once the trade closes. */
  retiring: Array<RetiredPair & { tradeId: number | null }>;
}

export interface DiscoverySummary {
  workflowId: string;
  symbols: number;
  bars: number;
  pairsTested: number;
  chunks: number;
  candidates: number;
  configVersion: number;
  added: DiscoveryStoreResult['added'];
  kept: number;
  retired: RetiredPair[];
  /** Retired after their trade closed, while this run waited. */
  retiredAfterTradeClosed: RetiredPair[];
}

export interface DiscoveryActivities {
  /** Reads the stored config, fetches the universe's bars into market_data, plans the chunks. */
  prepareDiscovery(input: { symbols?: string[] }): Promise<DiscoveryPlan>;
  /** Tests pairs [start, start + count) of the window's universe; returns those that pass every bound. */
  scanDiscoveryChunk(input: { window: DiscoveryWindow; start: number; count: number }): Promise<TestedPairRecord[]>;
  /** Re-tests every ACTIVE registered pair on the window's bars. */
  retestRegisteredPairs(input: { window: DiscoveryWindow }): Promise<RetestResult[]>;
  /** Retires pairs out of bounds (or marks them retiring when they hold a live trade), adds the best new pairs. */
  storeDiscovery(input: { candidates: TestedPairRecord[]; retests: RetestResult[]; topN: number }): Promise<DiscoveryStoreResult>;
  /** Retires the retiring pairs whose live trade has closed. */
  retirePendingPairs(): Promise<{ retired: RetiredPair[]; stillPending: RetiredPair[] }>;
}

const SCAN_ACTIVITY: ActivityOptions = { ...CYCLE_STEP_ACTIVITY, startToCloseTimeout: '10 minutes' };

export const DISCOVERY_ACTIVITY_OPTIONS = {
  prepare: { ...CYCLE_STEP_ACTIVITY, startToCloseTimeout: '10 minutes' },
  scan: SCAN_ACTIVITY,
  store: DB_ACTIVITY,
} as const;
