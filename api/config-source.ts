import { loadStoredConfig } from '../config/config-store';
import { ConfigError } from '../config/loader';
import type { StrategyConfig } from '../config/schema';
import type { Db } from '../db/connection';
import { HttpError } from './errors';

/**
 * The stored strategy config (PostgreSQL, the one every process reads; seeded from `path`, config/pairs.yaml, on
 * an empty database). A stored config that no longer validates is a 503 naming the problems, not a generic 500.
 */
export class ConfigSource {
  constructor(
    private readonly db: Db,
    readonly path: string,
  ) {}

  async get(): Promise<StrategyConfig> {
    try {
      return (await loadStoredConfig(this.db, this.path)).config;
    } catch (err) {
      if (err instanceof ConfigError) throw new HttpError(503, 'Strategy config is unreadable or invalid', err.details);
      throw err;
    }
  }
}
