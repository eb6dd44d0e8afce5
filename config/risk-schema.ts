import { z } from 'zod';
import { DEFAULT_RISK_LIMITS } from '../strategy/risk/limits';

const pct = (what: string, max: number) =>
  z
    .number({ error: `${what} must be a number` })
    .finite()
    .gt(0, `${what} must be > 0`)
    .max(max, `${what} must be <= ${max}`);
const hours = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .finite()
    .min(0, `${what} must be >= 0`)
    .max(24 * 30, `${what} must be <= 720`);

/** The `risk` section of config/pairs.yaml (see strategy/risk/limits.ts for what each field means). */
export const riskFields = {
  max_open_pairs: z.number().int().min(1, 'max_open_pairs must be >= 1').max(500),
  max_pairs_per_symbol: z.number().int().min(1, 'max_pairs_per_symbol must be >= 1').max(500),
  max_symbol_exposure_pct: pct('max_symbol_exposure_pct', 400),
  max_gross_exposure_pct: pct('max_gross_exposure_pct', 400),
  buying_power_check: z.boolean(),
  buying_power_reserve_pct: z.number().finite().min(0, 'buying_power_reserve_pct must be >= 0').max(400),
  daily_loss_limit_pct: pct('daily_loss_limit_pct', 100),
  max_drawdown_pct: pct('max_drawdown_pct', 100),
  flatten_on_halt: z.boolean(),
  cooldown_after_stop_loss_hours: hours('cooldown_after_stop_loss_hours'),
  cooldown_after_failed_entry_hours: hours('cooldown_after_failed_entry_hours'),
  kelly_window_trades: z.number().int().min(20, 'kelly_window_trades must be >= 20 (the bootstrap phase)').max(10_000),
  kelly_no_edge: z.enum(['stop_entries', 'bootstrap']),
};

export const riskSchema = z.strictObject(riskFields);
/** A stored config from before the section gets the defaults. */
export const riskSectionSchema = riskSchema.default(DEFAULT_RISK_LIMITS);
export const riskUpdateSchema = riskSchema.partial().refine((v) => Object.keys(v).length > 0, { message: 'at least one field is required' });
export type RiskConfig = z.infer<typeof riskSchema>;
