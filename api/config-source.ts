import { promises as fs } from 'node:fs';
import { ConfigError, loadConfig } from '../config/loader';
import type { StrategyConfig } from '../config/schema';
import { HttpError } from './errors';

/**
 * Reads config/pairs.yaml, re-parsing only when its mtime or size changed (GET /history reads the thresholds
 * on every request). A file that no longer validates is a 503 naming the problems, not a generic 500.
 */
export class ConfigSource {
  private cached: { key: string; config: StrategyConfig } | null = null;

  constructor(readonly path: string) {}

  async get(): Promise<StrategyConfig> {
    try {
      const stat = await fs.stat(this.path);
      const key = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
      if (this.cached?.key === key) return this.cached.config;
      const config = await loadConfig(this.path);
      this.cached = { key, config };
      return config;
    } catch (err) {
      if (err instanceof ConfigError) throw new HttpError(503, 'Strategy config is unreadable or invalid', err.details);
      throw new HttpError(503, 'Strategy config is unreadable', [`${this.path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`]);
    }
  }

  invalidate(): void {
    this.cached = null;
  }
}
