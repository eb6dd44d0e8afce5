import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { CloseResult, TradeState } from '../workflows/contracts/pair-trade';
import { closeTrade, queryTradeState, requestClose, type CloseOutcome } from '../temporal/pair-trade-client';
import { runEmergencyStop } from '../temporal/run-emergency-stop';
import { startDiscoveryNow } from '../temporal/discovery-schedule';
import { pauseSchedule, unpauseSchedule } from '../temporal/schedule';

export { TradeNotOpenError } from '../temporal/pair-trade-client';
export type { CloseOutcome } from '../temporal/pair-trade-client';

/** What the API asks of Temporal (temporal/schedule.ts and the workflow clients in temporal/); replaceable in tests. */
export interface StrategyControl {
  /** Pauses or unpauses the cycle schedule; 'no-schedule' when it is not deployed yet. */
  setSchedulePaused(paused: boolean, note: string): Promise<'updated' | 'no-schedule'>;
  /** The close update: resolves once both legs are flat. Throws TradeNotOpenError when the trade is not OPEN. */
  closeTrade(workflowId: string, requestedBy: string): Promise<CloseResult>;
  /** The close update, answered within `waitMs`: its result, or the trade's state while the close goes on. */
  requestClose?(workflowId: string, requestedBy: string, waitMs: number): Promise<CloseOutcome>;
  queryTradeState(workflowId: string): Promise<TradeState>;
  /** The emergency-stop workflow (sets the strategy inactive, closes every live trade): pairs now closed. */
  emergencyStop(): Promise<number>;
  /** Starts a discovery run now; its workflow id. */
  runDiscovery(): Promise<string>;
}

export function createStrategyControl(client: Client, taskQueue: string): StrategyControl {
  return {
    async setSchedulePaused(paused, note) {
      try {
        if (paused) await pauseSchedule(client, note);
        else await unpauseSchedule(client, note);
        return 'updated';
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) return 'no-schedule';
        throw err;
      }
    },
    closeTrade: (workflowId, requestedBy) => closeTrade(client, workflowId, { requestedBy }),
    requestClose: (workflowId, requestedBy, waitMs) => requestClose(client, workflowId, { requestedBy }, waitMs),
    queryTradeState: (workflowId) => queryTradeState(client, workflowId),
    emergencyStop: async () => (await runEmergencyStop(client, { taskQueue })).closedPairs,
    runDiscovery: () => startDiscoveryNow(client, { taskQueue }),
  };
}
