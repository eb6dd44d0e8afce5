import express, { type RequestHandler } from 'express';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { getPairDetailsRow, getPairThresholds, getLiveTrade, spreadHistoryJson } from '../../db/queries/pair-views';
import { getPair } from '../../db/queries/pairs';
import type { TradeState } from '../../workflows/contracts/pair-trade';
import { withTimeout, type ApiContext } from '../context';
import { TradeNotOpenError, type CloseOutcome } from '../strategy-control';
import { conflict, HttpError, notFound } from '../errors';
import { isoUtc, pairName } from '../format';
import { historyQuerySchema, pairIdParamsSchema, type DetailsResponse, type LiveTrade } from '../schemas';
import { parseOr400 } from '../validate';
import { pairMarketData } from '../pair-market-data';
import { mountRoutes } from './define';

const DEFAULT_HISTORY_DAYS = 30;
/** POST /{id}/close answers within this (issue 10): the spec's answer if the close completed, else 202. */
const CLOSE_ANSWER_MS = 2_000;

const pairIdOf = (params: unknown): number => parseOr400(pairIdParamsSchema, params, 'pair id').pair_id;
const unknownPair = (id: number) => notFound('Pair not found', [`no pair with id ${id}`]);

function liveView(state: TradeState): LiveTrade {
  const tagged = [...state.entryLegs.map((l) => ({ phase: 'entry' as const, l })), ...state.exitLegs.map((l) => ({ phase: 'exit' as const, l }))];
  const legs = tagged.map(({ phase, l }) => ({
    phase,
    leg: l.leg,
    symbol: l.symbol,
    side: l.side,
    qty: l.qty,
    filled_qty: l.filledQty,
    avg_price: l.avgPrice,
    status: l.status,
  }));
  return {
    status: state.status,
    exit_reason: state.exitReason,
    attention_reason: state.status === 'NEEDS_ATTENTION' ? state.failureReason : null,
    pnl: state.pnl,
    legs,
  };
}

/** GET /{pair_id}/history, GET /{pair_id}/details, POST /{pair_id}/close. */
export function pairsRouter(ctx: ApiContext, prefix: string, writeGuard: RequestHandler[]): express.Router {
  const router = express.Router();
  mountRoutes(router, prefix, [
    {
      method: 'get',
      path: '/:pair_id/history',
      handlers: [
        async (req, res) => {
          const pairId = pairIdOf(req.params);
          const days = parseOr400(historyQuerySchema, req.query, 'query').days ?? DEFAULT_HISTORY_DAYS;
          res.type('json').send(
            await ctx.reads.run(`history:${pairId}:${days}`, async () => {
              const [pair, config, history] = await Promise.all([
                getPairThresholds(ctx.db, pairId),
                ctx.config.get(),
                spreadHistoryJson(ctx.db, pairId, days),
              ]);
              if (!pair) throw unknownPair(pairId);
              const entry = pair.entry_threshold ?? config.entry_threshold;
              const exit = pair.exit_threshold ?? config.exit_threshold;
              // Same shape as HistoryResponse; the history array arrives as JSON text from PostgreSQL.
              return `{"history":${history},"entry_threshold":${JSON.stringify(entry)},"exit_threshold":${JSON.stringify(exit)}}`;
            }),
          );
        },
      ],
    },
    {
      method: 'get',
      path: '/:pair_id/details',
      handlers: [
        async (req, res) => {
          const pairId = pairIdOf(req.params);
          const row = await getPairDetailsRow(ctx.db, pairId);
          if (!row) throw unknownPair(pairId);
          let live: LiveTrade | null = null;
          if (row.workflow_id) {
            try {
              live = liveView(await withTimeout(ctx.control.queryTradeState(row.workflow_id), ctx.liveQueryTimeoutMs, 'trade state query'));
            } catch (err) {
              ctx.logger.debug({ err, workflowId: row.workflow_id }, 'trade state query failed; answering from the database');
            }
          }
          const md = await pairMarketData(ctx, pairId, row.trade_id);
          const body: DetailsResponse = {
            hedge_ratio: row.hedge_ratio,
            half_life: row.half_life,
            cointegration_pvalue: row.cointegration_pvalue,
            correlation: row.correlation,
            open_trade:
              row.trade_id === null || row.side === null
                ? null
                : {
                    id: row.trade_id,
                    side: row.side,
                    entry_time: isoUtc(row.entry_time),
                    entry_z_score: row.entry_z_score,
                    qty1: row.qty1,
                    qty2: row.qty2,
                    entry_price1: row.entry_price1,
                    entry_price2: row.entry_price2,
                    entry_stats: md.entry_stats,
                  },
            last_signal:
              row.signal_type === null || row.signal_ts === null
                ? null
                : {
                    type: row.signal_type,
                    z_score: row.signal_z_score,
                    timestamp: isoUtc(row.signal_ts)!,
                  },
            live,
            market_data: md.market_data,
          };
          res.json(body);
        },
      ],
    },
    {
      method: 'post',
      path: '/:pair_id/close',
      handlers: [
        ...writeGuard,
        async (req, res) => {
          const pairId = pairIdOf(req.params);
          const pair = await getPair(ctx.db, pairId);
          if (!pair) throw unknownPair(pairId);
          const name = pairName(pair);
          const trade = await getLiveTrade(ctx.db, pairId);
          if (!trade) throw conflict('No open trade', [`pair ${name} has no open trade to close`]);
          if (!trade.workflow_id) throw conflict('No open trade', [`trade ${trade.id} of ${name} has no workflow to close it`]);
          let outcome: CloseOutcome;
          try {
            // At most CLOSE_ANSWER_MS: a close that needs the market to open (or a trade needing attention) answers 202.
            outcome = ctx.control.requestClose
              ? await ctx.control.requestClose(trade.workflow_id, 'api', CLOSE_ANSWER_MS)
              : { done: true, result: await ctx.control.closeTrade(trade.workflow_id, 'api') };
          } catch (err) {
            if (err instanceof TradeNotOpenError) throw conflict('No open trade', [`trade ${trade.id} of ${name}: ${err.message}`]);
            if (err instanceof WorkflowNotFoundError) {
              throw conflict('No open trade', [`the workflow of trade ${trade.id} (${trade.workflow_id}) is not running`]);
            }
            if (err instanceof WorkflowUpdateFailedError) {
              throw conflict('Close rejected', [`trade ${trade.id} of ${name}: ${err.cause?.message ?? err.message}`]);
            }
            throw new HttpError(503, 'Temporal unavailable', [`closing trade ${trade.id} of ${name} failed: ${(err as Error).message}`]);
          }
          if (!outcome.done) {
            const state = outcome.state;
            res.status(202).json({
              message: `Close of pair ${name} requested; not complete yet`,
              trade_id: trade.id,
              status: state?.status ?? trade.status,
              attention_reason: state?.status === 'NEEDS_ATTENTION' ? state.failureReason : null,
              live: state ? liveView(state) : null,
            });
            return;
          }
          const result = outcome.result;
          if (result.status !== 'CLOSED') {
            throw new HttpError(502, 'Close failed', [`trade ${result.tradeId} of ${name} ended ${result.status}`]);
          }
          res.json({ message: `Pair ${name} closed successfully` });
        },
      ],
    },
  ]);
  return router;
}
