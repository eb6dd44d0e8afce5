import express, { type RequestHandler } from 'express';
import { updateStoredThresholds } from '../../config/config-store';
import { ConfigError } from '../../config/loader';
import { thresholdsOf } from '../../config/schema';
import { listConfigChanges } from '../../db/queries/strategy-config';
import type { ApiContext } from '../context';
import { badRequest } from '../errors';
import { mountRoutes } from './define';

const MAX_HISTORY = 1000;

function historyLimit(raw: unknown): number {
  if (raw === undefined) return 100;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(Number.isInteger(n) && n >= 1 && n <= MAX_HISTORY)) throw badRequest('Invalid query', [`limit: an integer 1..${MAX_HISTORY}`]);
  return n;
}

/**
 * GET /config: the five thresholds of the stored config (PostgreSQL, shared by the API and every worker; seeded
 * from config/pairs.yaml). POST /config: any non-empty subset of them, validated by the config's own schema
 * (unknown fields rejected, exit < entry < stop_loss after merging) and stored with its old and new values;
 * config/pairs.yaml is rewritten too (temp file + rename, comments kept) where it is writable. Nothing changes
 * when validation fails. GET /config/history: the changes, newest first.
 */
export function configRouter(ctx: ApiContext, prefix: string, writeGuard: RequestHandler[]): express.Router {
  const router = express.Router();
  mountRoutes(router, prefix, [
    {
      method: 'get',
      path: '/config',
      handlers: [
        async (_req, res) => {
          res.json(thresholdsOf(await ctx.config.get()));
        },
      ],
    },
    {
      method: 'post',
      path: '/config',
      handlers: [
        ...writeGuard,
        async (req, res) => {
          if (req.body === undefined) throw badRequest('Invalid config update', ['a JSON object body is required']);
          try {
            const updated = await updateStoredThresholds(ctx.db, req.body, { seedFile: ctx.config.path, source: 'api' });
            ctx.logger.info({ update: req.body, version: updated.version, file: updated.file }, 'strategy thresholds updated via API');
            res.json(updated.thresholds);
          } catch (err) {
            if (err instanceof ConfigError) throw badRequest('Invalid config update', err.details.slice(0, 20));
            throw err;
          }
        },
      ],
    },
    {
      method: 'get',
      path: '/config/history',
      handlers: [
        async (req, res) => {
          const limit = historyLimit(req.query.limit);
          const rows = await listConfigChanges(ctx.db, limit);
          res.json({
            changes: rows.map((r) => ({
              version: r.version,
              changed_at: new Date(r.changed_at as unknown as Date).toISOString(),
              source: r.source,
              old: r.old_values,
              new: r.new_values,
            })),
          });
        },
      ],
    },
  ]);
  return router;
}
