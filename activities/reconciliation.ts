import { log } from '@temporalio/activity';
import type { Broker } from '../broker/types';
import type { Db } from '../db/connection';
import { listLiveTrades } from '../db/queries/trades';
import type { PairsCycleActivities } from '../workflows/contracts/pairs-cycle';
import { brokerCall } from './broker-errors';
import { applyCorporateActions } from './corporate-actions';
import type { TradeRebase } from '../db/queries/corporate-actions';
import { describeReconciliation, reconcilePositions, type ReconciliationReport } from '../strategy/reconciliation';

export interface ReconciliationDeps {
  db: Db;
  broker: Broker;
}

/** Broker positions against live pair trades; also run by the worker at start (outside any activity). */
export async function runReconciliation({ db, broker }: ReconciliationDeps): Promise<ReconciliationReport> {
  const [positions, trades] = await Promise.all([broker.getPositions(), listLiveTrades(db)]);
  return reconcilePositions(
    positions.map((p) => ({ symbol: p.symbol, qty: p.qty })),
    trades.map((t) => ({
      id: t.id,
      pairId: t.pair_id,
      status: t.status,
      side: t.side,
      symbol1: t.symbol1,
      symbol2: t.symbol2,
      qty1: t.qty1,
      qty2: t.qty2,
    })),
  );
}

export interface StartupReconciliation {
  report: ReconciliationReport;
  /** Live trades rebased by a split found now (empty when every split was already applied). */
  rebased: TradeRebase[];
  /** Why splits could not be checked (the reconciliation still runs), else null. */
  corporateActionsError: string | null;
}

/**
 * The worker's reconciliation at start: splits first, as in every cycle, so a position the broker rescaled while
 * no cycle ran is explained by the rebased trade instead of reported unexplained. Idempotent, like the cycle's.
 */
export async function runStartupReconciliation(deps: ReconciliationDeps): Promise<StartupReconciliation> {
  let rebased: TradeRebase[] = [];
  let corporateActionsError: string | null = null;
  try {
    rebased = await applyCorporateActions(deps.db, deps.broker, (await deps.broker.getClock()).timestamp.getTime());
  } catch (err) {
    corporateActionsError = err instanceof Error ? err.message : String(err);
  }
  return { report: await runReconciliation(deps), rebased, corporateActionsError };
}

export function createReconciliationActivities(deps: ReconciliationDeps): Pick<PairsCycleActivities, 'reconcile'> {
  return {
    async reconcile(): Promise<ReconciliationReport> {
      // Splits first: a rescaled broker position is then explained by the rebased trade. When the broker cannot say,
      // the cycle goes on (exits must not wait for it); an unexplained rescaled position then blocks entries.
      try {
        await applyCorporateActions(deps.db, deps.broker, (await deps.broker.getClock()).timestamp.getTime());
      } catch (err) {
        log.warn(`corporate actions not checked this cycle: ${err instanceof Error ? err.message : String(err)}`);
      }
      const report = await brokerCall(() => runReconciliation(deps));
      for (const line of describeReconciliation(report)) log.warn(`reconciliation: ${line}`);
      return report;
    },
  };
}
