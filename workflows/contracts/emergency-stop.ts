import type { TradeStatus } from '../../strategy/trade-status';
import { DB_ACTIVITY } from './activity-options';

/** The emergency-stop workflow's contract: type name and id, input and result, activities and options. */
export { TASK_QUEUE } from './task-queue';

export const EMERGENCY_STOP_WORKFLOW = 'emergencyStopWorkflow';
/** One emergency stop at a time: a second request joins the running one. */
export const EMERGENCY_STOP_WORKFLOW_ID = 'pairs-emergency-stop';

export interface EmergencyStopInput {
  reason: string;
  /** How long to wait for the trades to close (default 2 minutes). */
  timeoutMs?: number;
}

export interface EmergencyStopResult {
  /** Pairs whose trade is now CLOSED. */
  closedPairs: number;
  /** Trades that ended FAILED (e.g. stopped mid-entry and flattened). */
  failedTrades: number[];
  /** Trades still not closed when the wait ended. */
  stillOpen: number[];
}

/** The workflow function's type, for typed client calls without importing the workflow. */
export type EmergencyStopWorkflow = (input: EmergencyStopInput) => Promise<EmergencyStopResult>;

export interface LiveTradeRef {
  tradeId: number;
  pairId: number;
  workflowId: string | null;
  status: TradeStatus;
}

export interface EmergencyStopActivities {
  setStrategyActive(input: { isActive: boolean }): Promise<void>;
  listLiveTradeRefs(): Promise<LiveTradeRef[]>;
  tradeStatuses(input: { tradeIds: number[] }): Promise<Array<{ tradeId: number; pairId: number; status: TradeStatus }>>;
}

export const EMERGENCY_STOP_ACTIVITY_OPTIONS = { state: DB_ACTIVITY } as const;
