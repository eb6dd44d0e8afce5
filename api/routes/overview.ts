import express from 'express';
import { getStatusRow, listClosedTrades } from '../../db/queries/status-summary';
import { listActivePairsWithState, type ActivePairRow } from '../../db/queries/pair-views';
import type { ApiContext } from '../context';
import { isoUtc, money, pairName } from '../format';
import { computePerformance } from '../performance';
import type { ActiveResponse, StatusResponse } from '../schemas';
import { mountRoutes } from './define';
import { DAY_MS } from '../../strategy/time-units';
import { listEquitySnapshots, realizedPnl } from '../../db/queries/equity';
import { closedPnlsSince, getRiskState } from '../../db/queries/risk';
import { equityStats } from '../../strategy/risk/equity-series';
import { kellyEdge } from '../../strategy/risk/kelly-edge';

/** Unrealized P&L of a position-holding trade at the pair's latest spread prices; 0 otherwise. */
function unrealizedPnl(row: ActivePairRow): number {
  if (row.trade_status !== 'OPEN' && row.trade_status !== 'CLOSING' && row.trade_status !== 'NEEDS_ATTENTION') return 0;
  const { qty1, qty2, entry_price1, entry_price2, price1, price2 } = row;
  if (qty1 === null || qty2 === null || entry_price1 === null || entry_price2 === null || price1 === null || price2 === null) return 0;
  const direction = row.side === 'LONG_SPREAD' ? 1 : -1;
  return money(direction * (qty1 * (price1 - entry_price1) - qty2 * (price2 - entry_price2)));
}

async function statusBody(ctx: ApiContext): Promise<string> {
  const [row, pairs, noEdge] = await Promise.all([getStatusRow(ctx.db), listActivePairsWithState(ctx.db), noEdgeReason(ctx)]);
  const realized = money(row.total_pnl - row.failed_entry_cost);
  const body: StatusResponse = {
    is_active: row.is_active,
    total_pairs: row.total_pairs,
    active_pairs: row.active_pairs,
    total_pnl: realized,
    last_update: isoUtc(row.last_update),
    needs_attention: row.needs_attention,
    trading_state: row.trading_state as StatusResponse['trading_state'],
    trading_state_reason: row.trading_state_reason,
    trading_state_since: isoUtc(row.trading_state_since),
    realized_pnl: realized,
    unrealized_pnl: money(pairs.reduce((sum, p) => sum + unrealizedPnl(p), 0)),
    no_edge: noEdge,
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

/**
 * Over closed trades, with what failed entries cost in total_pnl; once the cycle has snapshotted the broker's equity
 * at least twice, drawdown and Sharpe come from that series (marked to market, costs and all).
 */
async function performanceBody(ctx: ApiContext): Promise<string> {
  const [trades, snapshots, realized] = await Promise.all([listClosedTrades(ctx.db), listEquitySnapshots(ctx.db), realizedPnl(ctx.db)]);
  const body = computePerformance(trades, ctx.startingEquity);
  body.total_pnl = money(realized.closed - realized.failedEntryCost);
  if (snapshots.length >= 2) {
    const stats = equityStats(snapshots.map((r) => ({ tsMs: new Date(r.ts).getTime(), equity: r.equity })));
    body.max_drawdown = stats.maxDrawdownPct;
    body.sharpe_ratio = stats.sharpe;
  }
  return JSON.stringify(body);
}

/** "no edge: ..." while Kelly over its window stops entries, else null. */
async function noEdgeReason(ctx: ApiContext): Promise<string | null> {
  const [config, state] = await Promise.all([ctx.config.get(), getRiskState(ctx.db)]);
  return kellyEdge(config.risk, await closedPnlsSince(ctx.db, state.kelly_reset_at)).refusal;
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
