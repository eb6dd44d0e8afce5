import type { Db } from '../db/connection';
import { setTradingState } from '../db/queries/risk';
import { touchLastUpdate } from '../db/queries/strategy-state';
import { getTradesByIds, listLiveTrades } from '../db/queries/trades';
import type { EmergencyStopActivities, LiveTradeRef } from '../workflows/contracts/emergency-stop';
import type { PairsCycleActivities } from '../workflows/contracts/pairs-cycle';

/** Told how long each finished cycle took, in seconds (e.g. the API's cycle-duration histogram). */
export type CycleFinishedHook = (seconds: number) => void;

/** Strategy-level state and trade lookups used by the cycle and the emergency stop. */
export type StrategyStateActivities = EmergencyStopActivities & Pick<PairsCycleActivities, 'finishCycle'>;

export function createStrategyStateActivities({ db, onCycleFinished }: { db: Db; onCycleFinished?: CycleFinishedHook }): StrategyStateActivities {
  return {
    async finishCycle(input: { nowMs: number; startedAtMs?: number }): Promise<void> {
      await touchLastUpdate(db, new Date(input.nowMs));
      if (input.startedAtMs !== undefined) onCycleFinished?.((Date.now() - input.startedAtMs) / 1000);
    },

    /** The emergency stop's: HALTED (its workflow then flattens every live trade); true is ACTIVE. */
    async setStrategyActive(input: { isActive: boolean }): Promise<void> {
      if (input.isActive) await setTradingState(db, { state: 'ACTIVE', reason: 'started', rule: null, changedBy: 'emergency-stop' });
      else
        await setTradingState(db, {
          state: 'HALTED',
          reason: 'emergency stop: every live trade closed at market',
          rule: null,
          changedBy: 'emergency-stop',
        });
    },

    async listLiveTradeRefs(): Promise<LiveTradeRef[]> {
      return (await listLiveTrades(db)).map((t) => ({ tradeId: t.id, pairId: t.pair_id, workflowId: t.workflow_id, status: t.status }));
    },

    async tradeStatuses(input: { tradeIds: number[] }) {
      return (await getTradesByIds(db, input.tradeIds)).map((t) => ({ tradeId: t.id, pairId: t.pair_id, status: t.status }));
    },
  };
}
