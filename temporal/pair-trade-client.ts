import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
  type Client,
} from '@temporalio/client';
import {
  PAIR_ID,
  PAIR_NAME,
  PAIR_TRADE_WORKFLOW,
  TASK_QUEUE,
  TRADE_SIDE,
  TRADE_STATUS,
  closeUpdate,
  pairTradeWorkflowId,
  stateQuery,
  type CloseRequest,
  type CloseResult,
  type PairTradeInput,
  type PairTradeWorkflow,
  type TradeState,
} from '../workflows/contracts/pair-trade';

/**
 * Starts (or finds) the pair-trade workflow of a trade. Idempotent: a running execution with the id is
 * reused, and a finished one is never started again (REJECT_DUPLICATE) — a retried routing step cannot open
 * a trade twice. Returns false when the execution had already finished.
 */
export async function startPairTradeWorkflow(client: Client, input: PairTradeInput, taskQueue = TASK_QUEUE): Promise<boolean> {
  const pairName = `${input.symbol1}/${input.symbol2}`;
  try {
    await client.workflow.start<PairTradeWorkflow>(PAIR_TRADE_WORKFLOW, {
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
    throw await closeError(client, err, workflowId);
  }
}

export type CloseOutcome = { done: true; result: CloseResult } | { done: false; state: TradeState | null };

/**
 * Manual close that answers within `waitMs`: the close update's result when both legs are flat by then, else
 * `done: false` with the trade's state (e.g. exit orders waiting for the market to open). The update goes on in
 * the workflow either way. Throws TradeNotOpenError when the workflow refuses the close.
 */
export async function requestClose(client: Client, workflowId: string, request: CloseRequest, waitMs = 2_000): Promise<CloseOutcome> {
  const handle = client.workflow.getHandle(workflowId);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), waitMs);
  });
  const completed = (async () => {
    const update = await handle.startUpdate(closeUpdate, { args: [request], waitForStage: WorkflowUpdateStage.ACCEPTED });
    return update.result();
  })();
  try {
    const first = await Promise.race([completed, timedOut]);
    if (first !== 'timeout') return { done: true, result: first };
  } catch (err) {
    throw await closeError(client, err, workflowId);
  } finally {
    clearTimeout(timer);
  }
  completed.catch(() => undefined); // it finishes (or fails) in the background; the trade's state tells the rest
  const state = await handle.query(stateQuery).catch(() => null);
  return { done: false, state };
}

/**
 * Maps a failed close onto TradeNotOpenError when the workflow refused it or has ended. The server's words for
 * an update sent to a workflow that is completing vary with timing, so an ended workflow is recognised by
 * describing it rather than by the error's message; an unknown id stays WorkflowNotFoundError.
 */
async function closeError(client: Client, err: unknown, workflowId: string): Promise<unknown> {
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause as { type?: string; message?: string } | undefined;
    if (cause?.type === 'TradeNotOpen') return new TradeNotOpenError(cause.message ?? 'trade is not open');
  }
  if (err instanceof WorkflowNotFoundError) {
    const status = await client.workflow
      .getHandle(workflowId)
      .describe()
      .then(
        (d) => d.status.name,
        () => null,
      );
    if (status !== null && status !== 'RUNNING') return new TradeNotOpenError(`trade workflow ${workflowId} has already finished (${status})`);
  }
  return err;
}
