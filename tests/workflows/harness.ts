/**
 * One Temporal dev server, one workflow bundle and one Worker per test file. The Worker's activities are
 * dispatchers: each call goes to the fakes registered for the calling workflow's id, so every test (and
 * every workflow it starts) has fakes of its own while the Worker is created only once.
 */
import { activityInfo } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { cachedWorkflowBundle } from '../../temporal/workflow-bundle';
import type { EmergencyStopActivities } from '../../workflows/contracts/emergency-stop';
import {
  PAIR_ID,
  PAIR_NAME,
  PAIR_TRADE_WORKFLOW,
  TRADE_SIDE,
  TRADE_STATUS,
  pairTradeWorkflowId,
  type PairTradeActivities,
  type PairTradeInput,
} from '../../workflows/contracts/pair-trade';
import type { PairsCycleActivities } from '../../workflows/contracts/pairs-cycle';
import type { pairTradeWorkflow } from '../../workflows/pair-trade';
import { startTemporal } from '../helpers/temporal';
import { FAST_TIMING } from './fake-trade-activities';

type AnyActivities = PairTradeActivities & EmergencyStopActivities & PairsCycleActivities;

/** Every activity any workflow calls (the `satisfies` makes the compiler list a new one here). */
const ACTIVITY_NAMES = Object.keys({
  planEntry: 1,
  submitLegOrder: 1,
  awaitOrderFinal: 1,
  cancelLegOrder: 1,
  recordTradeOpen: 1,
  recordTradeClosing: 1,
  recordTradeClosed: 1,
  recordTradeFailed: 1,
  recordTradeAttention: 1,
  setStrategyActive: 1,
  listLiveTradeRefs: 1,
  tradeStatuses: 1,
  loadCycleConfig: 1,
  readMarketClock: 1,
  reconcile: 1,
  refreshMarketData: 1,
  evaluatePairs: 1,
  routeSignals: 1,
  finishCycle: 1,
  assessRisk: 1,
} satisfies Record<keyof AnyActivities, 1>);

export interface WorkflowHarness {
  client(): Client;
  taskQueue(): string;
  /** The fakes every run of workflow `workflowId` calls; register before starting it. */
  register(workflowId: string, activities: Partial<AnyActivities>): void;
}

/** Registers beforeAll/afterAll for the file's server, bundle and Worker. */
export function useWorkflowHarness(): WorkflowHarness {
  let env: TestWorkflowEnvironment | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const taskQueue = `workflow-tests-${process.pid}`;
  const fakes = new Map<string, Partial<AnyActivities>>();

  const dispatchers = Object.fromEntries(
    ACTIVITY_NAMES.map((name) => [
      name,
      async (...args: unknown[]) => {
        const workflowId = activityInfo().workflowExecution?.workflowId ?? '(none)';
        const impl = fakes.get(workflowId)?.[name as keyof AnyActivities] as ((...a: unknown[]) => Promise<unknown>) | undefined;
        if (!impl)
          throw ApplicationFailure.create({ message: `no fake ${name} registered for ${workflowId}`, type: 'InvalidInput', nonRetryable: true });
        return impl(...args);
      },
    ]),
  );

  beforeAll(async () => {
    const [started, bundle] = await Promise.all([
      // The dev server fires even a 1 ms durable timer about 1 s late unless its timer queue may look ahead less.
      startTemporal({ dynamicConfig: { 'history.timerProcessorMaxTimeShift': '"1ms"' } }),
      cachedWorkflowBundle(),
    ]);
    env = started;
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: dispatchers,
      shutdownForceTime: '10s',
    });
    running = worker.run();
    running.catch(() => undefined); // rethrown by afterAll
  }, 120_000);

  afterAll(async () => {
    try {
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await running;
    } finally {
      await env?.teardown();
    }
  }, 60_000);

  return {
    client: () => env!.client,
    taskQueue: () => taskQueue,
    register(workflowId, activities) {
      fakes.set(workflowId, activities);
    },
  };
}

/** A LONG_SPREAD trade of AAA/BBB on pair 1 with every wait shortened. */
export function tradeInput(tradeId: number, overrides: Partial<PairTradeInput> = {}): PairTradeInput {
  return { tradeId, pairId: 1, symbol1: 'AAA', symbol2: 'BBB', side: 'LONG_SPREAD', entryZ: -2.2, timing: FAST_TIMING, ...overrides };
}

/** Starts a pair-trade workflow the way the cycle does (same id and search attributes), calling `activities`. */
export async function startTrade(h: WorkflowHarness, activities: Partial<AnyActivities>, input: PairTradeInput) {
  const workflowId = pairTradeWorkflowId(input.pairId, input.tradeId);
  h.register(workflowId, activities);
  return h.client().workflow.start<typeof pairTradeWorkflow>(PAIR_TRADE_WORKFLOW, {
    workflowId,
    taskQueue: h.taskQueue(),
    args: [input],
    typedSearchAttributes: [
      { key: PAIR_ID, value: String(input.pairId) },
      { key: PAIR_NAME, value: `${input.symbol1}/${input.symbol2}` },
      { key: TRADE_SIDE, value: input.side },
      { key: TRADE_STATUS, value: 'PENDING' },
    ],
  });
}

/** Polls `probe` until it answers true: waits on a condition of the system, not for a fixed time. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const cause = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out waiting for ${what}${cause}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
