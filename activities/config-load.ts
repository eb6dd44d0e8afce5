import { ApplicationFailure } from '@temporalio/activity';
import { loadStoredConfig, type VersionedConfig } from '../config/config-store';
import { ConfigError } from '../config/loader';
import type { StrategyConfig } from '../config/schema';
import type { Db } from '../db/connection';

/**
 * The stored config (PostgreSQL, shared by every process; seeded from `seedFile` on an empty database), with its
 * version. A config that does not validate fails without retries.
 */
export async function loadVersionedConfigForActivity(db: Db, seedFile: string): Promise<VersionedConfig> {
  try {
    return await loadStoredConfig(db, seedFile);
  } catch (err) {
    if (err instanceof ConfigError) throw ApplicationFailure.create({ message: err.message, type: 'ConfigError', nonRetryable: true });
    throw err;
  }
}

/** The stored config, read by activities whose caller did not pass one (older cycle histories, the trade's planEntry). */
export async function loadConfigForActivity(db: Db, seedFile: string): Promise<StrategyConfig> {
  return (await loadVersionedConfigForActivity(db, seedFile)).config;
}
