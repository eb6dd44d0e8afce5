/**
 * The pairs-cycle and emergency-stop workflows with their activities faked. The emergency stop signals real
 * pair-trade workflows (on faked broker and records) running on the same Worker.
 */
import {
  PAIRS_CYCLE_WORKFLOW,
  type PairsCycleActivities,
  type PairsCycleInput,
  type PairsEvaluation,
  type ReconciliationReport,
  type RiskReport,
  type RoutingResult,
} from '../../workflows/contracts/pairs-cycle';
import type { StrategyConfig } from '../../config/schema';
import type { pairsCycleWorkflow } from '../../workflows/pairs-cycle';
import {
  EMERGENCY_STOP_WORKFLOW,
  type EmergencyStopActivities,
  type EmergencyStopInput,
  type LiveTradeRef,
} from '../../workflows/contracts/emergency-stop';
import { pairTradeWorkflowId, type TradeStatus } from '../../workflows/contracts/pair-trade';
import type { emergencyStopWorkflow } from '../../workflows/emergency-stop';
import { FakeTradeActivities } from './fake-trade-activities';
import { startTrade, tradeInput, useWorkflowHarness, waitUntil } from './harness';

jest.setTimeout(60_000);

const h = useWorkflowHarness();

describe('pairs cycle', () => {
  const NOW_MS = Date.UTC(2026, 2, 30, 15, 0, 0);

  const CLEAN: ReconciliationReport = { unexplained: [], missing: [], inFlux: [], checkedSymbols: 4 };

  const EVALUATION: PairsEvaluation = {
    pairsProcessed: 3,
    signals: { LONG_SPREAD: 1, EXIT: 1, SKIPPED: 1 },
    spreadsWritten: 3,
    entries: [{ pairId: 1, symbol1: 'AAA', symbol2: 'BBB', side: 'LONG_SPREAD', signalId: 501, z: -2.3 }],
    exits: [{ pairId: 2, tradeId: 40, workflowId: 'pair-trade-2-40', signalId: 502, reason: 'EXIT', z: 0.1 }],
  };

  const ROUTING: RoutingResult = {
    opened: [{ pairId: 1, tradeId: 41, workflowId: 'pair-trade-1-41' }],
    notOpened: [],
    exitsSignalled: [{ pairId: 2, tradeId: 40, reason: 'EXIT' }],
    exitsFailed: [],
    pendingEnsured: [],
  };

  /** The workflow passes the stored config through to its steps without reading it. */
  const CONFIG = { entry_threshold: 2.1, lookback_bars: 500 } as unknown as StrategyConfig;

  const RISK_OK: RiskReport = {
    tradingState: 'ACTIVE',
    reason: 'started',
    equity: 100_000,
    dailyLossPct: 0,
    drawdownPct: 0,
    tripped: null,
    flattened: 0,
    noEdge: null,
  };

  function fakeCycle(
    clock: { isOpen: boolean; nowMs: number },
    report: ReconciliationReport,
    activePairs = 3,
    riskReport: RiskReport = RISK_OK,
    routing: RoutingResult = ROUTING,
  ) {
    const calls: Array<{ name: keyof PairsCycleActivities; input?: unknown }> = [];
    const activities: PairsCycleActivities = {
      loadCycleConfig: async () => {
        calls.push({ name: 'loadCycleConfig' });
        return { config: CONFIG, version: 7, activePairs };
      },
      readMarketClock: async () => {
        calls.push({ name: 'readMarketClock' });
        return clock;
      },
      reconcile: async () => {
        calls.push({ name: 'reconcile' });
        return report;
      },
      refreshMarketData: async (input) => {
        calls.push({ name: 'refreshMarketData', input });
        return { symbols: 4, barsUpserted: 32 };
      },
      evaluatePairs: async (input) => {
        calls.push({ name: 'evaluatePairs', input });
        return EVALUATION;
      },
      routeSignals: async (input) => {
        calls.push({ name: 'routeSignals', input });
        return routing;
      },
      assessRisk: async (input) => {
        calls.push({ name: 'assessRisk', input });
        return riskReport;
      },
      finishCycle: async (input) => {
        calls.push({ name: 'finishCycle', input });
      },
    };
    return {
      calls,
      activities,
      names: () => calls.map((c) => c.name),
      inputOf: (name: keyof PairsCycleActivities) => calls.find((c) => c.name === name)?.input,
    };
  }

  function runCycle(workflowId: string, activities: PairsCycleActivities, input: PairsCycleInput = {}) {
    h.register(workflowId, activities);
    return h.client().workflow.execute<typeof pairsCycleWorkflow>(PAIRS_CYCLE_WORKFLOW, { workflowId, taskQueue: h.taskQueue(), args: [input] });
  }

  it('does nothing but read the clock while the market is closed', async () => {
    const fake = fakeCycle({ isOpen: false, nowMs: NOW_MS }, CLEAN);
    const summary = await runCycle('pairs-cycle-test-closed', fake.activities);

    expect(summary).toEqual({
      workflowId: 'pairs-cycle-test-closed',
      dryRun: false,
      at: new Date(NOW_MS).toISOString(),
      marketOpen: false,
      skippedReason: 'market closed',
      pairsProcessed: 0,
      barsUpserted: 0,
      spreadsWritten: 0,
      signals: {},
      tradesOpened: [],
      tradesClosing: [],
      entriesBlockedReason: null,
      reconciliation: { unexplained: [], missing: [] },
      configVersion: 7,
    });
    expect(fake.names()).toEqual(['loadCycleConfig', 'readMarketClock']);
  });

  it('blocks entries on an unexplained position, routes the evaluated signals and finishes the cycle', async () => {
    const report: ReconciliationReport = {
      unexplained: [{ symbol: 'XYZ', actual: 5, expectedMin: 0, expectedMax: 0, tradeIds: [] }],
      missing: [{ symbol: 'CCC', actual: 0, expectedMin: 30, expectedMax: 30, tradeIds: [40], tradeId: 40 }],
      inFlux: [],
      checkedSymbols: 5,
    };
    const fake = fakeCycle({ isOpen: true, nowMs: NOW_MS }, report);
    const summary = await runCycle('pairs-cycle-test-open', fake.activities);

    const blocked = 'reconciliation: unexplained position in XYZ';
    expect(fake.names()).toEqual([
      'loadCycleConfig',
      'readMarketClock',
      'reconcile',
      'assessRisk',
      'refreshMarketData',
      'evaluatePairs',
      'routeSignals',
      'finishCycle',
    ]);
    expect(fake.inputOf('assessRisk')).toEqual({ nowMs: NOW_MS, config: CONFIG });
    expect(fake.inputOf('refreshMarketData')).toEqual({ nowMs: NOW_MS, config: CONFIG });
    expect(fake.inputOf('evaluatePairs')).toEqual({ nowMs: NOW_MS, entriesBlockedReason: blocked, config: CONFIG, chunk: { part: 0, parts: 1 } });
    expect(fake.inputOf('routeSignals')).toEqual({ entries: EVALUATION.entries, exits: EVALUATION.exits, config: CONFIG });
    expect(fake.inputOf('finishCycle')).toEqual({ nowMs: NOW_MS, startedAtMs: expect.any(Number) });
    expect(summary).toEqual({
      workflowId: 'pairs-cycle-test-open',
      dryRun: false,
      at: new Date(NOW_MS).toISOString(),
      marketOpen: true,
      skippedReason: null,
      pairsProcessed: 3,
      barsUpserted: 32,
      spreadsWritten: 3,
      signals: EVALUATION.signals,
      tradesOpened: ROUTING.opened,
      tradesClosing: ROUTING.exitsSignalled,
      entriesBlockedReason: blocked,
      reconciliation: { unexplained: ['XYZ: broker 5, trades explain 0..0'], missing: ['trade 40: CCC broker 0, expected 30..30'] },
      configVersion: 7,
      evaluationParts: 1,
      risk: RISK_OK,
    });
  });

  it('blocks entries while the risk step reports a state other than ACTIVE and lists refused entries', async () => {
    const halted: RiskReport = {
      ...RISK_OK,
      tradingState: 'HALTED',
      reason: 'DRAWDOWN: drawdown 12.00% >= max_drawdown_pct 10',
      tripped: 'DRAWDOWN',
      drawdownPct: 12,
    };
    const refused = { ...ROUTING, opened: [], notOpened: [{ pairId: 1, reason: 'risk TRADING_STATE: trading state is HALTED: no entries' }] };
    const fake = fakeCycle({ isOpen: true, nowMs: NOW_MS }, CLEAN, 3, halted, refused);
    const summary = await runCycle('pairs-cycle-test-halted', fake.activities);

    const blocked = 'trading state HALTED: DRAWDOWN: drawdown 12.00% >= max_drawdown_pct 10';
    expect(fake.inputOf('evaluatePairs')).toEqual({ nowMs: NOW_MS, entriesBlockedReason: blocked, config: CONFIG, chunk: { part: 0, parts: 1 } });
    expect(summary).toMatchObject({ entriesBlockedReason: blocked, risk: halted, tradesOpened: [], entriesRefused: refused.notOpened });
  });

  it('spreads the evaluation of many pairs over parallel chunks and merges their results', async () => {
    const fake = fakeCycle({ isOpen: true, nowMs: NOW_MS }, CLEAN, 600);
    const summary = await runCycle('pairs-cycle-test-chunks', fake.activities);

    const chunks = fake.calls.filter((c) => c.name === 'evaluatePairs').map((c) => (c.input as { chunk: unknown }).chunk);
    expect(chunks).toEqual(
      expect.arrayContaining([
        { part: 0, parts: 3 },
        { part: 1, parts: 3 },
        { part: 2, parts: 3 },
      ]),
    );
    expect(chunks).toHaveLength(3);
    expect(summary).toMatchObject({ evaluationParts: 3, pairsProcessed: 9, spreadsWritten: 9, signals: { LONG_SPREAD: 3, EXIT: 3, SKIPPED: 3 } });
    expect(fake.inputOf('routeSignals')).toEqual({
      entries: [...EVALUATION.entries, ...EVALUATION.entries, ...EVALUATION.entries],
      exits: [...EVALUATION.exits, ...EVALUATION.exits, ...EVALUATION.exits],
      config: (fake.inputOf('evaluatePairs') as { config: unknown }).config,
    });
  });

  it('runs a dry run while the market is closed, with entries allowed when reconciliation is clean', async () => {
    const fake = fakeCycle({ isOpen: false, nowMs: NOW_MS }, CLEAN);
    const summary = await runCycle('pairs-cycle-test-dry-run', fake.activities, { dryRun: true });

    expect(summary).toMatchObject({ dryRun: true, marketOpen: false, skippedReason: null, entriesBlockedReason: null, tradesOpened: ROUTING.opened });
    expect(fake.inputOf('evaluatePairs')).toEqual({ nowMs: NOW_MS, entriesBlockedReason: null, config: CONFIG, chunk: { part: 0, parts: 1 } });
    expect(fake.names()).toContain('finishCycle');
  });
});

