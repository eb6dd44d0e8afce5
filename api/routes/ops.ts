import express from 'express';
import { sql } from 'kysely';
import type { Client } from '@temporalio/client';
import type { Broker } from '../../broker/types';
import { withTimeout, type ApiContext } from '../context';
import type { ApiMetrics } from '../metrics';
import { mountRoutes } from './define';

export const READY_CHECK_TIMEOUT_MS = 2000;

export interface ReadinessDeps {
  client: Client;
  broker: Broker;
}

/** /healthz (the process answers), /readyz (database, Temporal and broker each answer within 2 s), /metrics. */
export function opsRouter(ctx: ApiContext, deps: ReadinessDeps, metrics: ApiMetrics): express.Router {
  const router = express.Router();
  const checks: Record<string, () => Promise<unknown>> = {
    database: () => sql`SELECT 1`.execute(ctx.db),
    temporal: () => deps.client.workflowService.getSystemInfo({}),
    broker: () => deps.broker.getClock(),
  };
  mountRoutes(router, '', [
    {
      method: 'get',
      path: '/healthz',
      handlers: [
        (_req, res) => {
          res.json({ status: 'ok' });
        },
      ],
    },
    {
      method: 'get',
      path: '/readyz',
      handlers: [
        async (_req, res) => {
          const results = await Promise.all(
            Object.entries(checks).map(async ([name, check]) => {
              const started = performance.now();
              try {
                await withTimeout(check(), READY_CHECK_TIMEOUT_MS, name);
                return [name, { ok: true, ms: Math.round(performance.now() - started) }] as const;
              } catch (err) {
                const error = (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 300);
                return [name, { ok: false, error, ms: Math.round(performance.now() - started) }] as const;
              }
            }),
          );
          const ready = results.every(([, r]) => r.ok);
          const byName: Record<string, (typeof results)[number][1]> = {};
          for (const [name, result] of results) byName[name] = result;
          res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks: byName });
        },
      ],
    },
    { method: 'get', path: '/metrics', handlers: [metrics.handler] },
  ]);
  return router;
}
