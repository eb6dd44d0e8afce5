import { log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import {
  PAIRS_CYCLE_ACTIVITY_OPTIONS, type CycleSummary, type PairsCycleActivities, type PairsCycleInput, type ReconciliationReport,
} from './contracts/pairs-cycle';

const market = proxyActivities<Pick<PairsCycleActivities, 'readMarketClock'>>(PAIRS_CYCLE_ACTIVITY_OPTIONS.market);
const recon = proxyActivities<Pick<PairsCycleActivities, 'reconcile'>>(PAIRS_CYCLE_ACTIVITY_OPTIONS.reconciliation);
const steps = proxyActivities<Pick<PairsCycleActivities, 'refreshMarketData' | 'evaluatePairs' | 'routeSignals'>>(PAIRS_CYCLE_ACTIVITY_OPTIONS.steps);
const strategy = proxyActivities<Pick<PairsCycleActivities, 'finishCycle'>>(PAIRS_CYCLE_ACTIVITY_OPTIONS.state);

function reconciliationLines(report: ReconciliationReport): CycleSummary['reconciliation'] {
  return {
    unexplained: report.unexplained.map((d) => `${d.symbol}: broker ${d.actual}, trades explain ${d.expectedMin}..${d.expectedMax}`),
    missing: report.missing.map((d) => `trade ${d.tradeId}: ${d.symbol} broker ${d.actual}, expected ${d.expectedMin}..${d.expectedMax}`),
    ...(report.attention?.length ? { attention: report.attention.map((a) => `trade ${a.tradeId}: needs attention (${a.symbols.join(', ')})`) } : {}),
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
