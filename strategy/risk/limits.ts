/**
 * Portfolio risk limits (config/pairs.yaml `risk`, validated by config/risk-schema.ts). Percentages are of
 * account equity, as the broker reports it at the time of the check.
 */
export interface RiskLimits {
  /** Pairs holding (or entering) a trade at once. */
  max_open_pairs: number;
  /** Live trades that may share one symbol (pairs sharing a leg stack exposure to it). */
  max_pairs_per_symbol: number;
  /** |market value| of one symbol after the entry, % of equity. */
  max_symbol_exposure_pct: number;
  /** Sum of |market value| of every position after the entry, % of equity. */
  max_gross_exposure_pct: number;
  /** Refuse an entry whose legs would leave less than `buying_power_reserve_pct` of equity as buying power. */
  buying_power_check: boolean;
  buying_power_reserve_pct: number;
  /** Equity down this much from the day's first snapshot: HALTED. */
  daily_loss_limit_pct: number;
  /** Equity down this much from its peak: HALTED. */
  max_drawdown_pct: number;
  /** Whether HALTED (tripped by a limit) also closes every live trade; the emergency stop always does. */
  flatten_on_halt: boolean;
  /** No new entry on a pair for this long after it was stopped out. */
  cooldown_after_stop_loss_hours: number;
  /** No new entry on a pair for this long after an entry of it failed. */
  cooldown_after_failed_entry_hours: number;
  /** Kelly is computed over the latest this-many closed trades (since the last operator reset). */
  kelly_window_trades: number;
  /**
   * Kelly fraction <= 0 over the window: 'stop_entries' refuses entries (state shows "no edge") until an operator
   * resets sizing to bootstrap (POST /risk/kelly-reset); 'bootstrap' keeps entering at bootstrap size (position_pct).
   */
  kelly_no_edge: 'stop_entries' | 'bootstrap';
}

export const DEFAULT_RISK_LIMITS: RiskLimits = {
  max_open_pairs: 5,
  max_pairs_per_symbol: 1,
  max_symbol_exposure_pct: 15,
  max_gross_exposure_pct: 100,
  buying_power_check: true,
  buying_power_reserve_pct: 25,
  daily_loss_limit_pct: 2,
  max_drawdown_pct: 10,
  flatten_on_halt: false,
  cooldown_after_stop_loss_hours: 24,
  cooldown_after_failed_entry_hours: 4,
  kelly_window_trades: 40,
  kelly_no_edge: 'stop_entries',
};

/** The engine's trading state (NautilusTrader's): REDUCING and HALTED take no entries; exits and stops continue. */
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';
export const TRADING_STATES: readonly TradingState[] = ['ACTIVE', 'REDUCING', 'HALTED'];
