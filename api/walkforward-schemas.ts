import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { MAX_INT4, isoDate } from './schemas';

extendZodWithOpenApi(z);

/** Request and response shapes of POST /walkforward, GET /walkforward/history and GET /walkforward/{run_id}. */

const axis = z.array(z.number().finite().min(0).max(100)).min(1).max(5);

export const walkforwardRequestSchema = z
  .strictObject({
    symbols: z
      .array(z.string().regex(/^[A-Za-z0-9.-]{1,16}$/, 'must be a ticker'))
      .min(2)
      .max(200)
      .optional()
      .openapi({ description: 'Universe to discover pairs in (default: every symbol in market_data)' }),
    start_date: isoDate.optional().openapi({ description: 'First bar used (formation included); default: the first stored bar' }),
    end_date: isoDate.optional().openapi({ description: 'Last day used, inclusive; default: the last stored bar' }),
    formation_bars: z.number().int().min(100).max(100_000).optional().openapi({ description: 'Default 1000 for hourly bars, 504 for daily' }),
    trading_bars: z.number().int().min(2).max(100_000).optional().openapi({ description: 'Default 160 for hourly bars, 126 for daily' }),
    step_bars: z.number().int().min(1).max(100_000).optional().openapi({ description: 'Default: trading_bars; must be >= trading_bars' }),
    entry_threshold: z.number().finite().positive().max(100).optional(),
    exit_threshold: z.number().finite().min(0).max(100).optional(),
    stop_loss_threshold: z.number().finite().positive().max(100).optional(),
    max_hold_hours: z.number().finite().positive().max(1e7).optional().openapi({ description: 'Default: 72 bars of the data' }),
    sweep: z.boolean().optional().openapi({ description: 'In-sample sweep of entry 1.5/2/2.5 x exit 0.25/0.5/0.75 x stop 3/3.5/4' }),
    sweep_grid: z
      .strictObject({ entry: axis, exit: axis, stop_loss: axis })
      .optional()
      .openapi({ description: 'A custom sweep grid (implies sweep)' }),
    top_n: z.number().int().min(1).max(100).optional().openapi({ description: 'Pairs kept per window (default: config discovery.top_n)' }),
    initial_capital: z.number().finite().positive().max(1e12).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.start_date && body.end_date && body.end_date < body.start_date)
      ctx.addIssue({ code: 'custom', path: ['end_date'], message: 'end_date must not be before start_date' });
    if (body.step_bars !== undefined && body.trading_bars !== undefined && body.step_bars < body.trading_bars) {
      ctx.addIssue({ code: 'custom', path: ['step_bars'], message: 'step_bars must be >= trading_bars (trading windows must not overlap)' });
    }
  })
  .openapi('WalkForwardRequest', { description: 'Every field optional; live settings come from config/pairs.yaml' });

/** The out-of-sample metrics a run's answer and its history row both carry. */
const headlineMetricsSchema = z.object({
  total_return: z.number(),
  sharpe_ratio: z.number(),
  max_drawdown: z.number(),
  win_rate: z.number(),
  total_trades: z.number().int(),
  passed_gate: z.boolean(),
});

export const walkforwardResponseSchema = z
  .object({
    run_id: z.number().int(),
    source: z.string(),
    symbols: z.array(z.string()),
    params: z.record(z.string(), z.unknown()),
    windows: z.array(
      z
        .object({
          index: z.number().int(),
          trading_start: z.number(),
          trading_end: z.number(),
          pairs: z.array(z.object({ name: z.string() }).passthrough()),
          trades: z.number().int(),
          pnl: z.number(),
          sharpe_ratio: z.number(),
        })
        .passthrough(),
    ),
    metrics: headlineMetricsSchema.passthrough(),
    equity_curve: z.array(z.object({ timestamp: z.number(), equity: z.number() })),
    drawdown_curve: z.array(z.object({ timestamp: z.number(), drawdown: z.number() })),
    trade_log: z.array(z.record(z.string(), z.unknown())),
    deflated_sharpe: z.object({ deflatedSharpe: z.number().nullable(), trials: z.number() }).passthrough(),
    overfitting: z.object({ pbo: z.number() }).passthrough().nullable(),
    configurations: z.number().int(),
    configurations_evaluated: z.number().int(),
    risk_refusals: z
      .record(z.string(), z.number().int())
      .openapi({ description: 'Entry signals the live risk rules (pre-trade checks, cooldowns, Kelly no-edge) refused, by rule' }),
  })
  .openapi('WalkForwardResult');

export const walkforwardHistorySchema = z
  .array(
    z.object({
      id: z.number().int(),
      run_date: z.string(),
      source: z.string(),
      start_time: z.string(),
      end_time: z.string(),
      symbols: z.number().int(),
      window_count: z.number().int(),
      ...headlineMetricsSchema.shape,
      deflated_sharpe: z.number().nullable(),
      pbo: z.number().nullable(),
    }),
  )
  .openapi('WalkForwardHistory');

export const walkforwardRunParamsSchema = z.strictObject({
  run_id: z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, 'run_id must be a positive integer')
    .transform(Number)
    .refine((n) => n <= MAX_INT4, `run_id must be <= ${MAX_INT4}`)
    .openapi({ param: { name: 'run_id', in: 'path' }, example: '1' }),
});

export type WalkForwardRequest = z.infer<typeof walkforwardRequestSchema>;
