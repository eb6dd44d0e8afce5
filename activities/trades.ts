import { ApplicationFailure } from '@temporalio/activity';
import type { Broker } from '../broker/types';
import type { Db } from '../db/connection';
import { recentCloses } from '../db/queries/market-data';
import { getTrade, markTradeAttention, markTradeClosed, markTradeClosing, markTradeFailed, markTradeOpen } from '../db/queries/trades';
import { getStrategyState } from '../db/queries/strategy-state';
import { latestZScore } from '../db/queries/spreads';
import { recordSignalRefusal, setEntryCost } from '../db/queries/risk';
import { linkSignalToTrade } from '../db/queries/signals';
import type {
  EntryPlan,
  EntryPlanRequest,
  PairTradeActivities,
  RecordedLegs,
  TradeClosedRecord,
  TradeClosingRecord,
} from '../workflows/contracts/pair-trade';
import { brokerCall } from './broker-errors';
import { loadConfigForActivity } from './config-load';
import { assessEntry, loadRiskView } from './risk-snapshot';
import { failedEntryCost } from './failed-entry-cost';
import { holdHours, shortLegSymbol, tradePnl } from '../strategy/trade-math';

export interface TradeActivitiesDeps {
  db: Db;
  broker: Broker;
  configPath: string;
}

async function requireTrade(db: Db, tradeId: number) {
  const trade = await getTrade(db, tradeId);
  if (!trade) throw ApplicationFailure.create({ message: `trade ${tradeId} does not exist`, type: 'TradeNotFound', nonRetryable: true });
  return trade;
}

export type TradeActivities = Pick<
  PairTradeActivities,
  'planEntry' | 'recordTradeOpen' | 'recordTradeClosing' | 'recordTradeClosed' | 'recordTradeFailed' | 'recordTradeAttention'
>;

