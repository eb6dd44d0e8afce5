import type { Db } from '../db/connection';
import { setStrategyActive, touchLastUpdate } from '../db/queries/strategy-state';
import { getTradesByIds, listLiveTrades } from '../db/queries/trades';

export interface LiveTradeRef {
  tradeId: number;
  pairId: number;
  workflowId: string | null;
  status: string;
}

/** Told how long each finished cycle took, in seconds (e.g. the API's cycle-duration histogram). */
export type CycleFinishedHook = (seconds: number) => void;

/** Strategy-level state and trade lookups used by the cycle and the emergency stop. */
export function createStrategyActivities({ db, onCycleFinished }: { db: Db; onCycleFinished?: CycleFinishedHook }) {
  return {
    /** `startedAtMs` is the workflow's own start time; older histories replay without it. */
    async finishCycle(input: { nowMs: number; startedAtMs?: number }): Promise<void> {
      await touchLastUpdate(db, new Date(input.nowMs));
      if (input.startedAtMs !== undefined) onCycleFinished?.((Date.now() - input.startedAtMs) / 1000);
    },

    async setStrategyActive(input: { isActive: boolean }): Promise<void> {
      await setStrategyActive(db, input.isActive);
    },

    async listLiveTradeRefs(): Promise<LiveTradeRef[]> {
      return (await listLiveTrades(db)).map((t) => ({ tradeId: t.id, pairId: t.pair_id, workflowId: t.workflow_id, status: t.status }));
    },

    async tradeStatuses(input: { tradeIds: number[] }): Promise<Array<{ tradeId: number; pairId: number; status: string }>> {
      return (await getTradesByIds(db, input.tradeIds)).map((t) => ({ tradeId: t.id, pairId: t.pair_id, status: t.status }));
    },
  };
}

export type StrategyActivities = ReturnType<typeof createStrategyActivities>;
