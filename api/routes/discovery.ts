import express, { type RequestHandler } from 'express';
import { listRegisteredPairs } from '../../db/queries/pair-retirement';
import { withTimeout, type ApiContext } from '../context';
import { HttpError } from '../errors';
import { emptyBodySchema } from '../schemas';
import { parseOr400 } from '../validate';
import { mountRoutes } from './define';

const START_TIMEOUT_MS = 10_000;

const iso = (value: unknown): string | null => (value == null ? null : new Date(value as Date).toISOString());

/**
 * POST /discovery/run: starts a discovery run now (the same workflow the weekly schedule runs); 202 with its
 * workflow id. GET /registry: every registered pair with its status (ACTIVE or RETIRED; a pair retiring once its
 * trade closes is still ACTIVE, with `retiring_reason`), retired pairs last.
 */
export function discoveryRouter(ctx: ApiContext, prefix: string, writeGuard: RequestHandler[]): express.Router {
  const router = express.Router();
  mountRoutes(router, prefix, [
    {
      method: 'post',
      path: '/discovery/run',
      handlers: [
        ...writeGuard,
        async (req, res) => {
          parseOr400(emptyBodySchema, req.body, 'body (this endpoint takes none)');
          let workflowId: string;
          try {
            workflowId = await withTimeout(ctx.control.runDiscovery(), START_TIMEOUT_MS, 'starting discovery');
          } catch (err) {
            throw new HttpError(503, 'Temporal unavailable', [`starting discovery failed: ${err instanceof Error ? err.message : String(err)}`]);
          }
          ctx.logger.info({ workflowId }, 'discovery started via API');
          res.status(202).json({ message: 'Discovery started', workflow_id: workflowId });
        },
      ],
    },
    {
      method: 'get',
      path: '/registry',
      handlers: [
        async (_req, res) => {
          const rows = await listRegisteredPairs(ctx.db);
          const pairs = rows.map((p) => ({
            id: p.id,
            name: `${p.symbol1}/${p.symbol2}`,
            status: p.status,
            is_active: p.is_active,
            cointegration_pvalue: p.cointegration_pvalue,
            half_life: p.half_life,
            correlation: p.correlation,
            score: p.score,
            retiring_reason: p.retire_pending_reason,
            retired_at: iso(p.retired_at),
            retire_reason: p.retire_reason,
            last_tested_at: iso(p.last_tested_at),
          }));
          pairs.sort((a, b) => Number(a.status === 'RETIRED') - Number(b.status === 'RETIRED') || a.id - b.id);
          res.json({ pairs });
        },
      ],
    },
  ]);
  return router;
}
