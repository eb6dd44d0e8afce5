import { z } from 'zod';
import { riskFields } from '../config/risk-schema';
import './schemas';

/** Shapes of GET/POST /risk, POST /risk/kelly-reset and GET /risk/equity (issue 12; beside the spec's endpoints). */

const tradingState = z.enum(['ACTIVE', 'REDUCING', 'HALTED']);

// Rebuilt from the fields: the config's own schemas were created before zod was extended with .openapi().
export const riskLimitsSchema = z.strictObject(riskFields).openapi('RiskLimits');
export const riskLimitsUpdateSchema = z
  .strictObject(riskFields)
  .partial()
  .openapi('RiskLimitsUpdate', { description: 'Any non-empty subset of the risk limits' });

export const tradingStateSchema = z
  .object({
    trading_state: tradingState,
    reason: z.string(),
    rule: z.string().nullable().openapi({ description: 'DAILY_LOSS or DRAWDOWN when a limit tripped it; null for an operator change' }),
    changed_by: z.string(),
    since: z.string(),
    baseline_reset_at: z.string().nullable(),
    kelly_reset_at: z.string().nullable(),
  })
  .openapi('TradingState');

export const riskRefusalSchema = z.object({
  signal_id: z.number().int(),
  pair_id: z.number().int(),
  timestamp: z.string(),
  type: z.string(),
  rule: z.string(),
  detail: z.record(z.string(), z.unknown()),
});

export const riskResponseSchema = z
  .object({
    limits: riskLimitsSchema,
    state: tradingStateSchema,
    kelly: z.object({
      phase: z.enum(['bootstrap', 'kelly']),
      kelly_fraction: z.number().nullable(),
      window_trades: z.number().int(),
      no_edge: z.string().nullable(),
    }),
    account: z
      .object({
        at: z.string(),
        equity: z.number(),
        buying_power: z.number(),
        gross_exposure: z.number(),
        gross_exposure_pct: z.number(),
        daily_loss_pct: z.number(),
        drawdown_pct: z.number(),
      })
      .nullable()
      .openapi({ description: 'The latest equity snapshot (one per cycle hour) and the limits measured on it' }),
    refusals: z.array(riskRefusalSchema).openapi({ description: 'The latest entries the pre-trade checks refused, newest first' }),
  })
  .openapi('Risk');

export const kellyResetSchema = z.object({ message: z.string(), kelly_reset_at: z.string() }).openapi('KellyReset');

export const equityCurveSchema = z
  .object({
    points: z.array(
      z.object({
        timestamp: z.number().int().openapi({ description: 'Cycle hour, epoch milliseconds' }),
        equity: z.number(),
        drawdown_pct: z.number(),
        realized_pnl: z.number(),
        unrealized_pnl: z.number(),
      }),
    ),
    max_drawdown: z.number().openapi({ description: 'PERCENT' }),
    sharpe_ratio: z.number(),
  })
  .openapi('EquityCurve');

export type RiskResponse = z.infer<typeof riskResponseSchema>;
export type EquityCurveResponse = z.infer<typeof equityCurveSchema>;
