/** The threshold-dependent parameters of a backtest simulation: thresholds, capital, sizing and costs. */
import { resolveCosts, type BacktestCosts } from './backtest-costs';
import type { BacktestInput } from './backtest-input';
import { invalidInput } from './backtest-input-error';
import { thresholdsProblem, type Thresholds } from './signals';
import { DEFAULT_BOOTSTRAP_TRADES, DEFAULT_MAX_LEG_PCT } from './sizing';

export const DEFAULT_THRESHOLDS: Thresholds = { entry: 2.0, exit: 0.5, stopLoss: 3.0, maxHoldHours: 72 };
export const DEFAULT_INITIAL_CAPITAL = 100_000;
export const DEFAULT_BOOTSTRAP_PCT = 0.02;

export interface SimParams {
  thresholds: Thresholds;
  initialCapital: number;
  bootstrapPct: number;
  maxLegPct: number;
  bootstrapTrades: number;
  costs: BacktestCosts;
}

/** Validates and fills the thresholds-dependent parameters. */
export function resolveSimParams(input: Omit<BacktestInput, 'timestamps' | 'price1' | 'price2'>): SimParams {
  const thresholds = input.thresholds ?? DEFAULT_THRESHOLDS;
  const problem = thresholdsProblem(thresholds);
  if (problem) invalidInput(problem);
  const initialCapital = input.initialCapital ?? DEFAULT_INITIAL_CAPITAL;
  if (!(Number.isFinite(initialCapital) && initialCapital > 0)) invalidInput(`initial capital must be a positive number, got ${initialCapital}`);
  const bootstrapPct = input.bootstrapPct ?? DEFAULT_BOOTSTRAP_PCT;
  if (!(bootstrapPct > 0 && bootstrapPct <= 1)) invalidInput(`bootstrap position pct must be in (0, 1], got ${bootstrapPct}`);
  const maxLegPct = input.maxLegPct ?? DEFAULT_MAX_LEG_PCT;
  if (!(maxLegPct > 0 && maxLegPct <= 1)) invalidInput(`max leg pct must be in (0, 1], got ${maxLegPct}`);
  const bootstrapTrades = input.bootstrapTrades ?? DEFAULT_BOOTSTRAP_TRADES;
  if (!Number.isInteger(bootstrapTrades) || bootstrapTrades < 0)
    invalidInput(`bootstrap trades must be a non-negative integer, got ${bootstrapTrades}`);
  const costs = resolveCosts(input.costs);
  return { thresholds: { ...thresholds }, initialCapital, bootstrapPct, maxLegPct, bootstrapTrades, costs };
}
