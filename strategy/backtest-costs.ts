/** Backtest execution costs: commissions and slippage, with their defaults and validation. */
import { invalidInput } from './backtest-input-error';

export interface BacktestCosts {
  /** $ per share per order (default 0.005). */
  commissionPerShare: number;
  /** Minimum commission per order in $ (default 1.00). */
  minCommissionPerOrder: number;
  /** Fill price moved against the trade by this many basis points (default 5). */
  slippageBps: number;
}

export const DEFAULT_COSTS: BacktestCosts = { commissionPerShare: 0.005, minCommissionPerOrder: 1, slippageBps: 5 };

const isNonNegative = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;

/** The defaults overridden by `costs`; throws BacktestInputError on a negative or non-finite cost. */
export function resolveCosts(costs: Partial<BacktestCosts> | undefined): BacktestCosts {
  const resolved: BacktestCosts = { ...DEFAULT_COSTS, ...(costs ?? {}) };
  for (const key of ['commissionPerShare', 'minCommissionPerOrder', 'slippageBps'] as const) {
    if (!isNonNegative(resolved[key])) invalidInput(`${key} must be a non-negative number, got ${String(resolved[key])}`);
  }
  if (resolved.slippageBps >= 10_000) invalidInput(`slippageBps must be below 10000, got ${resolved.slippageBps}`);
  return resolved;
}

/** Commission of one order of `shares` shares (the simulation loop inlines the same rule). */
export function orderCommission(shares: number, costs: BacktestCosts): number {
  const c = costs.commissionPerShare * shares;
  return c > costs.minCommissionPerOrder ? c : costs.minCommissionPerOrder;
}

/** Fill of an order at a bar close, moved against us by `slip` (slippageBps / 10,000): buys higher, sells lower. */
export function fillPrice(close: number, buying: boolean, slip: number): number {
  return buying ? close * (1 + slip) : close * (1 - slip);
}
