import { Context, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Broker } from '../broker/types';
import type { StrategyConfig } from '../config/schema';
import type { Db } from '../db/connection';
import { equityReferences, realizedPnl, upsertEquitySnapshot } from '../db/queries/equity';
import { closedPnlsSince, getRiskState, setTradingState } from '../db/queries/risk';
import { listLiveTrades } from '../db/queries/trades';
import { assessAccount } from '../strategy/risk/account-limits';
import { kellyEdge } from '../strategy/risk/kelly-edge';
import { DAY_MS, HOUR_MS } from '../strategy/time-units';
import { emergencyStopSignal } from '../workflows/contracts/pair-trade';
import type { PairsCycleActivities, RiskReport } from '../workflows/contracts/pairs-cycle';
import { brokerCall } from './broker-errors';
import { loadConfigForActivity } from './config-load';

export interface RiskActivitiesDeps {
  db: Db;
  broker: Broker;
  configPath: string;
  /** Defaults to the worker's own client (activity context); used to flatten on a tripped limit. */
  client?: Client;
}

export function createRiskActivities({ db, broker, configPath, client }: RiskActivitiesDeps): Pick<PairsCycleActivities, 'assessRisk'> {
  const temporal = (): Client => client ?? Context.current().client;
  return {
    /**
     * The cycle's risk step: the account from the broker becomes this cycle hour's equity snapshot (upsert), the
     * daily-loss and drawdown limits are applied to the series (counting snapshots since the last POST /start), a
     * limit beyond trips HALTED (once; never over an existing HALTED) and, with flatten_on_halt, every live trade is
     * told to close at market.
     */
    async assessRisk(input: { nowMs: number; config?: StrategyConfig }): Promise<RiskReport> {
      const config = input.config ?? (await loadConfigForActivity(db, configPath));
      const limits = config.risk;
      const [account, positions, realized, state] = await Promise.all([
        brokerCall(() => broker.getAccount()),
        brokerCall(() => broker.getPositions()),
        realizedPnl(db),
        getRiskState(db),
      ]);
      await upsertEquitySnapshot(db, {
        ts: new Date(Math.floor(input.nowMs / HOUR_MS) * HOUR_MS),
        equity: account.equity,
        cash: account.cash,
        buying_power: account.buyingPower,
        gross_exposure: positions.reduce((sum, p) => sum + Math.abs(p.marketValue), 0),
        realized_pnl: realized.closed - realized.failedEntryCost,
        unrealized_pnl: positions.reduce((sum, p) => sum + p.unrealizedPl, 0),
      });
      const refs = await equityReferences(db, new Date(Math.floor(input.nowMs / DAY_MS) * DAY_MS), state.baseline_reset_at);
      const assessment = assessAccount(limits, {
        equity: account.equity,
        dayStartEquity: refs.dayStart ?? account.equity,
        peakEquity: refs.peak ?? account.equity,
      });
      let tripped: string | null = null;
      let flattened = 0;
      if (assessment.trip) {
        const reason = `${assessment.trip.rule}: ${assessment.trip.reason}`;
        if (await setTradingState(db, { state: 'HALTED', reason, rule: assessment.trip.rule, changedBy: 'risk' }, ['ACTIVE', 'REDUCING'])) {
          tripped = assessment.trip.rule;
          log.warn('risk limit tripped: HALTED', { reason });
          if (limits.flatten_on_halt) flattened = await flattenAll(db, temporal(), reason);
        }
      }
      const after = tripped ? await getRiskState(db) : state;
      const kelly = kellyEdge(limits, await closedPnlsSince(db, state.kelly_reset_at));
      return {
        tradingState: after.trading_state,
        reason: after.reason,
        equity: account.equity,
        dailyLossPct: assessment.dailyLossPct,
        drawdownPct: assessment.drawdownPct,
        tripped,
        flattened,
        noEdge: kelly.refusal,
      };
    },
  };
}

/** Tells every live trade's workflow to close at market (the emergency stop's signal); the trades closing. */
async function flattenAll(db: Db, client: Client, reason: string): Promise<number> {
  let told = 0;
  for (const t of await listLiveTrades(db)) {
    if (!t.workflow_id) continue;
    try {
      await client.workflow.getHandle(t.workflow_id).signal(emergencyStopSignal, { reason });
      told++;
    } catch (err) {
      log.warn('flatten on halt: could not signal trade workflow', { workflowId: t.workflow_id, error: String(err) });
    }
  }
  return told;
}
