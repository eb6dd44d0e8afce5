import { getExternalWorkflowHandle, log, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import {
  EMERGENCY_STOP_ACTIVITY_OPTIONS,
  type EmergencyStopActivities,
  type EmergencyStopInput,
  type EmergencyStopResult,
} from './contracts/emergency-stop';
import { emergencyStopSignal } from './contracts/pair-trade';

const strategy = proxyActivities<EmergencyStopActivities>(EMERGENCY_STOP_ACTIVITY_OPTIONS.state);

const POLL_INTERVAL_MS = 1000;

/**
 * Sets the strategy inactive first (so no cycle opens anything new), signals every live trade's workflow
 * to close at market, then polls the database with durable sleeps until all of them are CLOSED or FAILED
 * or the wait ends.
 */
export async function emergencyStopWorkflow(input: EmergencyStopInput): Promise<EmergencyStopResult> {
  const timeoutMs = input.timeoutMs ?? 120_000;
  await strategy.setStrategyActive({ isActive: false });
  const live = await strategy.listLiveTradeRefs();
  for (const trade of live) {
    if (!trade.workflowId) continue;
    try {
      await getExternalWorkflowHandle(trade.workflowId).signal(emergencyStopSignal, { reason: input.reason });
    } catch (err) {
      log.warn('emergency stop: could not signal trade workflow', { workflowId: trade.workflowId, error: String(err) });
    }
  }

  const ids = live.map((t) => t.tradeId);
  const deadline = Date.now() + timeoutMs;
  let statuses = await strategy.tradeStatuses({ tradeIds: ids });
  while (statuses.some((t) => t.status !== 'CLOSED' && t.status !== 'FAILED') && Date.now() < deadline) {
    await sleep(POLL_INTERVAL_MS);
    statuses = await strategy.tradeStatuses({ tradeIds: ids });
  }
  await strategy.setStrategyActive({ isActive: false });
  const result: EmergencyStopResult = {
    closedPairs: new Set(statuses.filter((t) => t.status === 'CLOSED').map((t) => t.pairId)).size,
    failedTrades: statuses.filter((t) => t.status === 'FAILED').map((t) => t.tradeId),
    stillOpen: statuses.filter((t) => t.status !== 'CLOSED' && t.status !== 'FAILED').map((t) => t.tradeId),
  };
  log.info('emergency stop done', { workflowId: workflowInfo().workflowId, ...result });
  return result;
}
