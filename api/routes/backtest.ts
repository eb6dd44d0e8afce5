import express, { type RequestHandler } from 'express';
import { listBacktestRuns } from '../../db/queries/backtest-runs';
import { runBacktestForPair } from '../backtest-service';
import type { ApiContext } from '../context';
import { backtestHistoryQuerySchema, backtestRequestSchema, type BacktestHistoryResponse } from '../schemas';
import { parseOr400 } from '../validate';
import { mountRoutes } from './define';

/** Newest runs first; the history is a summary list, capped so one request stays small. */
export const BACKTEST_HISTORY_LIMIT = 500;

/** POST /backtest, GET /backtest/history. */
export function backtestRouter(ctx: ApiContext, prefix: string, writeGuard: RequestHandler[]): express.Router {
  const router = express.Router();
  mountRoutes(router, prefix, [
    {
      method: 'post',
      path: '/backtest',
      handlers: [
        ...writeGuard,
        async (req, res) => {
          const request = parseOr400(backtestRequestSchema, req.body, 'backtest request');
          const config = await ctx.config.get();
          res.json(await runBacktestForPair(ctx.db, config, request));
        },
      ],
    },
    {
      method: 'get',
      path: '/backtest/history',
      handlers: [
        async (req, res) => {
          const { pair_id } = parseOr400(backtestHistoryQuerySchema, req.query, 'query');
          const body: BacktestHistoryResponse = await listBacktestRuns(ctx.db, pair_id, BACKTEST_HISTORY_LIMIT);
          res.json(body);
        },
      ],
    },
  ]);
  return router;
}
