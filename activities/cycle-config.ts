import type { Db } from '../db/connection';
import { countActivePairs } from '../db/queries/pairs';
import type { CycleConfig, PairsCycleActivities } from '../workflows/contracts/pairs-cycle';
import { loadVersionedConfigForActivity } from './config-load';

export interface CycleConfigDeps {
  db: Db;
  /** Seeds the stored config on an empty database. */
  configPath: string;
}

export function createCycleConfigActivities({ db, configPath }: CycleConfigDeps): Pick<PairsCycleActivities, 'loadCycleConfig'> {
  return {
    /** The cycle's one read of the stored config; its result (every value) is recorded in the cycle's history. */
    async loadCycleConfig(): Promise<CycleConfig> {
      const [{ config, version }, activePairs] = await Promise.all([loadVersionedConfigForActivity(db, configPath), countActivePairs(db)]);
      return { config, version, activePairs };
    },
  };
}
