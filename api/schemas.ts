import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { thresholdsSchema } from '../config/schema';

extendZodWithOpenApi(z);

/** Request and response shapes of the pairs API (the spec's contract); also the source of openapi.json. */

export const MAX_INT4 = 2_147_483_647;

export const errorSchema = z
  .object({
    error: z.string(),
    details: z.array(z.string()),
  })
  .openapi('Error');

export const messageSchema = z.object({ message: z.string() }).openapi('Message');

/** ISO 8601 with an explicit +00:00 offset, as the spec writes it. */
const isoTime = z.string().openapi({ example: '2026-03-28T14:00:00+00:00' });
const tradeSide = z.enum(['LONG_SPREAD', 'SHORT_SPREAD']);

export const pairIdParamsSchema = z.strictObject({
  pair_id: z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, 'pair_id must be a positive integer')
    .transform(Number)
    .refine((n) => n <= MAX_INT4, `pair_id must be <= ${MAX_INT4}`)
    .openapi({ param: { name: 'pair_id', in: 'path' }, example: '1' }),
});

const intString = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,10}$/, `${name} must be an integer`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`);

export const historyQuerySchema = z.object({
  days: intString('days', 1, 3650)
    .optional()
    .openapi({ param: { name: 'days', in: 'query' }, description: 'Days of history (default 30, 1..3650)', example: '30' }),
});

export const backtestHistoryQuerySchema = z.object({
  pair_id: intString('pair_id', 1, MAX_INT4)
    .optional()
    .openapi({ param: { name: 'pair_id', in: 'query' }, description: 'Only runs of this pair' }),
});

export const statusSchema = z
  .object({
    is_active: z.boolean(),
    total_pairs: z.number().int(),
    active_pairs: z.number().int().openapi({ description: 'Pairs holding a position (trade OPEN, CLOSING or NEEDS_ATTENTION)' }),
    needs_attention: z
      .array(
        z.object({
          trade_id: z.number().int(),
          pair_id: z.number().int(),
          reason: z.string().nullable(),
          since: isoTime.nullable(),
        }),
      )
      .openapi({ description: 'Trades whose exit or compensation could not complete yet (still retrying until flat)' }),
    total_pnl: z.number().openapi({ description: 'Realized P&L, dollars: closed trades minus what failed entries cost (unrealized not included)' }),
    last_update: isoTime.nullable(),
    trading_state: z.enum(['ACTIVE', 'REDUCING', 'HALTED']).openapi({ description: 'REDUCING and HALTED take no entries; exits and stops continue' }),
    trading_state_reason: z.string(),
    trading_state_since: isoTime.nullable(),
    realized_pnl: z.number().openapi({ description: 'Same as total_pnl' }),
    unrealized_pnl: z.number().openapi({ description: "Open trades marked at their pair's latest prices, dollars" }),
    no_edge: z.string().nullable().openapi({ description: 'Why entries stopped when Kelly over its window says there is no edge, else null' }),
  })
  .openapi('Status');

export const activePairSchema = z
  .object({
    id: z.number().int(),
    name: z.string().openapi({ example: 'QRVO/SWKS' }),
    status: z.enum(['OPEN', 'PENDING', 'CLOSING', 'NEEDS_ATTENTION', 'FLAT']).openapi({
      description:
        'Live trade status, FLAT when the pair holds no trade; NEEDS_ATTENTION: an exit or compensation that has not completed yet (still retrying)',
    }),
    attention_reason: z.string().nullable().openapi({ description: 'Why the trade needs attention, else null' }),
    z_score: z.number().nullable().openapi({ description: 'Latest z-score in pair_spread (null before the first cycle)' }),
    pnl: z.number().openapi({ description: 'Unrealized P&L of the live trade at the latest spread prices, dollars; 0 when FLAT' }),
    correlation: z.number(),
    days_held: z
      .number()
      .int()
      .openapi({ description: "Whole days since the live trade entered, on the broker's clock (simulated time under the simulator); 0 when FLAT" }),
  })
  .openapi('ActivePair');

export const activeSchema = z.object({ pairs: z.array(activePairSchema) }).openapi('ActivePairs');

export const performanceSchema = z
  .object({
    total_pnl: z.number().openapi({ description: 'Realized P&L of closed trades minus what failed entries cost' }),
    sharpe_ratio: z.number().openapi({
      description:
        'Daily returns of the equity series snapshotted from the broker each cycle, mean / sample std x sqrt(252) (before two snapshots: daily realized P&L)',
    }),
    max_drawdown: z.number().openapi({
      description:
        'Largest peak-to-trough fall of the broker equity series, PERCENT (before two snapshots: starting equity + cumulative realized P&L)',
    }),
    win_rate: z.number().openapi({ description: 'Fraction of closed trades with P&L > 0' }),
    avg_hold_time: z.number().openapi({ description: 'Mean hold time of closed trades, hours' }),
  })
  .openapi('Performance');

export const historySchema = z
  .object({
    history: z.array(
      z.object({
        timestamp: z.number().int().openapi({ description: 'Bar time, epoch milliseconds' }),
        z_score: z.number(),
        spread: z.number(),
      }),
    ),
    entry_threshold: z.number(),
    exit_threshold: z.number(),
  })
  .openapi('ZScoreHistory');

export const entryStatsSchema = z
  .object({
    hedge_ratio: z.number(),
    half_life: z.number().nullable().openapi({ description: 'In hourly session bars (= regular-session hours for EXPIRE)' }),
    spread_mean: z.number().nullable(),
    spread_std: z.number().nullable(),
  })
  .openapi('EntryStats');

export const marketDataSchema = z
  .object({
    latest_bar: isoTime.nullable().openapi({ description: 'Latest bar both symbols have in the store' }),
    bar_age_hours: z.number().nullable().openapi({ description: "Age of that bar on the broker's clock" }),
    max_bar_age_hours: z.number(),
    stale: z.boolean().openapi({
      description: 'Latest bar older than max_bar_age_hours: no entries; an open trade still stops on latest trade prices and expires on hold time',
    }),
    trade_issue: z.string().nullable().openapi({ description: "Why the open trade's market data cannot be trusted (stale bars, halted, inactive)" }),
    trade_issue_since: isoTime.nullable(),
  })
  .openapi('PairMarketData');

export const openTradeSchema = z
  .object({
    id: z.number().int(),
    side: tradeSide,
    entry_time: isoTime.nullable(),
    entry_z_score: z.number().nullable(),
    qty1: z.number().int().nullable(),
    qty2: z.number().int().nullable(),
    entry_price1: z.number().nullable(),
    entry_price2: z.number().nullable(),
    entry_stats: entryStatsSchema
      .nullable()
      .optional()
      .openapi({ description: 'Statistics the trade entered with; it is evaluated with them (null for trades from before they were kept)' }),
  })
  .openapi('OpenTrade');

export const liveTradeSchema = z
  .object({
    status: z.enum(['PENDING', 'OPEN', 'CLOSING', 'NEEDS_ATTENTION', 'CLOSED', 'FAILED']),
    exit_reason: z.string().nullable(),
    attention_reason: z
      .string()
      .nullable()
      .openapi({ description: 'Why the exit or compensation has not completed yet (NEEDS_ATTENTION), else null' }),
    pnl: z.number().nullable(),
    legs: z.array(
      z.object({
        phase: z.enum(['entry', 'exit']),
        leg: z.number().int(),
        symbol: z.string(),
        side: z.enum(['buy', 'sell']),
        qty: z.number(),
        filled_qty: z.number(),
        avg_price: z.number().nullable(),
        status: z.string(),
      }),
    ),
  })
  .openapi('LiveTradeState', {
    description: "The trade workflow's own state (stateQuery); null when no trade is open or the workflow did not answer",
  });

export const detailsSchema = z
  .object({
    hedge_ratio: z.number(),
    half_life: z.number().nullable(),
    cointegration_pvalue: z.number(),
    correlation: z.number(),
    open_trade: openTradeSchema.nullable(),
    last_signal: z
      .object({
        type: z.enum(['LONG_SPREAD', 'SHORT_SPREAD', 'EXIT', 'STOP_LOSS', 'EXPIRE']),
        z_score: z.number().nullable(),
        timestamp: isoTime,
      })
      .nullable(),
    live: liveTradeSchema.nullable(),
    market_data: marketDataSchema.optional(),
  })
  .openapi('PairDetails');

/**
 * Documentation copies of the config's own schemas (those were created before extendZodWithOpenApi ran and lack
 * .openapi); POST /config validates with config/schema.ts itself, through updateThresholds.
 */
export const configSchema = z.strictObject(thresholdsSchema.shape).openapi('StrategyThresholds');
export const configUpdateSchema = z.strictObject(thresholdsSchema.shape).partial().openapi('StrategyThresholdsUpdate', {
  description: 'Any non-empty subset of the five thresholds; unknown fields are rejected; exit < entry < stop_loss after merging',
});

/** Start/stop take no body; `{}` is accepted, anything else is a client error. */
export const emptyBodySchema = z.strictObject({}).optional();

export const symbolParamsSchema = z.strictObject({
  symbol: z.string().regex(/^[A-Z][A-Z0-9.]{0,9}$/, 'symbol must be an upper-case ticker'),
});

export const flattenSymbolSchema = z
  .object({
    message: z.string(),
    symbol: z.string(),
    trades: z.array(
      z.object({
        trade_id: z.number().int(),
        pair_id: z.number().int(),
        status: z.string(),
        outcome: z.enum(['closed', 'closing', 'refused']),
        detail: z.string().nullable(),
      }),
    ),
  })
  .openapi('FlattenSymbol', { description: "Every live trade holding the symbol told to close; they close through the symbol's order lane" });

/** A real calendar date YYYY-MM-DD between 1970-01-01 and 2100-12-31. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s && s >= '1970-01-01' && s <= '2100-12-31';
  }, 'must be a real calendar date between 1970-01-01 and 2100-12-31');

const positiveFinite = (max: number) => z.number().finite().positive().max(max);

export const backtestRequestSchema = z
  .strictObject({
    pair_id: z.number().int().positive().max(MAX_INT4),
    start_date: isoDate.openapi({ example: '2025-09-01' }),
    end_date: isoDate.openapi({ example: '2026-03-01' }),
    entry_threshold: positiveFinite(100).optional(),
    exit_threshold: z.number().finite().min(0).max(100).optional(),
    stop_loss_threshold: positiveFinite(100).optional(),
    initial_capital: positiveFinite(1e12).optional().openapi({ description: 'Dollars (default 100000)' }),
  })
  .superRefine((body, ctx) => {
    if (body.end_date < body.start_date) ctx.addIssue({ code: 'custom', path: ['end_date'], message: 'end_date must not be before start_date' });
  })
  .openapi('BacktestRequest', { description: 'Thresholds default to config/pairs.yaml, initial_capital to 100000' });

const tradeLogEntrySchema = z.object({
  side: tradeSide,
  entry_time: z.number(),
  exit_time: z.number(),
  entry_z: z.number(),
  exit_z: z.number().nullable(),
  qty1: z.number(),
  qty2: z.number(),
  entry_price1: z.number(),
  entry_price2: z.number(),
  exit_price1: z.number(),
  exit_price2: z.number(),
  pnl: z.number(),
  hold_hours: z.number(),
  exit_reason: z.enum(['EXIT', 'STOP_LOSS', 'EXPIRE', 'END']),
});

export const backtestResponseSchema = z
  .object({
    run_id: z.number().int(),
    pair_id: z.number().int(),
    total_return: z.number(),
    annualized_return: z.number().nullable().openapi({ description: 'null when compounding overflows (very short, very profitable runs)' }),
    sharpe_ratio: z.number(),
    max_drawdown: z.number().openapi({ description: 'Fraction of peak equity' }),
    win_rate: z.number(),
    profit_factor: z.number().nullable(),
    total_trades: z.number().int(),
    avg_hold_time_hours: z.number(),
    kelly_fraction: z.number().nullable(),
    passed_gate: z.boolean(),
    equity_curve: z.array(z.object({ timestamp: z.number(), equity: z.number() })),
    trade_log: z.array(tradeLogEntrySchema),
    effective_start_date: z
      .string()
      .openapi({ description: 'UTC date of the first test bar: start_date, or later when the stored data starts later' }),
    effective_end_date: z.string().openapi({ description: 'UTC date of the last test bar: end_date, or earlier when the stored data ends earlier' }),
  })
  .openapi('BacktestResult');

export const backtestHistorySchema = z
  .array(
    z.object({
      id: z.number().int(),
      pair_id: z.number().int(),
      run_date: z.string().openapi({ example: '2026-03-27' }),
      start_date: z.string(),
      end_date: z.string(),
      sharpe_ratio: z.number(),
      max_drawdown: z.number(),
      win_rate: z.number(),
      total_trades: z.number().int(),
      passed_gate: z.boolean(),
    }),
  )
  .openapi('BacktestHistory');

export const readinessSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), error: z.string().optional(), ms: z.number() })),
  })
  .openapi('Readiness');

export type StatusResponse = z.infer<typeof statusSchema>;
export type ActiveResponse = z.infer<typeof activeSchema>;
export type PerformanceResponse = z.infer<typeof performanceSchema>;
export type HistoryResponse = z.infer<typeof historySchema>;
export type DetailsResponse = z.infer<typeof detailsSchema>;
export type MarketDataView = z.infer<typeof marketDataSchema>;
export type EntryStatsView = z.infer<typeof entryStatsSchema>;
export type BacktestRequest = z.infer<typeof backtestRequestSchema>;
export type BacktestResponse = z.infer<typeof backtestResponseSchema>;
export type BacktestHistoryResponse = z.infer<typeof backtestHistorySchema>;
export type LiveTrade = z.infer<typeof liveTradeSchema>;

/** GET /config/history: each change of the stored config, newest first. */
export const configHistorySchema = z
  .object({
    changes: z.array(
      z.object({
        version: z.number().int(),
        changed_at: isoTime,
        source: z.string().openapi({ example: 'api' }),
        old: z.record(z.string(), z.unknown()).openapi({ example: { entry_threshold: 2 } }),
        new: z.record(z.string(), z.unknown()).openapi({ example: { entry_threshold: 2.2 } }),
      }),
    ),
  })
  .openapi('ConfigHistory');

export const configHistoryQuerySchema = z.object({ limit: z.string().optional().openapi({ description: 'integer 1..1000, default 100' }) });

export const discoveryStartedSchema = z.object({ message: z.string(), workflow_id: z.string() }).openapi('DiscoveryStarted');

/** GET /registry: every registered pair with its lifecycle status. */
export const registrySchema = z
  .object({
    pairs: z.array(
      z.object({
        id: z.number().int(),
        name: z.string(),
        status: z.enum(['ACTIVE', 'RETIRED']),
        is_active: z.boolean(),
        cointegration_pvalue: z.number(),
        half_life: z.number().nullable(),
        correlation: z.number(),
        score: z.number(),
        retiring_reason: z.string().nullable().openapi({ description: 'Out of bounds at the last re-test; retired once its live trade closes' }),
        retired_at: isoTime.nullable(),
        retire_reason: z.string().nullable(),
        last_tested_at: isoTime.nullable(),
      }),
    ),
  })
  .openapi('Registry');
export type FlattenSymbolResponse = z.infer<typeof flattenSymbolSchema>;
