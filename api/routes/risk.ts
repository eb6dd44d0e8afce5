import express, { type RequestHandler } from 'express';
import { loadStoredConfig } from '../../config/config-store';
import { ConfigError, validateConfig } from '../../config/loader';
import { riskUpdateSchema } from '../../config/risk-schema';
import { equityReferences, listEquitySnapshots } from '../../db/queries/equity';
import { closedPnlsSince, getRiskState, listRefusals, resetKelly } from '../../db/queries/risk';
import { updateStoredConfig } from '../../db/queries/strategy-config';
import { assessAccount } from '../../strategy/risk/account-limits';
import { equityStats } from '../../strategy/risk/equity-series';
import { kellyEdge } from '../../strategy/risk/kelly-edge';
import { DAY_MS } from '../../strategy/time-units';
import type { ApiContext } from '../context';
import { badRequest } from '../errors';
import { isoUtc, money } from '../format';
import type { EquityCurveResponse, RiskResponse } from '../risk-schemas';
import { emptyBodySchema } from '../schemas';
import { parseOr400 } from '../validate';
import { mountRoutes } from './define';

const REFUSALS_SHOWN = 50;

async function riskBody(ctx: ApiContext): Promise<RiskResponse> {
  const config = await ctx.config.get();
  const [state, refusals, latest] = await Promise.all([getRiskState(ctx.db), listRefusals(ctx.db, REFUSALS_SHOWN), listEquitySnapshots(ctx.db, 1)]);
  const kelly = kellyEdge(config.risk, await closedPnlsSince(ctx.db, state.kelly_reset_at));
  let account: RiskResponse['account'] = null;
  const last = latest[0];
  if (last) {
    const tsMs = new Date(last.ts).getTime();
    const refs = await equityReferences(ctx.db, new Date(Math.floor(tsMs / DAY_MS) * DAY_MS), state.baseline_reset_at);
    const a = assessAccount(config.risk, { equity: last.equity, dayStartEquity: refs.dayStart ?? last.equity, peakEquity: refs.peak ?? last.equity });
    account = {
      at: isoUtc(last.ts)!,
      equity: money(last.equity),
      buying_power: money(last.buying_power),
      gross_exposure: money(last.gross_exposure),
      gross_exposure_pct: last.equity > 0 ? (last.gross_exposure / last.equity) * 100 : 0,
      daily_loss_pct: a.dailyLossPct,
      drawdown_pct: a.drawdownPct,
    };
  }
  return {
    limits: config.risk,
    state: {
      trading_state: state.trading_state,
      reason: state.reason,
      rule: state.rule,
      changed_by: state.changed_by,
      since: isoUtc(state.changed_at as unknown as Date)!,
      baseline_reset_at: isoUtc(state.baseline_reset_at),
      kelly_reset_at: isoUtc(state.kelly_reset_at),
    },
    kelly: {
      phase: kelly.phase,
      kelly_fraction: kelly.kellyFraction,
      window_trades: kelly.stats.count,
      no_edge: kelly.noEdge ? (kelly.refusal ?? 'no edge: sizing at bootstrap') : null,
    },
    account,
    refusals: refusals.map((r) => ({
      signal_id: r.signal_id,
      pair_id: r.pair_id,
      timestamp: isoUtc(r.ts)!,
      type: r.type,
      rule: r.risk_rule,
      detail: r.risk_detail,
    })),
  };
}

async function equityBody(ctx: ApiContext): Promise<EquityCurveResponse> {
  const rows = await listEquitySnapshots(ctx.db);
  const stats = equityStats(rows.map((r) => ({ tsMs: new Date(r.ts).getTime(), equity: r.equity })));
  return {
    points: rows.map((r, i) => ({
      timestamp: new Date(r.ts).getTime(),
      equity: money(r.equity),
      drawdown_pct: stats.drawdown[i].drawdownPct,
      realized_pnl: money(r.realized_pnl),
      unrealized_pnl: money(r.unrealized_pnl),
    })),
    max_drawdown: stats.maxDrawdownPct,
    sharpe_ratio: stats.sharpe,
  };
}

/**
 * GET /risk: limits, trading state, Kelly's verdict, the latest account snapshot and refused entries. POST /risk: any
 * non-empty subset of the limits, validated by the config's schema and stored (logged in /config/history like any
 * change; config/pairs.yaml only seeds them). POST /risk/kelly-reset: Kelly counts only trades closed from now on
 * (bootstrap sizing until 20 have), the way back from "no edge". GET /risk/equity: the equity series with drawdown.
 */
export function riskRouter(ctx: ApiContext, prefix: string, writeGuard: RequestHandler[]): express.Router {
  const router = express.Router();
  const update: RequestHandler = async (req, res) => {
    const body = parseOr400(riskUpdateSchema, req.body ?? null, 'risk update');
    await loadStoredConfig(ctx.db, ctx.config.path);
    let config: Record<string, unknown>;
    try {
      ({ config } = await updateStoredConfig(
        ctx.db,
        (current) => {
          const merged = { ...current, risk: { ...validateConfig(current, 'the stored config').risk, ...body } };
          return validateConfig(merged, 'the updated config');
        },
        'api:risk',
      ));
    } catch (err) {
      if (err instanceof ConfigError) throw badRequest('Invalid risk update', err.details.slice(0, 20));
      throw err;
    }
    ctx.logger.info({ update: body }, 'risk limits updated via API');
    res.json(validateConfig(config, 'the stored config').risk);
  };
  const kellyReset: RequestHandler = async (req, res) => {
    parseOr400(emptyBodySchema, req.body, 'body (this endpoint takes none)');
    const at = await resetKelly(ctx.db);
    ctx.logger.warn({ at }, 'Kelly sizing reset to bootstrap via API');
    res.json({ message: 'Kelly sizing reset: bootstrap sizing until 20 trades close', kelly_reset_at: isoUtc(at)! });
  };
  mountRoutes(router, prefix, [
    { method: 'get', path: '/risk', handlers: [async (_req, res) => void res.json(await riskBody(ctx))] },
    { method: 'post', path: '/risk', handlers: [...writeGuard, update] },
    { method: 'post', path: '/risk/kelly-reset', handlers: [...writeGuard, kellyReset] },
    { method: 'get', path: '/risk/equity', handlers: [async (_req, res) => void res.json(await equityBody(ctx))] },
  ]);
  return router;
}
