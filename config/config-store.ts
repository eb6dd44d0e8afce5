/**
 * The strategy config's one source of truth: a row in PostgreSQL that every process (worker, API, CLI) reads.
 * config/pairs.yaml seeds it the first time any process starts on an empty database; from then on POST /config
 * changes the row (and rewrites the file's thresholds where the file is writable, as the spec asks), and every
 * change is logged with its old and new values (strategy_engine.config_change).
 */
import type { Db } from '../db/connection';
import { getStoredConfig, insertConfigIfAbsent, updateStoredConfig } from '../db/queries/strategy-config';
import { ConfigError, loadConfig, updateThresholds, validateConfig } from './loader';
import { describeIssues, thresholdsOf, thresholdsUpdateSchema, type StrategyConfig, type ThresholdsConfig } from './schema';

export interface VersionedConfig {
  config: StrategyConfig;
  /** 1 when seeded, +1 per change. */
  version: number;
}

/** Stores the file's config unless the database holds one already (idempotent); true when this call stored it. */
export async function seedConfigFromFile(db: Db, file: string): Promise<boolean> {
  if (await getStoredConfig(db)) return false;
  const config = await loadConfig(file);
  return insertConfigIfAbsent(db, config, `seed:${file}`);
}

/** The stored config, validated; seeded from `seedFile` when the database has none yet. */
export async function loadStoredConfig(db: Db, seedFile: string): Promise<VersionedConfig> {
  let stored = await getStoredConfig(db);
  if (!stored) {
    await seedConfigFromFile(db, seedFile);
    stored = await getStoredConfig(db);
    if (!stored) throw new Error('strategy_config is still empty after seeding');
  }
  return { config: validateConfig(stored.config, `the stored config (version ${stored.version})`), version: stored.version };
}

export interface ThresholdsUpdateResult {
  thresholds: ThresholdsConfig;
  version: number;
  /** Whether the change produced a new version (false: the values were already those). */
  changed: boolean;
  /** config/pairs.yaml rewritten too, or why not. */
  file: 'written' | 'not written: read-only' | 'not written: unreadable or invalid' | 'not written: no file';
}

function fileOutcome(err: unknown): ThresholdsUpdateResult['file'] {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') return 'not written: read-only';
  if (code === 'ENOENT') return 'not written: no file';
  return 'not written: unreadable or invalid';
}

/**
 * Applies a partial threshold update to the stored config: the body is validated (unknown fields rejected),
 * then the merged config (exit < entry < stop_loss) under the row lock, so two processes updating at once cannot
 * combine into an invalid config. Nothing is stored when validation fails. Then the file's thresholds are
 * rewritten where it is writable.
 */
export async function updateStoredThresholds(
  db: Db,
  update: unknown,
  { seedFile, source }: { seedFile: string; source: string },
): Promise<ThresholdsUpdateResult> {
  const body = thresholdsUpdateSchema.safeParse(update);
  if (!body.success) throw new ConfigError('invalid config update', describeIssues(body.error));
  await loadStoredConfig(db, seedFile);
  const { config, change } = await updateStoredConfig(
    db,
    (current) => {
      const merged = { ...current, ...body.data };
      return validateConfig(merged, 'the updated config');
    },
    source,
  );
  const stored = await getStoredConfig(db);
  let file: ThresholdsUpdateResult['file'] = 'written';
  try {
    await updateThresholds(body.data, seedFile);
  } catch (err) {
    file = fileOutcome(err);
  }
  return { thresholds: thresholdsOf(config as StrategyConfig), version: stored?.version ?? 1, changed: change !== null, file };
}
