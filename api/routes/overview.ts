import express from 'express';
import { getStatusRow, listClosedTrades } from '../../db/queries/status-summary';
import { listActivePairsWithState, type ActivePairRow } from '../../db/queries/pair-views';
import type { ApiContext } from '../context';
import { isoUtc, money, pairName } from '../format';
import { computePerformance } from '../performance';
import type { ActiveResponse, StatusResponse } from '../schemas';
import { mountRoutes } from './define';
import { DAY_MS } from '../../strategy/time-units';

/** Unrealized P&L of a position-holding trade at the pair's latest spread prices; 0 otherwise. */
function unrealizedPnl(row: ActivePairRow): number {
  if (row.trade_status !== 'OPEN' && row.trade_status !== 'CLOSING' && row.trade_status !== 'NEEDS_ATTENTION') return 0;
  const { qty1, qty2, entry_price1, entry_price2, price1, price2 } = row;
  if (qty1 === null || qty2 === null || entry_price1 === null || entry_price2 === null || price1 === null || price2 === null) return 0;
  const direction = row.side === 'LONG_SPREAD' ? 1 : -1;
  return money(direction * (qty1 * (price1 - entry_price1) - qty2 * (price2 - entry_price2)));
}

async function statusBody(ctx: ApiContext): Promise<string> {
  const row = await getStatusRow(ctx.db);
  const body: StatusResponse = {
    is_active: row.is_active,
    total_pairs: row.total_pairs,
    active_pairs: row.active_pairs,
    total_pnl: money(row.total_pnl),
    last_update: isoUtc(row.last_update),
    needs_attention: row.needs_attention,
  };
  return JSON.stringify(body);
}

async function activeBody(ctx: ApiContext): Promise<string> {
  const [rows, now] = await Promise.all([listActivePairsWithState(ctx.db), ctx.marketNow()]);
  const body: ActiveResponse = {
    pairs: rows.map((row) => ({
      id: row.id,
      name: pairName(row),
      status: row.trade_status ?? 'FLAT',
      attention_reason: row.attention_reason,
      z_score: row.z_score,
      pnl: unrealizedPnl(row),
      correlation: row.correlation,
      days_held: row.entry_time && row.trade_status !== null ? Math.max(0, Math.floor((now - new Date(row.entry_time).getTime()) / DAY_MS)) : 0,
    })),
  };
  return JSON.stringify(body);
}

async function performanceBody(ctx: ApiContext): Promise<string> {
  return JSON.stringify(computePerformance(await listClosedTrades(ctx.db), ctx.startingEquity));
}

/** GET /status, /active, /performance: strategy-wide summaries (served through ctx.reads). */
export function overviewRouter(ctx: ApiContext, prefix: string): express.Router {
  const router = express.Router();
  const serve =
    (key: string, compute: (c: ApiContext) => Promise<string>): express.RequestHandler =>
    async (_req, res) => {
      res.type('json').send(await ctx.reads.run(key, () => compute(ctx)));
    };
  mountRoutes(router, prefix, [
    { method: 'get', path: '/status', handlers: [serve('status', statusBody)] },
    { method: 'get', path: '/active', handlers: [serve('active', activeBody)] },
    { method: 'get', path: '/performance', handlers: [serve('performance', performanceBody)] },
  ]);
  return router;
}
