import type { StrategyConfig } from '../../config/schema';

/** The thresholds the pure evaluatePair tests run on (a 10-bar z window, 4 h bar age). */
export const EVALUATION_CONFIG = {
  entry_threshold: 2,
  exit_threshold: 0.5,
  stop_loss_threshold: 3,
  max_hold_hours: 72,
  position_pct: 0.02,
  z_score_window: 10,
  max_bar_age_hours: 4,
  lookback_bars: 50,
} as StrategyConfig;

/** A registry pair AAA/BBB with hedge ratio 1, half-life 10 and no per-pair thresholds. */
export const EVALUATION_PAIR = {
  id: 7,
  symbol1: 'AAA',
  symbol2: 'BBB',
  hedge_ratio: 1,
  half_life: 10,
  entry_threshold: null,
  exit_threshold: null,
  stop_loss_threshold: null,
};
