import type { WalkForwardOptions } from '../strategy/walkforward';
import type { StrategyConfig } from './schema';

/**
 * The live settings a walk-forward starts from (CLI and API alike): discovery filters, entry / exit / stop
 * thresholds, z-score window, bootstrap position size, costs and the portfolio risk rules (`risk`) from config/pairs.yaml. max_hold_hours is not
 * taken: it is an hourly-bar setting (72 h), and the walk-forward's default is the same 72 bars in the data's
 * own bar spacing, so daily data is not expired after three days.
 */
export function walkForwardOptionsFromConfig(config: StrategyConfig): WalkForwardOptions {
  const d = config.discovery;
  return {
    discovery: {
      max_pvalue: d.max_pvalue,
      min_half_life: d.min_half_life,
      max_half_life: d.max_half_life,
      min_correlation: d.min_correlation,
      min_crossings: d.min_crossings,
      top_n: d.top_n,
    },
    thresholds: { entry: config.entry_threshold, exit: config.exit_threshold, stopLoss: config.stop_loss_threshold },
    window: config.z_score_window,
    bootstrapPct: config.position_pct,
    costs: { commissionPerShare: config.backtest.commission_per_share, slippageBps: config.backtest.slippage_bps },
    risk: config.risk,
  };
}
