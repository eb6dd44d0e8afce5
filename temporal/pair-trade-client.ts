import {
  WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client,
} from '@temporalio/client';
import type { PairTradeInput } from '../workflows/pair-trade';
import { closeUpdate, stateQuery, type CloseRequest, type CloseResult, type TradeState } from '../workflows/messages';
import { PAIR_ID, PAIR_NAME, TRADE_SIDE, TRADE_STATUS } from '../workflows/search-attributes';
import {
  EMERGENCY_STOP_WORKFLOW, PAIR_TRADE_WORKFLOW, PAIRS_CYCLE_WORKFLOW, TASK_QUEUE, manualCycleWorkflowId, pairTradeWorkflowId,
} from '../workflows/shared';
import type { CycleSummary, PairsCycleInput } from '../workflows/pairs-cycle';
import type { EmergencyStopInput, EmergencyStopResult } from '../workflows/emergency-stop';

/**
 * Starts (or finds) the pair-trade workflow of a trade. Idempotent: a running execution with the id is
 * reused, and a finished one is never started again (REJECT_DUPLICATE) — a retried routing step cannot open
 * a trade twice. Returns false when the execution had already finished.
 */
export async function startPairTradeWorkflow(client: Client, input: PairTradeInput, taskQueue = TASK_QUEUE): Promise<boolean> {
  const pairName = `${input.symbol1}/${input.symbol2}`;
  try {
    await client.workflow.start(PAIR_TRADE_WORKFLOW, {
      workflowId: pairTradeWorkflowId(input.pairId, input.tradeId),
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: PAIR_ID, value: String(input.pairId) },
        { key: PAIR_NAME, value: pairName },
        { key: TRADE_SIDE, value: input.side },
        { key: TRADE_STATUS, value: 'PENDING' },
      ],
      memo: { symbol1: input.symbol1, symbol2: input.symbol2, tradeId: input.tradeId },
      staticSummary: `${pairName} ${input.side} (trade ${input.tradeId})`,
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/** Live state of one trade from its workflow (throws WorkflowNotFoundError for an unknown id). */
export async function queryTradeState(client: Client, workflowId: string): Promise<TradeState> {
  return client.workflow.getHandle(workflowId).query(stateQuery);
}

/** Thrown when the trade cannot be closed now (not OPEN, or its workflow has ended): the API maps it to a 409. */
export class TradeNotOpenError extends Error {
  override name = 'TradeNotOpenError';
}

/** Manual close: answers once both legs are flat and the trade is recorded CLOSED. */
export async function closeTrade(client: Client, workflowId: string, request: CloseRequest): Promise<CloseResult> {
  try {
    return await client.workflow.getHandle(workflowId).executeUpdate(closeUpdate, { args: [request] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause as { type?: string; message?: string } | undefined;
      if (cause?.type === 'TradeNotOpen') throw new TradeNotOpenError(cause.message ?? 'trade is not open');
    }
    // The trade's workflow has ended (CLOSED or FAILED): nothing to close. An unknown id stays WorkflowNotFoundError.
    if (err instanceof WorkflowNotFoundError && /already completed/i.test(err.message)) {
      throw new TradeNotOpenError(`trade workflow ${workflowId} has already finished`);
    }
    throw err;
  }
}

/** Closes every live trade, sets the strategy inactive and answers with how many trades ended closed. */
export async function runEmergencyStop(
  client: Client,
  { taskQueue = TASK_QUEUE, timeoutMs }: { taskQueue?: string; timeoutMs?: number } = {},
): Promise<EmergencyStopResult> {
  const input: EmergencyStopInput = { reason: 'emergency stop', timeoutMs };
  return client.workflow.execute(EMERGENCY_STOP_WORKFLOW, {
    taskQueue,
    // One emergency stop at a time: a second request joins the running one.
    workflowId: 'pairs-emergency-stop',
    workflowIdConflictPolicy: 'USE_EXISTING',
    args: [input],
  });
}

/** One cycle now, market-hours check skipped (the spec's dry run); waits for its summary. */
export async function runCycleNow(
  client: Client,
  { dryRun = true, taskQueue = TASK_QUEUE }: { dryRun?: boolean; taskQueue?: string } = {},
): Promise<CycleSummary> {
  const input: PairsCycleInput = { dryRun };
  return client.workflow.execute(PAIRS_CYCLE_WORKFLOW, { taskQueue, workflowId: manualCycleWorkflowId(Date.now()), args: [input] });
}
