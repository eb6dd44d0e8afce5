import express, { type RequestHandler } from 'express';
import { getWalkForwardRun, listWalkForwardRuns } from '../../db/queries/walkforward-runs';
import type { ApiContext } from '../context';
import { notFound } from '../errors';
import { parseOr400 } from '../validate';
import { runWalkForwardOnStoredBars } from '../walkforward-service';
import { walkforwardRequestSchema, walkforwardRunParamsSchema } from '../walkforward-schemas';
import { mountRoutes } from './define';

/** Newest runs first, capped so one request stays small. */
export const WALKFORWARD_HISTORY_LIMIT = 200;

/** POST /walkforward, GET /walkforward/history, GET /walkforward/{run_id}. */
export function walkforwardRouter(ctx: ApiContext, prefix: string, writeGuard: RequestHandler[]): express.Router {
  const router = express.Router();
  mountRoutes(router, prefix, [
    {
      method: 'post',
      path: '/walkforward',
      handlers: [
        ...writeGuard,
        async (req, res) => {
          const request = parseOr400(walkforwardRequestSchema, req.body ?? {}, 'walk-forward request');
          res.json(await runWalkForwardOnStoredBars(ctx.db, await ctx.config.get(), request));
        },
      ],
    },
    {
      method: 'get',
      path: '/walkforward/history',
      handlers: [
        async (_req, res) => {
          res.json(await listWalkForwardRuns(ctx.db, WALKFORWARD_HISTORY_LIMIT));
        },
      ],
    },
    {
      method: 'get',
      path: '/walkforward/:run_id',
      handlers: [
        async (req, res) => {
          const { run_id } = parseOr400(walkforwardRunParamsSchema, req.params, 'path');
          const run = await getWalkForwardRun(ctx.db, run_id);
          if (!run) throw notFound('Walk-forward run not found', [`no walk-forward run with id ${run_id}`]);
          res.json(run);
        },
      ],
    },
  ]);
  return router;
}
