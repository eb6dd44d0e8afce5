import type { Client } from '@temporalio/client';
import type { Broker } from '../broker/types';
import type { Db } from '../db/connection';
import { createCycleConfigActivities } from './cycle-config';
import { createDiscoveryStepsActivities } from './discovery-steps';
import { createMarketDataActivities } from './market-data';
import { createOrderActivities } from './orders';
import { createReconciliationActivities } from './reconciliation';
import { createPairEvaluationActivities } from './evaluate-pairs';
import { createRiskActivities } from './risk';
import { createRoutingActivities } from './routing';
import { createStrategyStateActivities, type CycleFinishedHook } from './strategy-state';
import { createTradeActivities } from './trades';
import type { DiscoveryActivities } from '../workflows/contracts/discovery';
import type { EmergencyStopActivities } from '../workflows/contracts/emergency-stop';
import type { PairTradeActivities } from '../workflows/contracts/pair-trade';
import type { PairsCycleActivities } from '../workflows/contracts/pairs-cycle';

export interface PairsActivitiesDeps {
  db: Db;
  broker: Broker;
  /** config/pairs.yaml: seeds the stored config (PostgreSQL) when the database has none yet. */
  configPath: string;
  /** Task queue pair-trade workflows are started on. */
  taskQueue: string;
  /** Client for starting/signalling workflows from activities; defaults to the worker's own. */
  client?: Client;
  /** Called with each finished cycle's duration in seconds. */
  onCycleFinished?: CycleFinishedHook;
  /** Discovery's universe when a run names none (see broker/universe-from-env.ts). */
  universe?: () => Promise<string[]>;
}

/** Every activity the pairs workflows call, as their contracts declare them. */
export type PairsActivities = PairsCycleActivities & PairTradeActivities & EmergencyStopActivities & DiscoveryActivities;

/** Every activity the pairs workflows call, wired to their dependencies. */
export function createPairsActivities(deps: PairsActivitiesDeps): PairsActivities {
  return {
    ...createCycleConfigActivities(deps),
    ...createMarketDataActivities(deps),
    ...createReconciliationActivities(deps),
    ...createPairEvaluationActivities(deps),
    ...createRoutingActivities(deps),
    ...createRiskActivities(deps),
    ...createStrategyStateActivities(deps),
    ...createOrderActivities(deps),
    ...createTradeActivities(deps),
    ...createDiscoveryStepsActivities(deps),
  };
}
