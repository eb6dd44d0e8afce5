import { z } from 'zod';
import { riskSectionSchema } from './risk-schema';

const positive = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .finite()
    .positive(`${what} must be > 0`);

export const thresholdFields = {
  entry_threshold: positive('entry_threshold'),
  exit_threshold: z.number({ error: 'exit_threshold must be a number' }).finite().min(0, 'exit_threshold must be >= 0'),
  stop_loss_threshold: positive('stop_loss_threshold'),
  max_hold_hours: positive('max_hold_hours'),
  position_pct: positive('position_pct').max(0.1, 'position_pct must be <= 0.10'),
};

export const discoverySchema = z
  .strictObject({
    lookback_bars: z.number().int().min(100, 'discovery.lookback_bars must be >= 100'),
    max_pvalue: z.number().gt(0).max(1),
    min_half_life: z.number().positive(),
    max_half_life: z.number().positive(),
    min_correlation: z.number().min(-1).max(1),
    min_crossings: z.number().int().min(0),
    top_n: z.number().int().min(1).max(500),
  })
  .refine((d) => d.min_half_life < d.max_half_life, {
    message: 'discovery.min_half_life must be < discovery.max_half_life',
    path: ['min_half_life'],
  });

export const backtestSchema = z.strictObject({
  commission_per_share: z.number().min(0),
  slippage_bps: z.number().min(0).max(1000),
  formation_bars: z.number().int().min(50),
});

type ThresholdShape = { entry_threshold: number; exit_threshold: number; stop_loss_threshold: number };

/** exit < entry < stop_loss: anything else opens and closes trades on the same bar, or never stops out. */
function orderedThresholds(value: ThresholdShape, ctx: z.RefinementCtx): void {
  if (!(value.exit_threshold < value.entry_threshold)) {
    ctx.addIssue({ code: 'custom', path: ['exit_threshold'], message: 'exit_threshold must be < entry_threshold' });
  }
  if (!(value.entry_threshold < value.stop_loss_threshold)) {
    ctx.addIssue({ code: 'custom', path: ['stop_loss_threshold'], message: 'stop_loss_threshold must be > entry_threshold' });
  }
}

export const strategyConfigSchema = z
  .strictObject({
    ...thresholdFields,
    z_score_window: z.number().int().min(10, 'z_score_window must be >= 10').max(5000),
    max_bar_age_hours: positive('max_bar_age_hours'),
    lookback_bars: z.number().int().min(20).max(10000),
    discovery: discoverySchema,
    backtest: backtestSchema,
    risk: riskSectionSchema,
  })
  .superRefine((value, ctx) => {
    orderedThresholds(value, ctx);
    if (value.lookback_bars < value.z_score_window) {
      ctx.addIssue({ code: 'custom', path: ['lookback_bars'], message: 'lookback_bars must be >= z_score_window' });
    }
  });

export type StrategyConfig = z.infer<typeof strategyConfigSchema>;

/** The API's view: GET /config returns these five fields; POST /config accepts any non-empty subset of them. */
export const thresholdsSchema = z.strictObject(thresholdFields);
export type ThresholdsConfig = z.infer<typeof thresholdsSchema>;
export const thresholdsUpdateSchema = thresholdsSchema.partial().refine((v) => Object.keys(v).length > 0, {
  message: 'at least one field is required',
});
export type ThresholdsUpdate = z.infer<typeof thresholdsUpdateSchema>;

export function thresholdsOf(config: StrategyConfig): ThresholdsConfig {
  const { entry_threshold, exit_threshold, stop_loss_threshold, max_hold_hours, position_pct } = config;
  return { entry_threshold, exit_threshold, stop_loss_threshold, max_hold_hours, position_pct };
}

/** "field: message" lines, naming each offending field by its path in the file. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`);
}
