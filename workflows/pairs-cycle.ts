import { log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { MarketDataActivities } from '../activities/market-data';
import type { ReconciliationActivities } from '../activities/reconciliation';
import type { ReconciliationReport } from '../activities/reconcile-positions';
import type { RoutingActivities } from '../activities/routing';
import type { SignalActivities } from '../activities/signals';
import type { StrategyActivities } from '../activities/strategy';
import { BROKER_ACTIVITY, CYCLE_STEP_ACTIVITY, DB_ACTIVITY } from './shared';

export interface PairsCycleInput {
  /** Skip the market-hours check (the spec's dry run; `pairs cycle`). Trades are still placed. */
  dryRun?: boolean;
}

export interface CycleSummary {
  workflowId: string;
  dryRun: boolean;
  /** Broker clock at the start of the cycle (ISO). */
  at: string;
  marketOpen: boolean;
  /** Why the cycle did nothing (market closed), else null. */
  skippedReason: string | null;
  pairsProcessed: number;
  barsUpserted: number;
  spreadsWritten: number;
  /** Signals stored by type, SKIPPED included. */
  signals: Record<string, number>;
  /** Pair-trade workflows started for entry signals. */
  tradesOpened: Array<{ pairId: number; tradeId: number; workflowId: string }>;
  /** Open trades told to close (exit, stop-loss, expiry); they close asynchronously. */
  tradesClosing: Array<{ pairId: number; tradeId: number; reason: string }>;
  /** Why entries were suppressed this cycle (reconciliation), else null. */
  entriesBlockedReason: string | null;
  reconciliation: { unexplained: string[]; missing: string[] };
}

const market = proxyActivities<MarketDataActivities>(BROKER_ACTIVITY);
const recon = proxyActivities<ReconciliationActivities>(BROKER_ACTIVITY);
const steps = proxyActivities<MarketDataActivities & SignalActivities & RoutingActivities>(CYCLE_STEP_ACTIVITY);
const strategy = proxyActivities<StrategyActivities>(DB_ACTIVITY);

function reconciliationLines(report: ReconciliationReport): CycleSummary['reconciliation'] {
  return {
    unexplained: report.unexplained.map((d) => `${d.symbol}: broker ${d.actual}, trades explain ${d.expectedMin}..${d.expectedMax}`),
    missing: report.missing.map((d) => `trade ${d.tradeId}: ${d.symbol} broker ${d.actual}, expected ${d.expectedMin}..${d.expectedMax}`),
  };
}

/**
 * One hourly cycle in six activities whatever the number of pairs: clock, reconciliation, one batched bars
 * fetch, one evaluation of every pair (spreads, z-scores, signals persisted in multi-row statements), one
 * routing step (entries start pair-trade workflows, exits signal them), last_update.
 */
export async function pairsCycleWorkflow(input: PairsCycleInput = {}): Promise<CycleSummary> {
  const dryRun = input.dryRun ?? false;
  const clock = await market.readMarketClock();
  const summary: CycleSummary = {
    workflowId: workflowInfo().workflowId, dryRun, at: new Date(clock.nowMs).toISOString(), marketOpen: clock.isOpen,
    skippedReason: null, pairsProcessed: 0, barsUpserted: 0, spreadsWritten: 0, signals: {},
    tradesOpened: [], tradesClosing: [], entriesBlockedReason: null, reconciliation: { unexplained: [], missing: [] },
  };
  if (!clock.isOpen && !dryRun) {
    summary.skippedReason = 'market closed';
    return summary;
  }

  const report = await recon.reconcile();
  summary.reconciliation = reconciliationLines(report);
  if (report.unexplained.length > 0) {
    summary.entriesBlockedReason = `reconciliation: unexplained position in ${report.unexplained.map((d) => d.symbol).join(', ')}`;
    log.warn('entries blocked this cycle', { reason: summary.entriesBlockedReason });
  }

  const refreshed = await steps.refreshMarketData({ nowMs: clock.nowMs });
  summary.barsUpserted = refreshed.barsUpserted;
  const evaluation = await steps.evaluatePairs({ nowMs: clock.nowMs, entriesBlockedReason: summary.entriesBlockedReason });
  summary.pairsProcessed = evaluation.pairsProcessed;
  summary.spreadsWritten = evaluation.spreadsWritten;
  summary.signals = evaluation.signals;

  // Always routed, even without signals: it also makes sure earlier PENDING trades have their workflow.
  const routed = await steps.routeSignals({ entries: evaluation.entries, exits: evaluation.exits });
  summary.tradesOpened = routed.opened;
  summary.tradesClosing = routed.exitsSignalled;
  await strategy.finishCycle({ nowMs: clock.nowMs, startedAtMs: workflowInfo().startTime.getTime() });
  return summary;
}
