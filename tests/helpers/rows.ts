import type { NewPair } from '../../db/schema';

/** A pair_registry row for tests: fixed, plausible statistics, overridable per field. */
export function registryPair(overrides: Partial<NewPair> & Pick<NewPair, 'symbol1' | 'symbol2'>): NewPair {
  return {
    hedge_ratio: 1,
    hedge_alpha: 0,
    half_life: 10,
    cointegration_pvalue: 0.01,
    cointegration_stat: -4,
    correlation: 0.9,
    score: 1,
    rank: 1,
    ...overrides,
  };
}

/** The exit columns of a pair_trade row that has not closed (all null). */
export const NOT_CLOSED = {
  exit_time: null,
  exit_z_score: null,
  exit_price1: null,
  exit_price2: null,
  exit_reason: null,
  pnl: null,
  hold_hours: null,
  failure_reason: null,
} as const;
