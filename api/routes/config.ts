import express, { type RequestHandler } from 'express';
import { ConfigError, updateThresholds } from '../../config/loader';
import { thresholdsOf } from '../../config/schema';
import type { ApiContext } from '../context';
import { badRequest } from '../errors';
import { mountRoutes } from './define';

/**
 * GET /config: the five thresholds of config/pairs.yaml. POST /config: any non-empty subset of them, validated
 * by the config's own schema (unknown fields rejected, exit < entry < stop_loss after merging) and written
 * atomically (temp file + rename, comments kept); nothing is written when validation fails.
 */
export function configRouter(ctx: ApiContext, prefix: string, writeGuard: RequestHandler[]): express.Router {
  const router = express.Router();
  mountRoutes(router, prefix, [
    {
      method: 'get', path: '/config', handlers: [async (_req, res) => {
        res.json(thresholdsOf(await ctx.config.get()));
      }],
    },
    {
      method: 'post', path: '/config', handlers: [...writeGuard, async (req, res) => {
        if (req.body === undefined) throw badRequest('Invalid config update', ['a JSON object body is required']);
        try {
          const updated = await updateThresholds(req.body, ctx.config.path);
          ctx.config.invalidate();
          ctx.logger.info({ update: req.body }, 'strategy thresholds updated via API');
          res.json(updated);
        } catch (err) {
          if (err instanceof ConfigError) throw badRequest('Invalid config update', err.details.slice(0, 20));
          throw err;
        }
      }],
    },
  ]);
  return router;
}
