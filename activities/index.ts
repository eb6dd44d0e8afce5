import type { Client } from '@temporalio/client';
import type { Broker } from '../broker/types';
import type { Db } from '../db/connection';
import { createMarketDataActivities } from './market-data';
import { createOrderActivities } from './orders';
import { createReconciliationActivities } from './reconciliation';
import { createRoutingActivities } from './routing';
import { createSignalActivities } from './signals';
import { createStrategyActivities, type CycleFinishedHook } from './strategy';
import { createTradeActivities } from './trades';

export interface PairsActivitiesDeps {
  db: Db;
  broker: Broker;
  /** The strategy config file, re-read by each activity that needs it (POST /config rewrites it). */
  configPath: string;
  /** Task queue pair-trade workflows are started on. */
  taskQueue: string;
  /** Client for starting/signalling workflows from activities; defaults to the worker's own. */
  client?: Client;
  /** Called with each finished cycle's duration in seconds. */
  onCycleFinished?: CycleFinishedHook;
}

/** Every activity the pairs workflows call, wired to their dependencies. */
export function createPairsActivities(deps: PairsActivitiesDeps) {
  return {
    ...createMarketDataActivities(deps),
    ...createReconciliationActivities(deps),
    ...createSignalActivities(deps),
    ...createRoutingActivities(deps),
    ...createStrategyActivities(deps),
    ...createOrderActivities(deps),
    ...createTradeActivities(deps),
  };
}

export type PairsActivities = ReturnType<typeof createPairsActivities>;
