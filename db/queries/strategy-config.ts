import type { Db } from '../connection';
import type { ConfigChangeRow } from '../schema';
import { NOW } from './now';

export interface StoredConfig {
  config: Record<string, unknown>;
  version: number;
  source: string;
  updatedAt: Date;
}

export async function getStoredConfig(db: Db): Promise<StoredConfig | null> {
  const row = await db.selectFrom('strategy_engine.strategy_config').selectAll().where('id', '=', 1).executeTakeFirst();
  return row ? { config: row.config, version: row.version, source: row.source, updatedAt: new Date(row.updated_at as unknown as Date) } : null;
}

/** Stores the first config (version 1) unless one is stored already; returns whether this call stored it. */
export async function insertConfigIfAbsent(db: Db, config: Record<string, unknown>, source: string): Promise<boolean> {
  const result = await db
    .insertInto('strategy_engine.strategy_config')
    .values({ id: 1, config: JSON.stringify(config), version: 1, source })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** JSON with object keys sorted: jsonb keeps its own key order, so a plain JSON.stringify would see changes that are not. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export interface ConfigChange {
  version: number;
  oldValues: Record<string, unknown>;
  newValues: Record<string, unknown>;
}

/**
 * Replaces the stored config with `next(current)` under a row lock (concurrent writers from any process are
 * serialised), bumps the version and logs the fields that changed with their old and new values. A `next` that
 * changes nothing stores nothing (a retried request is a no-op). `next` may throw to abort.
 */
export async function updateStoredConfig(
  db: Db,
  next: (current: Record<string, unknown>) => Record<string, unknown>,
  source: string,
): Promise<{ config: Record<string, unknown>; change: ConfigChange | null }> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('strategy_engine.strategy_config').selectAll().where('id', '=', 1).forUpdate().executeTakeFirst();
    if (!row) throw new Error('strategy_config is empty: the config was never seeded');
    const updated = next(row.config);
    const oldValues: Record<string, unknown> = {};
    const newValues: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(row.config), ...Object.keys(updated)])) {
      if (canonical(row.config[key]) !== canonical(updated[key])) {
        oldValues[key] = row.config[key] ?? null;
        newValues[key] = updated[key] ?? null;
      }
    }
    if (Object.keys(newValues).length === 0) return { config: row.config, change: null };
    const version = row.version + 1;
    await trx
      .updateTable('strategy_engine.strategy_config')
      .set({ config: JSON.stringify(updated), version, source, updated_at: NOW })
      .where('id', '=', 1)
      .execute();
    await trx
      .insertInto('strategy_engine.config_change')
      .values({ version, source, old_values: JSON.stringify(oldValues), new_values: JSON.stringify(newValues) })
      .execute();
    return { config: updated, change: { version, oldValues, newValues } };
  });
}

/** Changes of the stored config, newest first. */
export async function listConfigChanges(db: Db, limit = 100): Promise<ConfigChangeRow[]> {
  return db.selectFrom('strategy_engine.config_change').selectAll().orderBy('version', 'desc').limit(limit).execute();
}