export function createTradeActivities({ db, broker, configPath }: TradeActivitiesDeps): TradeActivities {
  return {
    /**
     * Decides whether and how big to enter: the short leg must be shortable (checked before any order),
     * both legs tradable, the pre-trade risk checks must pass on the live numbers (a refusal is also recorded on
     * the entry signal), and sizeLegs (equity from the broker, Kelly over the window of closed trades since the
     * last reset, last stored closes as prices) must give at least one share per leg.
     */
    async planEntry(input: EntryPlanRequest): Promise<EntryPlan> {
      // Checked again right before the first order (fail closed: a missing row throws): an emergency stop that
      // lands after the trade was created still keeps its orders from being sent.
      if (!(await getStrategyState(db)).is_active) return { ok: false, reason: 'strategy is not active (emergency stop or stopped)' };
      const config = await loadConfigForActivity(db, configPath);
      const shortSymbol = shortLegSymbol(input.side, input.symbol1, input.symbol2);
      const [asset1, asset2] = await Promise.all([
        brokerCall(() => broker.getAsset(input.symbol1)),
        brokerCall(() => broker.getAsset(input.symbol2)),
      ]);
      for (const asset of [asset1, asset2]) {
        if (!asset.tradable) return { ok: false, reason: `${asset.symbol} is not tradable` };
      }
      const shortAsset = shortSymbol === input.symbol1 ? asset1 : asset2;
      if (!shortAsset.shortable) return { ok: false, reason: `${shortSymbol} is not shortable: no ${input.side} entry` };
      // Alpaca (and the simulator) refuse short sales of hard-to-borrow names: no entry rather than a rejected leg.
      if (!shortAsset.easyToBorrow) return { ok: false, reason: `${shortSymbol} is hard to borrow: no ${input.side} entry` };

      const closes = await recentCloses(db, [input.symbol1, input.symbol2], 1);
      const price1 = closes.get(input.symbol1)?.close[0];
      const price2 = closes.get(input.symbol2)?.close[0];
      if (price1 === undefined || price2 === undefined) return { ok: false, reason: 'no stored price for a leg' };
      // Pre-trade checks again right before the first order, with the account as it is now (the cycle checked it
      // when routing; other entries may have filled since).
      const clock = await brokerCall(() => broker.getClock());
      const view = await loadRiskView(db, broker, config, clock.timestamp.getTime());
      const { verdict, sizing } = assessEntry(view, config, { ...input, price1, price2 });
      if (!verdict.ok) {
        const trade = await requireTrade(db, input.tradeId);
        if (trade.entry_signal_id !== null)
          await recordSignalRefusal(db, trade.entry_signal_id, verdict.rule, { reason: verdict.reason, ...verdict.numbers });
        return { ok: false, reason: `risk ${verdict.rule}: ${verdict.reason}` };
      }
      if (!sizing.ok) return { ok: false, reason: `sizing: ${sizing.reason}` };
      return { ok: true, qty1: sizing.qty1, qty2: sizing.qty2, price1, price2, reason: sizing.reason };
    },

    async recordTradeOpen(input: { tradeId: number; qty1: number; qty2: number; price1: number; price2: number; entryTime: string }): Promise<void> {
      await markTradeOpen(db, input.tradeId, { ...input, entryTime: new Date(input.entryTime) });
    },

    async recordTradeClosing(input: TradeClosingRecord): Promise<RecordedLegs | null> {
      await markTradeClosing(db, input.tradeId, input.reason);
      if (input.signalId != null) await linkSignalToTrade(db, input.signalId, input.tradeId);
      const t = await getTrade(db, input.tradeId);
      if (!t || t.qty1 === null || t.qty2 === null || t.entry_price1 === null || t.entry_price2 === null) return null;
      return { qty1: t.qty1, qty2: t.qty2, price1: t.entry_price1, price2: t.entry_price2 };
    },

    /** Exit prices, P&L of both legs, hold time; the day's pair_performance row in the same transaction. */
    async recordTradeClosed(input: TradeClosedRecord): Promise<{ pnl: number; holdHours: number }> {
      const trade = await requireTrade(db, input.tradeId);
      if (trade.status === 'CLOSED') return { pnl: trade.pnl ?? 0, holdHours: trade.hold_hours ?? 0 };
      if (trade.qty1 === null || trade.qty2 === null || trade.entry_price1 === null || trade.entry_price2 === null || trade.entry_time === null) {
        throw ApplicationFailure.create({ message: `trade ${input.tradeId} has no entry fills`, type: 'InvalidInput', nonRetryable: true });
      }
      const exitTime = new Date(input.exitTime);
      const pnl =
        tradePnl({
          side: trade.side,
          qty1: trade.qty1,
          qty2: trade.qty2,
          entry1: trade.entry_price1,
          entry2: trade.entry_price2,
          exit1: input.price1,
          exit2: input.price2,
        }) + trade.split_cash_pnl;
      const hours = holdHours(new Date(trade.entry_time), exitTime);
      const exitZ = input.exitZ ?? (await latestZScore(db, trade.pair_id));
      const closed = await markTradeClosed(db, input.tradeId, {
        price1: input.price1,
        price2: input.price2,
        exitTime,
        exitZ,
        exitReason: input.reason,
        pnl,
        holdHours: hours,
      });
      return { pnl: closed.pnl ?? pnl, holdHours: closed.hold_hours ?? hours };
    },

    /** FAILED with the reason, and what the entry cost when any order reached the broker (counted in total_pnl). */
    async recordTradeFailed(input: { tradeId: number; reason: string }): Promise<void> {
      const trade = await markTradeFailed(db, input.tradeId, input.reason);
      if (
        trade.status === 'FAILED' &&
        trade.workflow_id &&
        !input.reason.startsWith('no entry:') &&
        !input.reason.includes('COMPENSATION INCOMPLETE') &&
        trade.entry_cost === null
      ) {
        await setEntryCost(db, input.tradeId, await failedEntryCost(broker, trade.workflow_id));
      }
    },

    async recordTradeAttention(input: { tradeId: number; reason: string }): Promise<void> {
      await markTradeAttention(db, input.tradeId, input.reason);
    },
  };
}
