import express, { type RequestHandler } from 'express';
import { getRiskState, setTradingState } from '../../db/queries/risk';
import { countLiveTrades } from '../../db/queries/pair-views';
import { listLiveTrades } from '../../db/queries/trades';
import { withTimeout, type ApiContext } from '../context';
import { HttpError } from '../errors';
import { emptyBodySchema, symbolParamsSchema, type FlattenSymbolResponse } from '../schemas';
import { TradeNotOpenError } from '../strategy-control';
import { parseOr400 } from '../validate';
import { mountRoutes } from './define';

/** The emergency-stop workflow waits up to 2 minutes for the trades to close. */
const EMERGENCY_STOP_TIMEOUT_MS = 150_000;
/** How long the flatten endpoint waits on each trade's close before reporting it as closing. */
const FLATTEN_WAIT_MS = 300;
/** Temporal's client retries an unreachable server for a while; answer sooner than that. */
const SCHEDULE_TIMEOUT_MS = 10_000;

function temporalUnavailable(what: string, err: unknown): HttpError {
  return new HttpError(503, 'Temporal unavailable', [`${what}: ${err instanceof Error ? err.message : String(err)}`]);
}

/**
 * POST /start: trading state ACTIVE (strategy_state.is_active true; the daily-loss and drawdown references re-based
 * on the latest equity snapshot) and the cycle schedule unpaused (if Temporal refuses, the previous state is put back
 * and the answer is 503). POST /stop: REDUCING (is_active false), which blocks new entries; the schedule is paused only when no trade is live, because open trades get
 * their exit signals (EXIT, STOP_LOSS) from the cycle and must keep being managed. If pausing fails the flag
 * still applies (stopping must work while Temporal is down). A schedule that is not deployed yet is not an
 * error. POST /emergency-stop runs the emergency-stop workflow (HALTED, every live trade closed at market).
 */
export function controlRouter(ctx: ApiContext, prefix: string, writeGuard: RequestHandler[]): express.Router {
  const router = express.Router();
  const start: RequestHandler = async (req, res) => {
    parseOr400(emptyBodySchema, req.body, 'body (this endpoint takes none)');
    const before = await getRiskState(ctx.db);
    await setTradingState(ctx.db, { state: 'ACTIVE', reason: 'started via API', rule: null, changedBy: 'api', rebase: true });
    let schedule;
    try {
      schedule = await withTimeout(ctx.control.setSchedulePaused(false, 'started via API'), SCHEDULE_TIMEOUT_MS, 'unpause');
    } catch (err) {
      await setTradingState(ctx.db, { state: before.trading_state, reason: before.reason, rule: before.rule, changedBy: before.changed_by });
      throw temporalUnavailable('unpausing the cycle schedule failed', err);
    }
    ctx.logger.info({ schedule, from: before.trading_state }, 'strategy started via API');
    res.json({ message: 'Strategy started' });
  };
  const stop: RequestHandler = async (req, res) => {
    parseOr400(emptyBodySchema, req.body, 'body (this endpoint takes none)');
    // REDUCING: no entries, exits and stops continue. A HALTED strategy stays HALTED.
    await setTradingState(
      ctx.db,
      { state: 'REDUCING', reason: 'stopped via API: no new entries; exits and stops continue', rule: null, changedBy: 'api' },
      ['ACTIVE', 'REDUCING'],
    );
    const live = await countLiveTrades(ctx.db);
    let schedule: string = 'left running: open trades are still managed by the cycle';
    if (live === 0) {
      try {
        schedule = await withTimeout(ctx.control.setSchedulePaused(true, 'stopped via API'), SCHEDULE_TIMEOUT_MS, 'pause');
      } catch (err) {
        schedule = 'pause failed';
        ctx.logger.warn({ err }, 'strategy stopped (entries blocked) but pausing the cycle schedule failed');
      }
    }
    ctx.logger.info({ schedule, liveTrades: live }, 'strategy stopped via API');
    res.json({ message: 'Strategy stopped' });
  };

  /**
   * POST /symbols/{symbol}/flatten: the operator's way to take one symbol flat. Every live trade with a leg in the
   * symbol is told to close (the close update; a trade needing attention retries at once); each closes both its
   * legs through the symbols' order lanes, so every share stays attributed to its trade. Answers 202 at once.
   */
  const flattenSymbol: RequestHandler = async (req, res) => {
    parseOr400(emptyBodySchema, req.body, 'body (this endpoint takes none)');
    const { symbol } = parseOr400(symbolParamsSchema, req.params, 'symbol');
    if (!ctx.control.requestClose) throw new HttpError(503, 'Temporal unavailable', ['this API cannot request closes']);
    const trades = (await listLiveTrades(ctx.db)).filter((t) => t.symbol1 === symbol || t.symbol2 === symbol);
    const body: FlattenSymbolResponse = { message: `${trades.length} trade(s) holding ${symbol} told to close`, symbol, trades: [] };
    for (const t of trades) {
      let outcome: FlattenSymbolResponse['trades'][number]['outcome'] = 'refused';
      let detail: string | null = null;
      if (!t.workflow_id) detail = 'no workflow';
      else {
        try {
          const result = await ctx.control.requestClose(t.workflow_id, 'api:flatten-symbol', FLATTEN_WAIT_MS);
          outcome = result.done && result.result.status === 'CLOSED' ? 'closed' : 'closing';
          detail = result.done ? null : (result.state?.failureReason ?? null);
        } catch (err) {
          if (!(err instanceof TradeNotOpenError)) throw temporalUnavailable(`closing trade ${t.id}`, err);
          detail = err.message;
        }
      }
      body.trades.push({ trade_id: t.id, pair_id: t.pair_id, status: t.status, outcome, detail });
    }
    ctx.logger.warn({ symbol, trades: body.trades }, 'symbol flatten requested via API');
    res.status(202).json(body);
  };

  mountRoutes(router, prefix, [
    { method: 'post', path: '/symbols/:symbol/flatten', handlers: [...writeGuard, flattenSymbol] },
    { method: 'post', path: '/start', handlers: [...writeGuard, start] },
    { method: 'post', path: '/stop', handlers: [...writeGuard, stop] },
    {
      method: 'post',
      path: '/emergency-stop',
      handlers: [
        ...writeGuard,
        async (req, res) => {
          parseOr400(emptyBodySchema, req.body, 'body (this endpoint takes none)');
          let closed: number;
          try {
            closed = await withTimeout(ctx.control.emergencyStop(), EMERGENCY_STOP_TIMEOUT_MS, 'emergency stop');
          } catch (err) {
            throw temporalUnavailable('emergency stop failed', err);
          }
          ctx.logger.warn({ closed }, 'emergency stop executed via API');
          res.json({ message: `Emergency stop executed for ${closed} pairs` });
        },
      ],
    },
  ]);
  return router;
}
