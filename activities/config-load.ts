import { ApplicationFailure } from '@temporalio/activity';
import { ConfigError, loadConfig } from '../config/loader';
import type { StrategyConfig } from '../config/schema';

/** Reads the config file each time (POST /config rewrites it); a broken file fails without retries. */
export async function loadConfigForActivity(configPath: string): Promise<StrategyConfig> {
  try {
    return await loadConfig(configPath);
  } catch (err) {
    if (err instanceof ConfigError) throw ApplicationFailure.create({ message: err.message, type: 'ConfigError', nonRetryable: true });
    throw err;
  }
}
