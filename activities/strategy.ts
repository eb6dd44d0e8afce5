import type { Db } from '../db/connection';
import { setStrategyActive, touchLastUpdate } from '../db/queries/strategy-state';
import { getTradesByIds, listLiveTrades } from '../db/queries/trades';

export interface LiveTradeRef {
  tradeId: number;
  pairId: number;
  workflowId: string | null;
  status: string;
}

/** Strategy-level state and trade lookups used by the cycle and the emergency stop. */
export function createStrategyActivities({ db }: { db: Db }) {
  return {
    async finishCycle(input: { nowMs: number }): Promise<void> {
      await touchLastUpdate(db, new Date(input.nowMs));
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
