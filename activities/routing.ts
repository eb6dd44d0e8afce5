import { Context, log } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Broker } from '../broker/types';
import type { StrategyConfig } from '../config/schema';
import type { Db } from '../db/connection';
import { recordSignalRefusal } from '../db/queries/risk';
import { recentCloses } from '../db/queries/market-data';
import { createPendingTrade, listLiveTrades } from '../db/queries/trades';
import { recordEntryStats } from '../db/queries/trade-market-data';
import { startPairTradeWorkflow } from '../temporal/pair-trade-client';
import { exitSignal, pairTradeWorkflowId } from '../workflows/contracts/pair-trade';
import type { EntryRoute, ExitRoute, PairsCycleActivities, RoutingResult } from '../workflows/contracts/pairs-cycle';
import { brokerCall } from './broker-errors';
import { loadConfigForActivity } from './config-load';
import { addPendingEntry, assessEntry, loadRiskView, type LiveRiskView } from './risk-snapshot';

export interface RoutingDeps {
  db: Db;
  taskQueue: string;
  /** Defaults to the worker's own client (activity context). */
  client?: Client;
  /** Live account numbers for the pre-trade checks. */
  broker: Broker;
  configPath: string;
}

/** What the pre-trade checks of one routing batch run on: the live view, the stored config, the latest closes. */
interface RiskContext {
  view: LiveRiskView;
  config: StrategyConfig;
  closes: Awaited<ReturnType<typeof recentCloses>>;
}

/**
 * Routing runs in an activity with the Temporal client rather than as child workflows: the PENDING row and
 * the workflow start are both idempotent (entry_signal_id key; USE_EXISTING / REJECT_DUPLICATE), so the whole
 * batch can simply be retried, and a trade's workflow never depends on the cycle that opened it. Entries first pass
 * the pre-trade risk checks (README "Risk"); a refused one gets the rule on its signal row and no trade row.
 */
export function createRoutingActivities({ db, taskQueue, client, broker, configPath }: RoutingDeps): Pick<PairsCycleActivities, 'routeSignals'> {
  const temporal = (): Client => client ?? Context.current().client;
  const riskContext = async (entries: EntryRoute[], cycleConfig: StrategyConfig | undefined): Promise<RiskContext> => {
    const config = cycleConfig ?? (await loadConfigForActivity(db, configPath));
    const clock = await brokerCall(() => broker.getClock());
    const [view, closes] = await Promise.all([
      loadRiskView(db, broker, config, clock.timestamp.getTime()),
      recentCloses(db, [...new Set(entries.flatMap((e) => [e.symbol1, e.symbol2]))], 1),
    ]);
    return { view, config, closes };
  };

  return {
    async routeSignals(input: { entries: EntryRoute[]; exits: ExitRoute[]; config?: StrategyConfig }): Promise<RoutingResult> {
      const result: RoutingResult = { opened: [], notOpened: [], exitsSignalled: [], exitsFailed: [], pendingEnsured: [] };
      const risk = input.entries.length > 0 ? await riskContext(input.entries, input.config) : null;
      for (const entry of input.entries) {
        if (risk && !risk.view.snapshot.liveTrades.some((t) => t.pairId === entry.pairId)) {
          // Pre-trade checks with the live numbers, each entry seeing the ones approved before it in this batch.
          const price1 = risk.closes.get(entry.symbol1)?.close[0];
          const price2 = risk.closes.get(entry.symbol2)?.close[0];
          // Without a stored close for a leg, planEntry's check (live prices, before the first order) decides alone.
          if (price1 !== undefined && price2 !== undefined) {
            const assessed = assessEntry(risk.view, risk.config, { ...entry, price1, price2 });
            if (!assessed.verdict.ok) {
              const { rule, reason, numbers } = assessed.verdict;
              await recordSignalRefusal(db, entry.signalId, rule, { reason, ...numbers });
              result.notOpened.push({ pairId: entry.pairId, reason: `risk ${rule}: ${reason}` });
              continue;
            }
            if (assessed.proposal) addPendingEntry(risk.view, assessed.proposal);
          }
        }
        const created = await createPendingTrade(
          db,
          { pairId: entry.pairId, entrySignalId: entry.signalId, side: entry.side, entryZ: entry.z },
          pairTradeWorkflowId,
        );
        if (created.trade === null) {
          const reason = 'inactive' in created ? 'strategy is not active' : `pair already has live trade ${created.blockedBy ?? '?'}`;
          result.notOpened.push({ pairId: entry.pairId, reason });
          continue;
        }
        const trade = created.trade;
        if (entry.entryStats) await recordEntryStats(db, trade.id, entry.entryStats);
        if (trade.status !== 'PENDING') continue; // a retry of a batch whose trade has already moved on
        await startPairTradeWorkflow(
          temporal(),
          {
            tradeId: trade.id,
            pairId: trade.pair_id,
            symbol1: entry.symbol1,
            symbol2: entry.symbol2,
            side: trade.side,
            entryZ: trade.entry_z_score,
          },
          taskQueue,
        );
        result.opened.push({ pairId: trade.pair_id, tradeId: trade.id, workflowId: trade.workflow_id! });
      }

      for (const exit of input.exits) {
        try {
          await temporal().workflow.getHandle(exit.workflowId).signal(exitSignal, { reason: exit.reason, z: exit.z, signalId: exit.signalId });
          result.exitsSignalled.push({ pairId: exit.pairId, tradeId: exit.tradeId, reason: exit.reason });
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
          log.warn('exit signal: trade workflow not running', { workflowId: exit.workflowId });
          result.exitsFailed.push({ pairId: exit.pairId, tradeId: exit.tradeId, error: 'workflow not running' });
        }
      }

      // A PENDING trade whose workflow never started (a crash between insert and start in an earlier cycle)
      // gets it now; for every other PENDING trade this is a no-op.
      const openedIds = new Set(result.opened.map((o) => o.tradeId));
      for (const t of await listLiveTrades(db)) {
        if (t.status !== 'PENDING' || !t.workflow_id || openedIds.has(t.id)) continue;
        const started = await startPairTradeWorkflow(
          temporal(),
          {
            tradeId: t.id,
            pairId: t.pair_id,
            symbol1: t.symbol1,
            symbol2: t.symbol2,
            side: t.side,
            entryZ: t.entry_z_score,
          },
          taskQueue,
        );
        if (started) result.pendingEnsured.push(t.id);
      }
      return result;
    },
  };
}
