import { log, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import {
  CYCLE_CONFIG_ONCE_PATCH,
  PAIRS_CYCLE_ACTIVITY_OPTIONS,
  RISK_CYCLE_PATCH,
  evaluationParts,
  type CycleConfig,
  type CycleSummary,
  type PairsCycleActivities,
  type PairsCycleInput,
  type PairsEvaluation,
  type ReconciliationReport,
} from './contracts/pairs-cycle';

const configs = proxyActivities<Pick<PairsCycleActivities, 'loadCycleConfig'>>(PAIRS_CYCLE_ACTIVITY_OPTIONS.config);
const market = proxyActivities<Pick<PairsCycleActivities, 'readMarketClock'>>(PAIRS_CYCLE_ACTIVITY_OPTIONS.market);
const recon = proxyActivities<Pick<PairsCycleActivities, 'reconcile'>>(PAIRS_CYCLE_ACTIVITY_OPTIONS.reconciliation);
const steps = proxyActivities<Pick<PairsCycleActivities, 'refreshMarketData' | 'evaluatePairs' | 'routeSignals'>>(PAIRS_CYCLE_ACTIVITY_OPTIONS.steps);
const strategy = proxyActivities<Pick<PairsCycleActivities, 'finishCycle'>>(PAIRS_CYCLE_ACTIVITY_OPTIONS.state);
const risk = proxyActivities<Pick<PairsCycleActivities, 'assessRisk'>>(PAIRS_CYCLE_ACTIVITY_OPTIONS.risk);

function reconciliationLines(report: ReconciliationReport): CycleSummary['reconciliation'] {
  return {
    unexplained: report.unexplained.map((d) => `${d.symbol}: broker ${d.actual}, trades explain ${d.expectedMin}..${d.expectedMax}`),
    missing: report.missing.map((d) => `trade ${d.tradeId}: ${d.symbol} broker ${d.actual}, expected ${d.expectedMin}..${d.expectedMax}`),
    ...(report.attention?.length ? { attention: report.attention.map((a) => `trade ${a.tradeId}: needs attention (${a.symbols.join(', ')})`) } : {}),
  };
}

/** The chunks' results as one evaluation. */
function mergeEvaluations(parts: PairsEvaluation[]): PairsEvaluation {
  const merged: PairsEvaluation = { pairsProcessed: 0, signals: {}, spreadsWritten: 0, entries: [], exits: [] };
  for (const part of parts) {
    merged.pairsProcessed += part.pairsProcessed;
    merged.spreadsWritten += part.spreadsWritten;
    for (const [type, n] of Object.entries(part.signals)) merged.signals[type] = (merged.signals[type] ?? 0) + n;
    merged.entries.push(...part.entries);
    merged.exits.push(...part.exits);
  }
  return merged;
}

/**
 * One hourly cycle in a few activities whatever the number of pairs: the config (read once, so the cycle's
 * inputs are in its history), clock, reconciliation, one batched bars fetch, the evaluation of every pair in
 * chunks of EVALUATION_CHUNK_PAIRS run in parallel (spreads, z-scores, signals persisted in multi-row
 * statements; any worker can take a chunk), one routing step (entries start pair-trade workflows, exits signal
 * them), last_update. Histories from before the patch read the config inside each activity and evaluate in one.
 */
export async function pairsCycleWorkflow(input: PairsCycleInput = {}): Promise<CycleSummary> {
  const dryRun = input.dryRun ?? false;
  const cycleConfig: CycleConfig | null = patched(CYCLE_CONFIG_ONCE_PATCH) ? await configs.loadCycleConfig() : null;
  const config = cycleConfig?.config;
  const clock = await market.readMarketClock();
  const summary: CycleSummary = {
    workflowId: workflowInfo().workflowId,
    dryRun,
    at: new Date(clock.nowMs).toISOString(),
    marketOpen: clock.isOpen,
    skippedReason: null,
    pairsProcessed: 0,
    barsUpserted: 0,
    spreadsWritten: 0,
    signals: {},
    tradesOpened: [],
    tradesClosing: [],
    entriesBlockedReason: null,
    reconciliation: { unexplained: [], missing: [] },
    ...(cycleConfig ? { configVersion: cycleConfig.version } : {}),
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
  // Equity snapshot and the account-wide limits, before any entry: a tripped limit blocks this cycle's entries.
  if (patched(RISK_CYCLE_PATCH)) {
    summary.risk = await risk.assessRisk(config ? { nowMs: clock.nowMs, config } : { nowMs: clock.nowMs });
    if (summary.risk.tradingState !== 'ACTIVE') summary.entriesBlockedReason ??= `trading state ${summary.risk.tradingState}: ${summary.risk.reason}`;
  }

  const refreshed = await steps.refreshMarketData(config ? { nowMs: clock.nowMs, config } : { nowMs: clock.nowMs });
  summary.barsUpserted = refreshed.barsUpserted;
  let evaluation: PairsEvaluation;
  if (cycleConfig) {
    const parts = evaluationParts(cycleConfig.activePairs);
    summary.evaluationParts = parts;
    evaluation = mergeEvaluations(
      await Promise.all(
        Array.from({ length: parts }, (_, part) =>
          steps.evaluatePairs({
            nowMs: clock.nowMs,
            entriesBlockedReason: summary.entriesBlockedReason,
            config: cycleConfig.config,
            chunk: { part, parts },
          }),
        ),
      ),
    );
  } else {
    evaluation = await steps.evaluatePairs({ nowMs: clock.nowMs, entriesBlockedReason: summary.entriesBlockedReason });
  }
  summary.pairsProcessed = evaluation.pairsProcessed;
  summary.spreadsWritten = evaluation.spreadsWritten;
  summary.signals = evaluation.signals;

  // Always routed, even without signals: it also makes sure earlier PENDING trades have their workflow.
  const routed = await steps.routeSignals({ entries: evaluation.entries, exits: evaluation.exits, ...(config ? { config } : {}) });
  summary.tradesOpened = routed.opened;
  summary.tradesClosing = routed.exitsSignalled;
  if (routed.notOpened.length > 0) summary.entriesRefused = routed.notOpened;
  await strategy.finishCycle({ nowMs: clock.nowMs, startedAtMs: workflowInfo().startTime.getTime() });
  return summary;
}