describe('emergency stop', () => {
  /** The stop's activities over a fixed list of live trades; statuses come from `statusOf` (the trades' records). */
  function fakeStopActivities(refs: LiveTradeRef[], statusOf: (tradeId: number) => TradeStatus | undefined) {
    const calls: Array<{ name: keyof EmergencyStopActivities; input?: unknown }> = [];
    const activities: EmergencyStopActivities = {
      setStrategyActive: async (input) => {
        calls.push({ name: 'setStrategyActive', input });
      },
      listLiveTradeRefs: async () => {
        calls.push({ name: 'listLiveTradeRefs' });
        return refs;
      },
      tradeStatuses: async (input) => {
        calls.push({ name: 'tradeStatuses', input });
        return refs
          .filter((r) => input.tradeIds.includes(r.tradeId))
          .map((r) => ({ tradeId: r.tradeId, pairId: r.pairId, status: statusOf(r.tradeId) ?? r.status }));
      },
    };
    return { calls, activities };
  }

  function runStop(workflowId: string, activities: EmergencyStopActivities, input: EmergencyStopInput) {
    h.register(workflowId, activities);
    return h.client().workflow.execute<typeof emergencyStopWorkflow>(EMERGENCY_STOP_WORKFLOW, {
      workflowId,
      taskQueue: h.taskQueue(),
      args: [input],
    });
  }

  it('stops the strategy, closes every live trade through its workflow and reports the closed pairs', async () => {
    const trades = new FakeTradeActivities();
    const first = await startTrade(h, trades.activities(), tradeInput(101, { pairId: 1 }));
    const second = await startTrade(h, trades.activities(), tradeInput(102, { pairId: 2, symbol1: 'CCC', symbol2: 'DDD' }));
    await waitUntil('both trades OPEN', async () => trades.tradeStatus(101) === 'OPEN' && trades.tradeStatus(102) === 'OPEN');

    const refs: LiveTradeRef[] = [
      { tradeId: 101, pairId: 1, workflowId: first.workflowId, status: 'OPEN' },
      { tradeId: 102, pairId: 2, workflowId: second.workflowId, status: 'OPEN' },
    ];
    const stop = fakeStopActivities(refs, (id) => trades.tradeStatus(id));
    const result = await runStop('emergency-stop-test-1', stop.activities, { reason: 'test', timeoutMs: 30_000 });

    expect(result).toEqual({ closedPairs: 2, failedTrades: [], stillOpen: [] });
    expect(stop.calls.slice(0, 2)).toEqual([{ name: 'setStrategyActive', input: { isActive: false } }, { name: 'listLiveTradeRefs' }]);
    expect(stop.calls.filter((c) => c.name === 'setStrategyActive').map((c) => c.input)).toEqual([{ isActive: false }, { isActive: false }]);
    for (const handle of [first, second]) {
      expect(await handle.result()).toMatchObject({ status: 'CLOSED', exitReason: 'EMERGENCY_STOP' });
    }
    expect(
      trades
        .callsOf('recordTradeClosing')
        .map((c) => [c.tradeId, c.reason])
        .sort(),
    ).toEqual([
      [101, 'EMERGENCY_STOP'],
      [102, 'EMERGENCY_STOP'],
    ]);
  });

  it('reports failed and still-open trades when the wait ends, even if a trade workflow cannot be signalled', async () => {
    const refs: LiveTradeRef[] = [
      // No such workflow: the signal fails and the stop goes on.
      { tradeId: 201, pairId: 3, workflowId: pairTradeWorkflowId(3, 201), status: 'OPEN' },
      // No workflow id at all: not signalled.
      { tradeId: 202, pairId: 4, workflowId: null, status: 'PENDING' },
    ];
    const book = new Map<number, TradeStatus>([
      [201, 'OPEN'],
      [202, 'FAILED'],
    ]);
    const stop = fakeStopActivities(refs, (id) => book.get(id));
    const result = await runStop('emergency-stop-test-2', stop.activities, { reason: 'test', timeoutMs: 1 });

    expect(result).toEqual({ closedPairs: 0, failedTrades: [202], stillOpen: [201] });
    expect(stop.calls.filter((c) => c.name === 'tradeStatuses').map((c) => c.input)).toContainEqual({ tradeIds: [201, 202] });
    expect(stop.calls.at(-1)).toEqual({ name: 'setStrategyActive', input: { isActive: false } });
    const events = (await h.client().workflow.getHandle('emergency-stop-test-2').fetchHistory()).events ?? [];
    expect(
      events
        .filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes)
        .map((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes?.workflowExecution?.workflowId),
    ).toEqual(['pair-trade-3-201']);
    expect(events.filter((e) => e.signalExternalWorkflowExecutionFailedEventAttributes)).toHaveLength(1);
  });
});
